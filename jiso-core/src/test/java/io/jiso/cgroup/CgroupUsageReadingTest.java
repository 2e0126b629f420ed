package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf's usage as each driver reads it, from files written as the kernel
 * writes them into a temporary directory laid out like a v2 leaf or like a
 * v1 leaf's directories in each hierarchy: which file gives which number,
 * what a controller not enabled leaves unknown, and the fallbacks of older
 * kernels.
 */
class CgroupUsageReadingTest {
    @TempDir
    Path tmp;

    private static Path write(Path dir, String name, String content) throws Exception {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), content);
    }

    private Path v2Leaf() throws Exception {
        Path leaf = tmp.resolve("v2");
        write(leaf, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 400\nnr_periods 0\n");
        write(leaf, "memory.current", "4096\n");
        write(leaf, "memory.peak", "1048576\n");
        write(leaf, "memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n");
        write(leaf, "memory.stat", "anon 100\nfile 200\n");
        write(leaf, "pids.current", "3\n");
        write(leaf, "pids.peak", "9\n");
        write(leaf, "io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        write(leaf, "cgroup.procs", "");
        return leaf;
    }

    @Test
    void aV2LeafGivesEveryNumberOfItsEnabledControllers() throws Exception {
        UsageBuilder u = new UsageBuilder();
        new CgroupV2(v2Leaf(), Set.of("memory", "pids", "io"), false, -1).readUsage(u);
        LeafUsage r = u.build();
        assertEquals(Duration.ofNanos(1_500_000), r.cpuTotal(), "cpu.stat, in microseconds, in every v2 leaf");
        assertEquals(Duration.ofNanos(1_000_000), r.cpuUser());
        assertEquals(Duration.ofNanos(400_000), r.cpuSystem());
        assertEquals(4096, r.memoryCurrentBytes());
        assertEquals(1048576, r.memoryPeakBytes());
        assertEquals(LeafUsage.UNKNOWN, r.swapPeakBytes(), "no memory.swap.peak before Linux 6.5");
        assertEquals(2, r.oomEvents(), "oom, not max");
        assertEquals(1, r.oomKills());
        assertEquals(List.of("anon", "file"), List.copyOf(r.memoryStat().keySet()));
        assertEquals(3, r.pidsCurrent());
        assertEquals(9, r.pidsPeak());
        assertEquals(Map.of("8:0", new LeafUsage.Io(4096, 8192, 1, 2)), r.io());
    }

    @Test
    void aControllerNotEnabledInTheLeafIsUnknownEvenIfItsFilesAreThere() throws Exception {
        UsageBuilder u = new UsageBuilder();
        new CgroupV2(v2Leaf(), Set.of(), false, -1).readUsage(u);
        LeafUsage r = u.build();
        assertEquals(Duration.ofNanos(1_500_000), r.cpuTotal(), "cpu.stat needs no controller");
        assertEquals(LeafUsage.UNKNOWN, r.memoryPeakBytes());
        assertEquals(LeafUsage.UNKNOWN, r.oomKills());
        assertEquals(LeafUsage.UNKNOWN, r.pidsCurrent());
        assertEquals(Map.of(), r.io());
    }

    @Test
    void aV2LeafIsPopulatedAsCgroupEventsSays() throws Exception {
        Path leaf = v2Leaf();
        CgroupV2 v2 = new CgroupV2(leaf, Set.of(), false, -1);
        write(leaf, "cgroup.events", "populated 1\nfrozen 0\n");
        assertTrue(v2.populated(), "a process below the leaf counts, though cgroup.procs is empty");
        write(leaf, "cgroup.events", "populated 0\nfrozen 0\n");
        assertFalse(v2.populated());
    }

    private Layout.V1Hierarchy hierarchy(String name, String... controllers) {
        return new Layout.V1Hierarchy(tmp.resolve("v1/" + name), Set.of(controllers), Path.of("/"));
    }

    @Test
    void aV1LeafReadsEachControllersHierarchy() throws Exception {
        Map<Layout.V1Hierarchy, Path> dirs = new LinkedHashMap<>();
        Path cpu = tmp.resolve("v1/cpu,cpuacct/jiso/leaf");
        Path memory = tmp.resolve("v1/memory/jiso/leaf");
        Path pids = tmp.resolve("v1/pids/jiso/leaf");
        Path blkio = tmp.resolve("v1/blkio/jiso/leaf");
        dirs.put(hierarchy("cpu,cpuacct", "cpu", "cpuacct"), cpu);
        dirs.put(hierarchy("memory", "memory"), memory);
        dirs.put(hierarchy("pids", "pids"), pids);
        dirs.put(hierarchy("blkio", "blkio"), blkio);
        write(cpu, "cpuacct.usage", "2000000000\n");
        write(cpu, "cpuacct.usage_user", "1500000000\n");
        write(cpu, "cpuacct.usage_sys", "400000000\n");
        write(memory, "memory.usage_in_bytes", "8192\n");
        write(memory, "memory.max_usage_in_bytes", "65536\n");
        write(memory, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
        write(memory, "memory.stat", "cache 1\nrss 2\n");
        write(pids, "pids.current", "5\n");
        write(blkio, "blkio.throttle.io_service_bytes_recursive", """
                8:0 Read 4096
                8:0 Write 12288
                8:0 Sync 0
                8:0 Async 16384
                8:0 Total 16384
                253:1 Read 512
                Total 16896
                """);
        write(blkio, "blkio.throttle.io_serviced_recursive", "8:0 Read 1\n8:0 Write 3\n8:0 Total 4\nTotal 4\n");
        UsageBuilder u = new UsageBuilder();
        new CgroupV1(dirs, new int[0]).readUsage(u);
        LeafUsage r = u.build();
        assertEquals(Duration.ofSeconds(2), r.cpuTotal(), "cpuacct.usage is in nanoseconds");
        assertEquals(Duration.ofMillis(1500), r.cpuUser());
        assertEquals(Duration.ofMillis(400), r.cpuSystem());
        assertEquals(8192, r.memoryCurrentBytes());
        assertEquals(65536, r.memoryPeakBytes());
        assertEquals(4, r.oomKills());
        assertEquals(LeafUsage.UNKNOWN, r.oomEvents(), "v1 does not count OOM events");
        assertEquals(LeafUsage.UNKNOWN, r.swapPeakBytes(), "v1 has no swap-only peak");
        assertEquals(List.of("cache", "rss"), List.copyOf(r.memoryStat().keySet()));
        assertEquals(5, r.pidsCurrent());
        assertEquals(LeafUsage.UNKNOWN, r.pidsPeak(), "pids.peak is missing on most v1 kernels");
        assertEquals(
                Map.of("8:0", new LeafUsage.Io(4096, 12288, 1, 3), "253:1", new LeafUsage.Io(512, 0, 0, 0)),
                r.io(),
                "Read and Write per device; Sync, Async and the totals are not more I/O");
    }

    @Test
    void beforeLinux411V1CpuTimeIsInUserHzTicksAndV2TimeWinsOnAHybridHost() throws Exception {
        Path cpu = tmp.resolve("v1/cpuacct/jiso/leaf");
        write(cpu, "cpuacct.usage", "3000000000\n");
        write(cpu, "cpuacct.stat", "user 150\nsystem 20\n");
        Map<Layout.V1Hierarchy, Path> dirs = Map.of(hierarchy("cpuacct", "cpuacct"), cpu);
        UsageBuilder old = new UsageBuilder();
        new CgroupV1(dirs, new int[0]).readUsage(old);
        assertEquals(Duration.ofSeconds(3), old.cpuTotal);
        assertEquals(Duration.ofMillis(1500), old.cpuUser, "100 ticks a second");
        assertEquals(Duration.ofMillis(200), old.cpuSystem);

        UsageBuilder hybrid = new UsageBuilder();
        new CgroupV2(v2Leaf(), Set.of(), false, -1).readUsage(hybrid);
        new CgroupV1(dirs, new int[0]).readUsage(hybrid);
        assertEquals(Duration.ofNanos(1_500_000), hybrid.cpuTotal, "the v2 tree's cpu.stat, read first, is kept");
    }
}
