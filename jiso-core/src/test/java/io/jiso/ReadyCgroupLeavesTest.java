package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.cgroup.Cgroups;
import io.jiso.spawn.Launcher;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spawns take cgroup leaves made ahead of need (LeafSite.createForSpawn):
 * each still gets its own limits, and a released pool leaves no directory.
 */
@KernelTest
class ReadyCgroupLeavesTest {
    @BeforeAll
    static void leaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void released() throws Exception {
        Cgroups.releaseReadyLeaves();
        Launcher.awaitHousekeeping(10_000);
        assertEquals(List.of(), leavesOfThisJvm(), "no leaf left once the ready ones are released");
    }

    @Test
    void everyLeafGetsItsOwnLimitsEvenWhenMadeAhead() throws Exception {
        List<IsolatedProcess> running = new ArrayList<>();
        try {
            int madeAhead = 0;
            for (int max = 20; max < 26; max++) { // the first makes the shape's ready leaves, the rest take them
                List<String> existing = leavesOfThisJvm().stream()
                        .map(d -> d.getFileName().toString())
                        .toList();
                IsolatedProcess p =
                        new IsolatedProcessBuilder("sleep", "60").pidsMax(max).start();
                running.add(p);
                if (existing.contains(p.cgroupName().orElseThrow())) {
                    madeAhead++; // its directory existed before start()
                }
                Path leaf = leafDir("pids", p.cgroupName().orElseThrow());
                assertEquals(
                        Integer.toString(max),
                        Files.readString(leaf.resolve("pids.max")).strip(),
                        leaf.toString());
                assertTrue(
                        Files.readString(leaf.resolve("cgroup.procs")).strip().contains(Long.toString(p.pid())));
                Thread.sleep(100); // time for the background thread to make the next one
            }
            assertTrue(madeAhead > 0, "no spawn took a leaf made before it started");
        } finally {
            for (IsolatedProcess p : running) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** The leaf's directory in the hierarchy holding controller: v1 where mounted, else the v2 tree. */
    private static Path leafDir(String controller, String name) throws Exception {
        Path v1 = Path.of("/sys/fs/cgroup", controller);
        Path root = Files.isDirectory(v1)
                ? v1
                : Files.isDirectory(Path.of("/sys/fs/cgroup/unified"))
                        ? Path.of("/sys/fs/cgroup/unified")
                        : Path.of("/sys/fs/cgroup");
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> found = Files.find(
                    root,
                    6,
                    (p, a) -> a.isDirectory() && p.getFileName().toString().equals(name))) {
                return found.findFirst().orElseThrow(() -> new AssertionError("no leaf " + name + " under " + root));
            } catch (UncheckedIOException e) {
                // another JVM's leaf was removed during the walk (other test runs on the host)
                if (!(e.getCause() instanceof NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static List<Path> leavesOfThisJvm() throws Exception {
        return IsolatedProcessCgroupTest.leavesOfThisJvm();
    }
}
