package io.jiso;

/**
 * Run by SessionTest in a JVM that has a controlling terminal (under
 * script(1)): prints what a sandbox gets when it opens /dev/tty, by default
 * and with newSession(false), one line each.
 */
public final class TtyProbe {
    private TtyProbe() {}

    public static void main(String[] args) throws Exception {
        for (boolean newSession : new boolean[] {true, false}) {
            Run r = Run.of(new IsolatedProcessBuilder("/bin/sh", "-c", "if exec 3</dev/tty; then echo tty-opened; fi")
                    .newSession(newSession)
                    .redirectErrorStream(true));
            System.out.println("newSession(" + newSession + "): " + r.out().strip());
        }
        System.exit(0);
    }
}
