package io.jiso;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A process whose streams the caller dropped while it still runs: the
 * Cleaner closes the JVM's ends of its pipes, so a program that forgets its
 * processes (without waitFor or close) does not run out of fds.
 */
@KernelTest
class StreamCleanerTest {
    private static final int SANDBOXES = 20;

    /** The JVM's fds that are pipes. */
    private static long pipes() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
                        } catch (IOException e) {
                            return false; // the listing's own fd, closed by now
                        }
                    })
                    .count();
        }
    }

    @Test
    void theStreamsOfAnUnreachableRunningProcessAreClosed() throws Exception {
        long before = pipes();
        List<Long> pids = new ArrayList<>();
        try {
            for (int i = 0; i < SANDBOXES; i++) {
                pids.add(new IsolatedProcessBuilder("sleep", "60").start().pid()); // the process itself is dropped
            }
            long held = pipes() - before;
            assertTrue(held >= 3L * SANDBOXES, "stdin, stdout and stderr of each sandbox are pipes: " + held);
            long left = held;
            for (int round = 0; round < 100 && left > SANDBOXES; round++) {
                System.gc();
                Thread.sleep(50);
                left = pipes() - before;
            }
            // what stays is jiso-init's status pipe, one a sandbox, which the reaper reads at the exit
            assertTrue(left <= SANDBOXES, "after collection, " + left + " of " + held + " pipe ends stay open");
            for (long pid : pids) {
                assertTrue(
                        ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "the sandbox still runs: the Cleaner closes streams, it does not kill");
            }
        } finally {
            for (long pid : pids) { // SIGKILL to jiso-init ends the sandbox's pid namespace
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
