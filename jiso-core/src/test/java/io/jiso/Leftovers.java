package io.jiso;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a test JVM holds that a sandbox could leak: fds, child processes,
 * mounts. Network namespace fds are not counted: the pool keeps up to four
 * ready and refills in the background, so their number changes by design.
 */
record Leftovers(long fds, String children, long mounts) {
    static Leftovers now() throws IOException {
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

    private static boolean isNamespace(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("net:[");
        } catch (IOException closedMeanwhile) {
            return false;
        }
    }
}
