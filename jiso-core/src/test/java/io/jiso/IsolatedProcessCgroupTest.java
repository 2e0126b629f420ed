package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.cgroup.Cgroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The cgroup leaf every isolated process gets, through the public API: limits
 * the kernel enforces, the usage it accounts, freeze, thaw and kill of the
 * whole group. Runs on this host (hybrid) and in the pure cgroup v2 guest.
 */
@KernelTest
class IsolatedProcessCgroupTest {
    private static final Duration SLOW = Duration.ofMinutes(5); // the v2 guest is software-emulated

    @Test
    void pastMemoryMaxTheKernelKillsAndSaysSo() throws Exception {
        Privileges.assumeTool("python3");
        Privileges.assumeCgroupLeaves();
        IsolatedProcess p = new IsolatedProcessBuilder("python3", "-c", "x = bytearray(400 << 20); print('survived')")
                .memoryMax(64 << 20)
                .swapMax(0)
                .start();
        assertEquals("", new String(p.getInputStream().readAllBytes()));
        assertTrue(p.waitFor(SLOW.toSeconds(), TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "SIGKILL from the OOM killer");
        assertTrue(p.oomKilled());
        ResourceUsage u = p.resourceUsage();
        assertTrue(
                u.memoryPeakBytes() > (48L << 20) && u.memoryPeakBytes() <= (66L << 20), "peak near the limit: " + u);
        assertTrue(u.oomKills() >= 1, u.toString());
    }

    @Test
    void aProcessWithinItsLimitIsNotKilled() throws Exception {
        Privileges.assumeTool("python3");
        Privileges.assumeCgroupLeaves();
        IsolatedProcess p = new IsolatedProcessBuilder("python3", "-c", "x = bytearray(16 << 20); print(len(x))")
                .memoryMax(128 << 20)
                .start();
        assertEquals("16777216\n", new String(p.getInputStream().readAllBytes()));
        assertEquals(0, p.waitFor());
        assertFalse(p.oomKilled());
        assertTrue(
                p.resourceUsage().memoryPeakBytes() >= (16L << 20),
                p.resourceUsage().toString());
    }

    @Test
    void pidsMaxStopsAForkBombAndTheHostStillForks() throws Exception {
        Privileges.assumeTool("python3");
        Privileges.assumeCgroupLeaves();
        IsolatedProcess p =
                new IsolatedProcessBuilder("python3", "-c", """
                import os, time
                children = 0
                for i in range(64):
                    try:
                        if os.fork() == 0:
                            time.sleep(30)
                            os._exit(0)
                        children += 1
                    except OSError:
                        pass
                print(children)
                """).pidsMax(16).start();
        int children = Integer.parseInt(new String(p.getInputStream().readAllBytes()).trim());
        p.waitFor();
        // 16 tasks in all: jiso-init, python and 14 children.
        assertEquals(14, children, "forks beyond pids.max fail");
        long peak = p.resourceUsage().pidsPeak();
        if (peak != ResourceUsage.UNKNOWN) { // pids.peak: v1 here; on v2 only from Linux 6.13
            assertEquals(16, peak, p.resourceUsage().toString());
        }
        assertEquals(0, new ProcessBuilder("true").start().waitFor(), "the host still forks");
    }

    @Test
    void freezeStopsTheSandboxAndThawResumesIt() throws Exception {
        Privileges.assumeCgroupLeaves();
        Path dir = Files.createTempDirectory("jiso-freeze");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path counter = dir.resolve("count");
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "i=0; while :; do i=$((i+1)); echo $i > /out/count.tmp; mv /out/count.tmp /out/count; sleep 0.01; done")
                .bind(dir, "/out")
                .start();
        try {
            awaitCount(counter, 5);
            p.freeze();
            long frozenAt = count(counter);
            Thread.sleep(500);
            assertEquals(frozenAt, count(counter), "no progress while frozen");
            p.thaw();
            awaitCount(counter, frozenAt + 5);
        } finally {
            p.destroyForcibly();
            p.waitFor();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static long count(Path f) throws Exception {
        return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
    }

    private static void awaitCount(Path f, long atLeast) throws Exception {
        long deadline = System.nanoTime() + SLOW.toNanos();
        while (count(f) < atLeast) {
            assertTrue(System.nanoTime() < deadline, "the counter reached " + atLeast);
            Thread.sleep(20);
        }
    }

    @Test
    void killAllTakesDownADaemonThatLeftThePidNamespacesView() throws Exception {
        Privileges.assumeCgroupLeaves();
        // Without a pid namespace a double fork escapes the main process; the cgroup still holds it.
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh", "-c", "(setsid sleep 1003.75 &) ; echo started; sleep 1000")
                .share(Namespace.PID)
                .start();
        try {
            assertEquals("started\n", new String(p.getInputStream().readNBytes(8)));
            ProcessApiTest.awaitProcesses("1003.75", 1); // the daemon may not have executed sleep yet
            p.killAll();
            assertTrue(p.waitFor(SLOW.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, ProcessApiTest.hostProcessesWithArgument("1003.75"));
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void whenTheMainProcessExitsItsDaemonsGoWithTheLeaf() throws Exception {
        Privileges.assumeCgroupLeaves();
        Run r = Run.of(new IsolatedProcessBuilder("/bin/sh", "-c", "(setsid sleep 1004.25 &) ; echo started")
                        .share(Namespace.PID))
                .ok();
        assertEquals("started\n", r.out());
        ProcessApiTest.awaitProcesses("1004.25", 0); // killed by the reaper just after it reports the exit
    }

    @Test
    void cpuTimeMatchesWhatTheProcessMeasuresItself() throws Exception {
        Privileges.assumeTool("python3");
        Privileges.assumeCgroupLeaves();
        IsolatedProcess p = new IsolatedProcessBuilder("python3", "-c", """
                import time
                end = time.process_time() + 0.3
                while time.process_time() < end:
                    pass
                print(time.process_time())
                """).start();
        double self = Double.parseDouble(new String(p.getInputStream().readAllBytes()).trim());
        assertEquals(0, p.waitFor());
        double cgroup = p.resourceUsage().cpuTotal().toNanos() / 1e9;
        // The leaf also counts the sandbox's setup before python runs and jiso-init: next to nothing here,
        // about 0.1 s in the emulated guest.
        double setup = Files.exists(Path.of("/run/vm")) ? 0.15 : 0;
        assertTrue(
                cgroup >= 0.9 * self && cgroup <= 1.1 * self + setup,
                "cgroup " + cgroup + " s against the process's own " + self + " s");
    }

    @Test
    void cpuMaxHoldsABusyLoopToItsShare() throws Exception {
        Privileges.assumeTool("python3");
        Privileges.assumeCgroupLeaves();
        IsolatedProcess p = new IsolatedProcessBuilder("python3", "-c", """
                import time
                end = time.monotonic() + 1.5
                while time.monotonic() < end:
                    pass
                """)
                .cpuMax(50_000, 100_000)
                .start();
        long started = System.nanoTime();
        assertEquals(0, p.waitFor());
        double wall = (System.nanoTime() - started) / 1e9;
        double cpu = p.resourceUsage().cpuTotal().toNanos() / 1e9;
        // Over the whole life (the interpreter's start too, slow in the emulated guest), half a CPU.
        assertTrue(cpu / wall > 0.3 && cpu / wall < 0.6, cpu + " s of CPU in " + wall + " s of wall time");
    }

    @Test
    void cpusetPinsTheProcess() throws Exception {
        Privileges.assumeCgroupLeaves();
        Run r = Run.of(new IsolatedProcessBuilder("grep", "Cpus_allowed_list", "/proc/self/status").cpusetCpus("0"))
                .ok();
        assertEquals("Cpus_allowed_list:\t0\n", r.out());
    }

    @Test
    void badLimitsNameTheField() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new IsolatedProcessBuilder("true").memoryMax(12));
        assertTrue(e.getMessage().startsWith("memoryMax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IsolatedProcessBuilder("true").cpuWeight(0));
        assertTrue(e.getMessage().contains("cpuWeight"), e.getMessage());
        IllegalStateException s = assertThrows(
                IllegalStateException.class,
                () -> new IsolatedProcessBuilder("true")
                        .pidsMax(4)
                        .withoutCgroup()
                        .start());
        assertTrue(s.getMessage().contains("withoutCgroup"), s.getMessage());
    }

    @Test
    void withoutADelegatedCgroupLimitsAreRefusedAndAProcessRunsWithoutALeaf() throws Exception {
        Privileges.assumeNotRoot("limits and accounting without a delegated cgroup");
        Assumptions.assumeFalse(Privileges.cgroupLeavesUnavailable().isEmpty(), "this JVM has a delegated cgroup");
        FeatureUnavailableException e = assertThrows(
                FeatureUnavailableException.class,
                () -> new IsolatedProcessBuilder("true").memoryMax(64 << 20).start());
        assertTrue(
                e.getMessage().startsWith("create a cgroup leaf for CgroupLimits[memoryMax=67108864]")
                        && e.getMessage().contains("no cgroup is delegated to it"),
                e.getMessage());
        IsolatedProcess p = new IsolatedProcessBuilder("true").start();
        assertEquals(0, p.waitFor());
        IllegalStateException none = assertThrows(IllegalStateException.class, p::resourceUsage);
        assertTrue(
                none.getMessage().startsWith("resourceUsage() needs a cgroup leaf, and this process has none:")
                        && none.getMessage().contains("no cgroup is delegated to it"),
                none.getMessage());
    }

    @Test
    void withoutCgroupThereIsNoAccounting() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("true").withoutCgroup().start();
        p.waitFor();
        IllegalStateException e = assertThrows(IllegalStateException.class, p::resourceUsage);
        assertTrue(e.getMessage().endsWith("has none: withoutCgroup() was asked for"), e.getMessage());
    }

    @AfterAll
    static void noLeafOfThisJvmIsLeft() throws Exception {
        Cgroups.releaseReadyLeaves(); // made ahead for spawns: no leftovers, but must go too
        // A leaf's directories are removed just after waitFor() returns, by the reaper thread.
        long deadline = System.nanoTime() + SLOW.toNanos();
        while (!leavesOfThisJvm().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), leavesOfThisJvm(), "cgroup leaves left behind");
    }

    static List<Path> leavesOfThisJvm() throws IOException {
        String prefix = "jiso-" + ProcessHandle.current().pid() + "-";
        return FrozenSandboxCgroupTest.cgroupDirsNamed(
                n -> n.startsWith(prefix)); // passes over leaves removed meanwhile
    }
}
