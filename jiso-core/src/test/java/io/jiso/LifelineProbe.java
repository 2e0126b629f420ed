package io.jiso;

/**
 * Run by JvmLifelineTest in a JVM of its own: starts a default sandbox and
 * one without a pid namespace, says "ready", and waits to be killed. Without
 * cgroup leaves: a killed JVM cannot remove them, and the lifeline does not
 * depend on them.
 */
public final class LifelineProbe {
    private LifelineProbe() {}

    public static void main(String[] args) throws Exception {
        new IsolatedProcessBuilder("sleep", args[0]).withoutCgroup().start();
        new IsolatedProcessBuilder("sleep", args[1])
                .share(Namespace.PID)
                .withoutCgroup()
                .start();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
