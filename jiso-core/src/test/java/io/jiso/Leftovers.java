package io.jiso;

import io.jiso.cgroup.Cgroups;
import io.jiso.spawn.Launcher;
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
 * are reused. A sandbox's leaf and mount namespace are released just after
 * its exit is reported; a snapshot first waits (up to 10 s) for that, and
 * releases the cgroup leaves made ahead of need, so what stays is a leak.
 */
record Leftovers(long fds, String children, long mounts) {
    static Leftovers now() throws IOException {
        try {
            Launcher.awaitHousekeeping(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Cgroups.releaseReadyLeaves(); // leaves made ahead hold fds by design
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
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("net:[")
                    || Launcher.rootTemplateFds()
                            .contains(Integer.parseInt(fd.getFileName().toString()));
        } catch (IOException closedMeanwhile) {
            return false;
        }
    }
}
