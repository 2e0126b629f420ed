package io.jiso;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a test JVM holds that a sandbox could leak: fds, child processes,
 * mounts. Network namespace fds and root templates are not counted: the
 * network pool keeps up to four ready and refills in the background, and each
 * new mount layout adds a root template (up to 16, kept for the JVM's life),
 * so their number changes by design; RootTemplateTest checks that templates
 * are reused. A sandbox's own mount namespace is held by the JVM until the
 * reaper has reported its exit and dropped it; a snapshot waits (up to 10 s)
 * for those to go, so one that stays is counted as a leak.
 */
record Leftovers(long fds, String children, long mounts) {
    static Leftovers now() throws IOException {
        awaitHeldMountNamespaces();
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.filter(fd -> !isNamespace(fd)).count();
        }
        StringBuilder children = new StringBuilder();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    children.append(Files.readString(t.resolve("children")));
                } catch (IOException threadEnded) {
                    // the thread ended while we looked
                }
            }
        }
        long mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).size();
        return new Leftovers(fds, children.toString().trim(), mounts);
    }

    private static void awaitHeldMountNamespaces() throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (heldMountNamespaces() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long heldMountNamespaces() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("mnt:[") && !isNamespace(fd);
                } catch (IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        }
    }

    private static boolean isNamespace(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("net:[") || io.jiso.spawn.Launcher.rootTemplateFds().contains(
                    Integer.parseInt(fd.getFileName().toString()));
        } catch (IOException closedMeanwhile) {
            return false;
        }
    }
}
