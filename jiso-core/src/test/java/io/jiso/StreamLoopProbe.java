package io.jiso;

/**
 * Test helper, run in a JVM of its own with a low fd limit: starts the bare
 * idiom {@code start().waitFor()} args[0] times and prints how many ran.
 */
final class StreamLoopProbe {
    private StreamLoopProbe() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        for (int i = 0; i < runs; i++) {
            int exit = new IsolatedProcessBuilder("/bin/true").start().waitFor();
            if (exit != 0) {
                throw new AssertionError("run " + i + " exited " + exit);
            }
        }
        System.out.println("ran " + runs);
    }
}
