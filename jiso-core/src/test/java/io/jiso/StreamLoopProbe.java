package io.jiso;

import io.jiso.spawn.Launcher;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper, run in a JVM of its own with a low fd limit: starts the bare
 * idiom {@code start().waitFor()} args[0] times and prints how many ran. With
 * args[1], it first runs a few, then fills its fd table up to the limit and
 * frees args[1] fds again, as a program near its limit would.
 */
final class StreamLoopProbe {
    private StreamLoopProbe() {}

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        List<FileInputStream> held = new ArrayList<>();
        if (args.length > 1) {
            for (int i = 0; i < 20; i++) {
                new IsolatedProcessBuilder("/bin/true").start().waitFor();
            }
            Launcher.awaitHousekeeping(10_000);
            Thread.sleep(500); // jiso's threads have made what they make ahead
            try {
                while (true) {
                    held.add(new FileInputStream("/dev/null"));
                }
            } catch (IOException tableFull) {
                // the program holds every fd that jiso's own work does not
            }
            for (int i = Integer.parseInt(args[1]); i > 0 && !held.isEmpty(); i--) {
                held.removeLast().close();
            }
            System.out.println("holding " + held.size());
        }
        for (int i = 0; i < runs; i++) {
            int exit = new IsolatedProcessBuilder("/bin/true").start().waitFor();
            if (exit != 0) {
                throw new AssertionError("run " + i + " exited " + exit);
            }
        }
        System.out.println("ran " + runs);
    }
}
