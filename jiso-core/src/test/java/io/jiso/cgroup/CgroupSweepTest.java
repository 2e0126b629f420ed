package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.awaitTrue;
import static io.jiso.cgroup.CgroupTestSupport.dead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.Privileges;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leaves of JVMs that died without cleaning up are found and removed; live owners' leaves are not. */
class CgroupSweepTest {
    private static List<Path> DEFAULT_JISO_DIRS;

    @BeforeAll
    static void makeJisoDirs() throws Exception {
        if (!Privileges.cgroupLeavesUnavailable().isEmpty()) {
            return; // each test says why it skips
        }
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.none())) {
            DEFAULT_JISO_DIRS = leaf.dirs().stream().map(Path::getParent).toList();
        }
    }

    @BeforeEach
    void needsCgroupLeaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    /** Fake leaves named NAME in every default jiso directory (other tests' parents may be gone). */
    private static List<Path> mkLeaves(String name) throws Exception {
        List<Path> made = new ArrayList<>();
        for (Path leaf : DEFAULT_JISO_DIRS.stream().map(d -> d.resolve(name)).toList()) {
            CgroupFs.mkdir(leaf);
            made.add(leaf);
        }
        assertFalse(made.isEmpty());
        return made;
    }

    private static void rmLeaves(List<Path> leaves) throws Exception {
        for (Path p : leaves) {
            CgroupFs.rmdir(p, 0); // only if the test failed before the sweep
        }
    }

    @Test
    void leafOfADeadPidIsSwept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertTrue(dead(gone.pid()));
        List<Path> leaves = mkLeaves("jiso-" + gone.pid() + "-1");
        try (CgroupLeaf mine = Cgroups.create(CgroupLimits.none())) {
            assertTrue(Cgroups.sweepStale() >= 1);
            for (Path p : leaves) {
                assertFalse(Files.exists(p), p + " swept");
            }
            for (Path p : mine.dirs()) {
                assertTrue(Files.exists(p), p + " of this live JVM kept");
            }
        } finally {
            rmLeaves(leaves);
        }
    }

    @Test
    void leafOfALiveOwnerIsKeptButAReusedPidIsNot() throws Exception {
        Process owner = new ProcessBuilder("sleep", "1000").start();
        List<Path> leaves = List.of();
        try {
            Thread.sleep(1100); // the leaf is clearly younger than its owner
            leaves = mkLeaves("jiso-" + owner.pid() + "-7");
            Cgroups.sweepStale();
            for (Path p : leaves) {
                assertTrue(Files.exists(p), p + " kept: its owner lives");
            }
            // pretend the leaf is an hour old: the process with that pid is then younger, i.e. a reused pid
            for (Path p : leaves) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
            }
            assertTrue(Cgroups.sweepStale() >= 1);
            for (Path p : leaves) {
                assertFalse(Files.exists(p), p + " swept: pid reused");
            }
            assertFalse(dead(owner.pid()), "the unrelated process with that pid was not touched");
        } finally {
            owner.destroyForcibly().waitFor();
            rmLeaves(leaves);
        }
    }

    @Test
    void leavesOfAJvmKilledWithSigkillAreRemovedWithTheirProcesses() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), CgroupCrashHelper.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
            String ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (Exception e) {
                    return null;
                }
            }).get(60 * CgroupTestSupport.SLOW, TimeUnit.SECONDS);
            assertTrue(ready != null && ready.startsWith("READY "), "helper JVM said: " + ready);
            String[] f = ready.split(" ");
            String name = f[1];
            long sleeper = Long.parseLong(f[2]);
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertEquals(137, jvm.waitFor());
            List<Path> left = DEFAULT_JISO_DIRS.stream().map(d -> d.resolve(name)).filter(Files::exists).toList();
            System.out.println("[crash] leaves left by the killed JVM: " + left + ", its child " + sleeper + " alive: " + !dead(sleeper));
            assertFalse(left.isEmpty(), "the killed JVM left its leaf behind");
            assertFalse(dead(sleeper), "and its child still runs");
            assertTrue(Cgroups.sweepStale() >= 1);
            for (Path p : left) {
                assertFalse(Files.exists(p), p + " swept");
            }
            awaitTrue("orphaned child killed by the sweep", 30, () -> dead(sleeper));
        } finally {
            jvm.destroyForcibly().waitFor();
        }
    }
}
