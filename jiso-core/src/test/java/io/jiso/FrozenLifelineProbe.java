package io.jiso;

/**
 * Run by FrozenSandboxCgroupTest in a JVM of its own: starts sandboxes in
 * the states a JVM may leave them in when it is killed, each marked by its
 * own argument (args[0] + ".1" ...) so that the test finds their processes:
 * three default sandboxes with a child each, frozen; one without a pid
 * namespace, frozen; one whose main process stopped itself with SIGSTOP; one
 * that forks at its pidsMax. Prints "leaf MARK NAME INITPID" per sandbox,
 * then "ready", and waits to be killed.
 */
public final class FrozenLifelineProbe {
    private FrozenLifelineProbe() {}

    public static void main(String[] args) throws Exception {
        String base = args[0];
        for (int i = 1; i <= 3; i++) {
            String mark = base + "." + i;
            IsolatedProcess p =
                    new IsolatedProcessBuilder("/bin/sh", "-c", "sleep " + mark + " & exec sleep " + mark).start();
            awaitCount(mark, 2);
            p.freeze();
            report(mark, p);
        }
        String shared = base + ".4";
        IsolatedProcess s =
                new IsolatedProcessBuilder("sleep", shared).share(Namespace.PID).start();
        awaitCount(shared, 1);
        s.freeze();
        report(shared, s);
        String stopped = base + ".5";
        IsolatedProcess t =
                new IsolatedProcessBuilder("/bin/sh", "-c", "sleep $0 & kill -STOP $$; wait", stopped).start();
        awaitCount(stopped, 2);
        report(stopped, t);
        String full = base + ".6";
        // init, perl and two sleeps; perl goes on trying to fork (a shell would exit at the first EAGAIN)
        IsolatedProcess f = new IsolatedProcessBuilder(
                        "perl",
                        "-e",
                        "while (1) { my $p = fork; if (!defined $p) { select(undef, undef, undef, 0.01) } elsif ($p == 0) { exec 'sleep', $ARGV[0] } }",
                        full)
                .pidsMax(4)
                .start();
        awaitCount(full, 3);
        report(full, f);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(600_000);
    }

    private static void report(String mark, IsolatedProcess p) {
        System.out.println("leaf " + mark + " " + p.cgroupName().orElseThrow() + " " + p.pid());
    }

    private static void awaitCount(String mark, int n) throws Exception {
        while (FrozenSandboxCgroupTest.processesMarked(mark).size() < n) {
            Thread.sleep(10);
        }
    }
}
