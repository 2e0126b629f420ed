package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.SLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.Sweep;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A JVM that gets SIGTERM while it spawns in 8 threads leaves nothing: its
 * shutdown hook removes every leaf, also those being made at that moment
 * (by a spawn, or by the background thread making ready ones), and its
 * run-state directory; no sandbox process survives it.
 */
@KernelTest
class CgroupShutdownTest {

    @Test
    void sigtermWhileSpawningInEightThreadsLeavesNothing() throws Exception {
        Privileges.assumeCgroupLeaves();
        Path base = Cgroups.runStateDir().getParent();
        List<String> problems = new ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            String marker = "jisotest-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            Process jvm = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "--enable-native-access=ALL-UNNAMED",
                            "-Xshare:auto",
                            "-XX:TieredStopAtLevel=1",
                            "-cp",
                            System.getProperty("java.class.path"),
                            CgroupSpawnHelper.class.getName(),
                            marker)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
                String ready = CompletableFuture.supplyAsync(() -> {
                            try {
                                return out.readLine();
                            } catch (IOException e) {
                                return null;
                            }
                        })
                        .get(120 * SLOW, TimeUnit.SECONDS);
                assertEquals("READY", ready);
                Thread.sleep(1000 * SLOW);
                jvm.destroy(); // SIGTERM: the shutdown hooks run while the 8 threads go on spawning
                assertTrue(jvm.waitFor(120 * SLOW, TimeUnit.SECONDS), "the JVM exits after SIGTERM");
                assertEquals(143, jvm.exitValue());
                List<Path> leaves = CgroupSweepTest.leavesOf(jvm.pid());
                boolean record = Files.exists(base.resolve(Long.toString(jvm.pid())));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10 * SLOW);
                List<Long> alive = processesWith(marker);
                while (!alive.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    alive = processesWith(marker);
                }
                String seen = "round " + round + ": leaves " + leaves + ", run-state directory left: " + record
                        + ", sandbox processes " + alive;
                System.out.println("[sigterm] " + seen);
                if (!leaves.isEmpty() || record || !alive.isEmpty()) {
                    problems.add(seen);
                }
            } finally {
                jvm.destroyForcibly().waitFor();
                Sweep.deadJvms(); // what a failed round left
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Processes whose environment holds the marker. */
    private static List<Long> processesWith(String marker) throws IOException {
        List<Long> found = new ArrayList<>();
        byte[] needle = ("JISO_TEST_MARKER=" + marker).getBytes();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    if (indexOf(env, needle) >= 0
                            && !CgroupTestSupport.dead(
                                    Long.parseLong(p.getFileName().toString()))) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException goneOrNotOurs) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
