package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.onV2;
import static io.jiso.cgroup.CgroupTestSupport.read;
import static io.jiso.cgroup.CgroupTestSupport.startIn;
import static io.jiso.cgroup.CgroupTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.plan.FeatureUnavailable;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** memory.max, memory.high, memory.min/low, swap, zswap and oom.group against the real kernel. */
@KernelTest
class CgroupMemoryTest {
    private static final long MIB = 1 << 20;
    /** Allocates and touches N bytes at run time (perl folds a constant "a" x N into two copies). */
    private static final String[] ALLOCATE = {"perl", "-e", "my $x = 'a' x shift; print qq(done\\n)"};

    private static String[] allocate(long bytes) {
        return new String[] {ALLOCATE[0], ALLOCATE[1], ALLOCATE[2], Long.toString(bytes)};
    }

    @BeforeEach
    void needsCgroupLeaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    @Test
    void allocatingPastMemoryMaxIsOomKilled() throws Exception {
        long max = 32 * MIB;
        try (CgroupLeaf leaf = Cgroups.create(
                CgroupLimits.builder().memoryMaxBytes(max).swapMaxBytes(0).build())) {
            Process p = startIn(leaf, allocate(128 * MIB));
            int exit = waitFor(p, 60);
            LeafUsage u = leaf.usage();
            System.out.println("[oom] exit " + exit + ", " + u);
            assertEquals(128 + 9, exit, "killed by SIGKILL");
            assertTrue(leaf.oomKilled(), "oomKilled()");
            assertTrue(u.oomKills() >= 1, "oom kills " + u.oomKills());
            assertTrue(
                    u.memoryPeakBytes() >= max * 3 / 4 && u.memoryPeakBytes() <= max + MIB,
                    "peak " + u.memoryPeakBytes() + " near the limit " + max);
            if (onV2(Controller.MEMORY)) {
                assertTrue(u.oomEvents() >= 1, "oom events " + u.oomEvents());
            }
            leaf.close();
            assertTrue(leaf.oomKilled(), "still known after close");
            assertEquals(u.oomKills(), leaf.usage().oomKills());
        }
    }

    @Test
    void withinMemoryMaxNothingIsKilled() throws Exception {
        try (CgroupLeaf leaf =
                Cgroups.create(CgroupLimits.builder().memoryMaxBytes(64 * MIB).build())) {
            Process p = startIn(leaf, allocate(8 * MIB));
            assertEquals(0, waitFor(p, 60));
            assertFalse(leaf.oomKilled());
            assertTrue(leaf.usage().memoryPeakBytes() >= 8 * MIB, leaf.usage().toString());
        }
    }

