package io.jiso;

/**
 * Run by JvmLifelineTest in a JVM of its own: starts a default sandbox and
 * one without a pid namespace, says "ready", and waits to be killed.
 */
public final class LifelineProbe {
    private LifelineProbe() {
    }

    public static void main(String[] args) throws Exception {
        new IsolatedProcessBuilder("sleep", args[0]).start();
        new IsolatedProcessBuilder("sleep", args[1]).share(Namespace.PID).start();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
