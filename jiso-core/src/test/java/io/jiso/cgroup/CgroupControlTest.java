package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.awaitTrue;
import static io.jiso.cgroup.CgroupTestSupport.dead;
import static io.jiso.cgroup.CgroupTestSupport.read;
import static io.jiso.cgroup.CgroupTestSupport.scriptIn;
import static io.jiso.cgroup.CgroupTestSupport.startIn;
import static io.jiso.cgroup.CgroupTestSupport.stdout;
import static io.jiso.cgroup.CgroupTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Placement fds, freeze/thaw, killAll, pids.max, reclaim, PSI and teardown. */
@KernelTest
class CgroupControlTest {
    @BeforeEach
    void needsCgroupLeaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    @Test
    void placementFdsMatchTheLayout() throws Exception {
        CgroupLeaf leaf = Cgroups.create(CgroupLimits.builder().pidsMax(100).build());
        try {
            int fd = leaf.cloneIntoFd();
            int[] tasks = leaf.tasksFds();
            Layout l = Cgroups.layout();
            assertEquals(l.v2Mount() != null, fd >= 0, "a v2 leaf fd exactly when there is a v2 tree");
            assertEquals(
                    l.kind() == Layout.Kind.V2, tasks.length == 0, "v1 tasks fds exactly when v1 controllers are used");
            if (fd >= 0) {
                String target =
                        Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
                assertTrue(target.endsWith("/jiso/" + leaf.name()), target);
                String flags = read(Path.of("/proc/self/fdinfo/" + fd));
                long f = Long.parseLong(
                        flags.lines()
                                .filter(s -> s.startsWith("flags:"))
                                .findFirst()
                                .orElseThrow()
                                .substring(6)
                                .strip(),
                        8);
                assertTrue(
                        (f & Errno.O_DIRECTORY) != 0 && (f & Errno.O_CLOEXEC) != 0,
                        "O_DIRECTORY|O_CLOEXEC: " + Long.toOctalString(f));
            }
            for (int t : tasks) {
                assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + t))
                        .toString()
                        .endsWith(leaf.name() + "/tasks"));
            }
            // the v1 contract: a thread written into each fd moves (the child writes "0"; sh has one thread)
            Process held = CgroupTestSupport.startHeld("sleep", "1000");
            if (fd >= 0) {
                CgroupFs.write(leaf.dirs().get(0).resolve("cgroup.procs"), Long.toString(held.pid()));
            }
            for (int t : tasks) {
                Sys.writeString(t, Long.toString(held.pid()), "test write");
            }
            String cgroups = read(Path.of("/proc/" + held.pid() + "/cgroup"));
            long inLeaf = cgroups.lines()
                    .filter(s -> s.endsWith("/jiso/" + leaf.name()))
                    .count();
            assertEquals(tasks.length + (fd >= 0 ? 1 : 0), inLeaf, cgroups);
            leaf.close();
            assertEquals(137, waitFor(held, 30), "close() killed what was left");
            for (Path d : leaf.dirs()) {
                assertFalse(Files.exists(d), d + " removed");
            }
            assertThrows(IllegalStateException.class, leaf::cloneIntoFd);
            assertTrue(
                    Arrays.stream(tasks)
                            .allMatch(p -> !Files.exists(Path.of("/proc/self/fd/" + p)) || !isOurs(p, leaf)),
                    "fds closed");
        } finally {
            leaf.close();
        }
    }

    private static boolean isOurs(int fd, CgroupLeaf leaf) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
                    .toString()
                    .contains(leaf.name());
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void freezeStopsACounterAndThawResumesIt() throws Exception {
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.none())) {
            Process p = startIn(
                    leaf, "perl", "-e", "$| = 1; my $i = 0; while (1) { print ++$i, qq(\\n) unless $i % 20000; $i++ }");
            AtomicLong counter = new AtomicLong();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = stdout(p)) {
                    for (String line; (line = r.readLine()) != null; ) {
                        counter.set(Long.parseLong(line.strip()));
                    }
                } catch (Exception ignored) {
                    // the process was killed
                }
            });
            awaitTrue("counter starts", 30, () -> counter.get() > 0);
            leaf.freeze();
            Thread.sleep(200 * Math.min(4, CgroupTestSupport.SLOW)); // lines already in the pipe drain
            long frozenAt = counter.get();
            LeafUsage u0 = leaf.usage();
            Thread.sleep(500 * Math.min(4, CgroupTestSupport.SLOW));
            assertEquals(frozenAt, counter.get(), "frozen counter does not advance");
            assertEquals(u0.cpuTotal(), leaf.usage().cpuTotal(), "frozen tasks use no CPU");
            leaf.thaw();
            awaitTrue("counter resumes", 30, () -> counter.get() > frozenAt);
            System.out.println("[freeze] counter held at " + frozenAt + ", resumed to " + counter.get());
            leaf.killAll();
            assertEquals(137, waitFor(p, 30));
            reader.join(10_000);
        }
    }

    @Test
    void killAllTakesDownADaemonizedGrandchild() throws Exception {
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.none())) {
            // double fork + setsid: the daemon is re-parented away from the main process
            Process p =
                    scriptIn(leaf, "read x; ( setsid sh -c 'echo $$; exec sleep 1000' </dev/null & ); exec sleep 1000");
            long daemon = Long.parseLong(stdout(p).readLine().strip());
            awaitTrue("daemon re-parented", 10, () -> ppid(daemon) != p.pid());
            assertNotEquals(p.pid(), ppid(daemon));
            assertFalse(dead(daemon));
            assertTrue(
                    read(Path.of("/proc/" + daemon + "/cgroup")).contains(leaf.name()),
                    "the daemon is still in the leaf");
            leaf.killAll();
            assertEquals(137, waitFor(p, 30));
            awaitTrue("daemon dead", 30, () -> dead(daemon));
            awaitTrue("leaf empty", 30, () -> {
                try {
                    return !leaf.populated();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    private static long ppid(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void pidsMaxStopsAForkBomb() throws Exception {
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.builder().pidsMax(16).build())) {
            Process bomb = startIn(leaf, "bash", "-c", ":(){ :|:& };:");
            Path pids = leaf.dirFor(Controller.PIDS);
            long most = 0;
            long refused = 0;
            // watch for 1.5 s at least, and until the bomb has met the limit (a loaded machine may take long)
            long watched = System.nanoTime() + 1_500_000_000L;
            long until = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < until && (refused == 0 || System.nanoTime() < watched)) {
                most = Math.max(most, leaf.usage().pidsCurrent());
                refused = CgroupFs.keyValues(read(pids.resolve("pids.events"))).get("max");
                Thread.sleep(20);
            }
            // the host still forks while the bomb runs
            Process host = new ProcessBuilder("true").start();
            assertEquals(0, waitFor(host, 30), "the host forks fine");
            leaf.killAll();
            waitFor(bomb, 30);
            awaitTrue("bomb gone", 30, () -> {
                try {
                    return !leaf.populated();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            LeafUsage u = leaf.usage();
            System.out.println("[fork bomb] most tasks seen " + most + ", forks refused " + refused + ", pids peak "
                    + u.pidsPeak());
            assertTrue(most <= 16, "never above pids.max: " + most);
            assertTrue(refused > 0, "forks were refused at the limit");
            assertTrue(u.pidsPeak() == LeafUsage.UNKNOWN || u.pidsPeak() == 16, "peak " + u.pidsPeak());
        }
    }

    @Test
    void reclaimAndPressureWhereTheKernelHasThem() throws Exception {
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.none())) {
            if (CgroupTestSupport.onV2(Controller.MEMORY)) {
                Process p = startIn(
                        leaf,
                        "perl",
                        "-e",
                        "$| = 1; my $x = 'a' x shift; print qq(ok\\n); sleep 1000",
                        Long.toString(8 << 20));
                assertEquals("ok", stdout(p).readLine());
                long before = leaf.usage().memoryCurrentBytes();
                assertTrue(before >= 8 << 20, "the 8 MiB are charged to the leaf: " + before);
                boolean all = leaf.reclaim(1 << 20);
                long after = leaf.usage().memoryCurrentBytes();
                System.out.println("[reclaim] 1 MiB: " + before + " -> " + after + " bytes, "
                        + (all ? "all reclaimed" : "partly (EAGAIN)"));
                assertTrue(!all || after < before, "reclaim took memory back");
                leaf.killAll();
                waitFor(p, 30);
            } else {
                FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> leaf.reclaim(1 << 20));
                System.out.println("[reclaim on v1 memory] " + e.getMessage());
                assertTrue(
                        e.getMessage().contains("memory.reclaim")
                                || e.getMessage().contains("v2"),
                        e.getMessage());
            }
            if (Cgroups.layout().v2Mount() != null) {
                var psi = leaf.pressure();
                System.out.println("[pressure] " + psi.keySet() + " cpu " + psi.get("cpu"));
                assertTrue(
                        psi.containsKey("cpu") && psi.containsKey("memory") && psi.containsKey("io"),
                        psi.keySet().toString());
            } else {
                assertThrows(FeatureUnavailable.class, leaf::pressure);
            }
        }
    }

    @Test
    void usageAfterCloseIsTheLastReading() throws Exception {
        CgroupLeaf leaf = Cgroups.create(CgroupLimits.none());
        Process p = startIn(leaf, "perl", "-e", "until ((times)[0] >= 0.05) { for (1..20000) {} }");
        assertEquals(0, waitFor(p, 60));
        leaf.close();
        LeafUsage last = leaf.usage();
        assertTrue(last.cpuTotal().toMillis() >= 45, last.toString());
        assertEquals(last, leaf.usage(), "stable after close");
        leaf.close(); // idempotent
        assertFalse(leaf.populated());
        System.out.println("[last usage] " + last);
    }
}