    @Test
    void memoryHighThrottlesWithoutKilling() throws Exception {
        CgroupLimits limits =
                CgroupLimits.builder().memoryHighBytes(32 * MIB).swapMaxBytes(0).build();
        if (!onV2(Controller.MEMORY)) {
            FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> Cgroups.create(limits));
            System.out.println("[memory.high on v1] " + e.getMessage());
            assertTrue(e.getMessage().contains("memoryHigh"), e.getMessage());
            return;
        }
        try (CgroupLeaf leaf = Cgroups.create(limits)) {
            long t0 = System.nanoTime();
            // about 2 MiB over memory.high, anonymous and unswappable: the kernel can only throttle
            // (perl's own code and libraries are page cache charged to whoever read them first)
            Process p = startIn(leaf, allocate(34 * MIB));
            assertEquals(0, waitFor(p, 300), "not killed");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Path events = leaf.dirFor(Controller.MEMORY).resolve("memory.events");
            long high = CgroupFs.keyValues(read(events)).get("high");
            LeafUsage u = leaf.usage();
            LeafUsage.Pressure mem = leaf.pressure().get("memory");
            System.out.println(
                    "[memory.high] " + ms + " ms, memory.events high " + high + ", memory PSI " + mem + ", " + u);
            assertTrue(high > 0, "memory.events high counts the throttling");
            assertEquals(0, u.oomKills());
            assertTrue(mem.someTotal().toNanos() > 0, "the throttled task stalled on memory (PSI some total)");
        }
    }

    @Test
    void memoryMinAndLowAreAcceptedAndReadBack() throws Exception {
        CgroupLimits both = CgroupLimits.builder()
                .memoryMinBytes(8 * MIB)
                .memoryLowBytes(16 * MIB)
                .build();
        if (onV2(Controller.MEMORY)) {
            try (CgroupLeaf leaf = Cgroups.create(both)) {
                Path d = leaf.dirFor(Controller.MEMORY);
                assertEquals(Long.toString(8 * MIB), read(d.resolve("memory.min")));
                assertEquals(Long.toString(16 * MIB), read(d.resolve("memory.low")));
            }
        } else {
            FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> Cgroups.create(both));
            assertTrue(e.getMessage().contains("memoryMin"), e.getMessage());
            try (CgroupLeaf leaf = Cgroups.create(
                    CgroupLimits.builder().memoryLowBytes(16 * MIB).build())) {
                // v1: memory.low becomes the soft limit, as runc maps it
                assertEquals(
                        Long.toString(16 * MIB),
                        read(leaf.dirFor(Controller.MEMORY).resolve("memory.soft_limit_in_bytes")));
            }
        }
    }

    @Test
    void swapZswapAndOomGroupAreSetOrRefusedByName() throws Exception {
        CgroupLimits v2Only = CgroupLimits.builder()
                .memoryMaxBytes(64 * MIB)
                .swapMaxBytes(16 * MIB)
                .zswapMaxBytes(8 * MIB)
                .oomGroup(true)
                .build();
        if (onV2(Controller.MEMORY)) {
            try (CgroupLeaf leaf = Cgroups.create(v2Only)) {
                Path d = leaf.dirFor(Controller.MEMORY);
                assertEquals(Long.toString(16 * MIB), read(d.resolve("memory.swap.max")));
                assertEquals(Long.toString(8 * MIB), read(d.resolve("memory.zswap.max")));
                assertEquals("1", read(d.resolve("memory.oom.group")));
            }
            return;
        }
        for (String field : new String[] {"zswapMax", "oomGroup"}) {
            CgroupLimits.Builder b = CgroupLimits.builder().memoryMaxBytes(64 * MIB);
            CgroupLimits l = field.equals("zswapMax")
                    ? b.zswapMaxBytes(MIB).build()
                    : b.oomGroup(true).build();
            FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> Cgroups.create(l));
            assertTrue(e.getMessage().contains(field), e.getMessage());
        }
        FeatureUnavailable e = assertThrows(
                FeatureUnavailable.class,
                () -> Cgroups.create(CgroupLimits.builder().swapMaxBytes(0).build()));
        assertTrue(e.getMessage().contains("swapMax") && e.getMessage().contains("memoryMax"), e.getMessage());
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.builder()
                .memoryMaxBytes(64 * MIB)
                .swapMaxBytes(16 * MIB)
                .build())) {
            Path d = leaf.dirFor(Controller.MEMORY);
            assertEquals(Long.toString(64 * MIB), read(d.resolve("memory.limit_in_bytes")));
            assertEquals(
                    Long.toString(80 * MIB),
                    read(d.resolve("memory.memsw.limit_in_bytes")),
                    "v1 memsw = memory + swap");
        }
    }

    @Test
    void oomGroupKillsTheWholeGroup() throws Exception {
        CgroupLimits limits = CgroupLimits.builder()
                .memoryMaxBytes(32 * MIB)
                .swapMaxBytes(0)
                .oomGroup(true)
                .build();
        if (!onV2(Controller.MEMORY)) {
            FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> Cgroups.create(limits));
            System.out.println("[oom.group on v1] " + e.getMessage());
            assertTrue(e.getMessage().contains("oomGroup"), e.getMessage());
            return;
        }
        try (CgroupLeaf leaf = Cgroups.create(limits)) {
            Process bystander = startIn(leaf, "sleep", "1000");
            Process hog = startIn(leaf, allocate(128 * MIB));
            assertEquals(137, waitFor(hog, 60));
            assertEquals(137, waitFor(bystander, 60), "oom.group took the sleeping process too");
            assertTrue(leaf.oomKilled());
        }
    }
}
