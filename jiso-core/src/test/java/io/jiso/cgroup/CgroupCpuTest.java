package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.read;
import static io.jiso.cgroup.CgroupTestSupport.startIn;
import static io.jiso.cgroup.CgroupTestSupport.stdout;
import static io.jiso.cgroup.CgroupTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cpu.max, cpu.weight, cpuset and CPU time accounting. */
@KernelTest
class CgroupCpuTest {
    /** Burns CPU until this process has used the given seconds of user time. */
    private static final String BURN = "until ((times)[0] >= %s) { for (1..20000) {} }";

    @BeforeEach
    void needsCgroupLeaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    @Test
    void cpuMaxHoldsABusyLoopToHalfACpu() throws Exception {
        try (CgroupLeaf leaf = Cgroups.create(
                CgroupLimits.builder().cpuMaxMicros(50_000, 100_000).build())) {
            Process p = startIn(leaf, "perl", "-e", "1 while 1");
            Thread.sleep(300);
            LeafUsage u0 = leaf.usage();
            long t0 = System.nanoTime();
            Thread.sleep(2000);
            LeafUsage u1 = leaf.usage();
            long wall = System.nanoTime() - t0;
            double share = (double) u1.cpuTotal().minus(u0.cpuTotal()).toNanos() / wall;
            System.out.printf("[cpu.max 50%%] busy loop got %.3f of one CPU over %d ms%n", share, wall / 1_000_000);
            assertTrue(share <= 0.56, "throttled to half a CPU, got " + share);
            // the lower bound only says the loop ran; a busy shared machine (or the TCG guest) can give it less
            assertTrue(share >= 0.2, "the loop ran, got " + share);
            leaf.killAll();
            assertEquals(137, waitFor(p, 30));
        }
    }

    @Test
    void cpuWeightIsWritten() throws Exception {
        try (CgroupLeaf leaf =
                Cgroups.create(CgroupLimits.builder().cpuWeight(200).build())) {
            Path d = leaf.dirFor(Controller.CPU);
            if (CgroupTestSupport.onV2(Controller.CPU)) {
                assertEquals("200", read(d.resolve("cpu.weight")));
            } else {
                assertEquals(Long.toString(CpuKnobs.shares(200)), read(d.resolve("cpu.shares")));
                assertEquals(2 + 199 * 262142 / 9999, CpuKnobs.shares(200));
            }
        }
    }

    @Test
    void cpusetPinsTheChild() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        String allowed = cpus > 1 ? "1" : "0";
        try (CgroupLeaf leaf =
                Cgroups.create(CgroupLimits.builder().cpusetCpus(allowed).build())) {
            // the child reports its own affinity (what sched_getaffinity returns)
            Process p = startIn(leaf, "grep", "Cpus_allowed_list", "/proc/self/status");
            String line = stdout(p).readLine();
            assertEquals(0, waitFor(p, 30));
            System.out.println("[cpuset " + allowed + "] child says " + line);
            assertEquals("Cpus_allowed_list:\t" + allowed, line);
        }
    }

    @Test
    void cpuTimeMatchesGetrusageWithinTenPercent() throws Exception {
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.none())) {
            // perl runs the burner as a plain child and prints times(): its own and its children's
            // (getrusage) user+system time, i.e. everything that ran in the leaf after the move
            Process p = startIn(
                    leaf,
                    "perl",
                    "-e",
                    "system(@ARGV); my @t = times; printf qq(%.3f %.3f\\n), $t[2] + $t[3], $t[0] + $t[1]",
                    "perl",
                    "-e",
                    BURN.formatted("0.3"));
            String[] out = stdout(p).readLine().split(" ");
            assertEquals(0, waitFor(p, 120));
            double child = Double.parseDouble(out[0]);
            double self = Double.parseDouble(out[1]);
            LeafUsage u = leaf.usage();
            double cgroup = u.cpuTotal().toNanos() / 1e9;
            System.out.printf(
                    "[cpu accounting] getrusage: burner %.3f s + wrapper %.3f s; cgroup %.4f s (user %.4f, system %.4f)%n",
                    child,
                    self,
                    cgroup,
                    u.cpuUser().toNanos() / 1e9,
                    u.cpuSystem().toNanos() / 1e9);
            assertTrue(child >= 0.3, "the burner burned 300 ms");
            assertTrue(
                    Math.abs(cgroup - (child + self)) <= 0.1 * (child + self),
                    "cgroup " + cgroup + " s within 10% of getrusage " + (child + self) + " s");
            assertTrue(cgroup >= 0.9 * child, "the burner's time is all in the cgroup");
            assertTrue(
                    Math.abs(u.cpuUser().plus(u.cpuSystem()).toNanos() / 1e9 - cgroup) <= 0.1 * cgroup,
                    "user + system ~ total");
        }
    }
}
