package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.SetupFailure;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the v1 driver writes for each controller, into temporary directories
 * laid out like a leaf's in each v1 hierarchy (cpu and cpuacct co-mounted,
 * as systemd mounts them): the exact files, values and order, and what v1
 * refuses before writing anything. Needs no root and no cgroup tree.
 */
class CgroupV1LimitWritesTest {
    private static final long U = CgroupLimits.UNLIMITED;
    private static final Map<String, List<String>> LAYOUT = new TreeMap<>(Map.of(
            "memory",
                    List.of(
                            "cgroup.procs",
                            "memory.limit_in_bytes",
                            "memory.memsw.limit_in_bytes",
                            "memory.soft_limit_in_bytes",
                            "memory.usage_in_bytes"),
            "cpu,cpuacct",
                    List.of("cgroup.procs", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares", "cpuacct.usage"),
            "cpuset", List.of("cgroup.procs", "cpuset.cpus", "cpuset.mems"),
            "blkio",
                    List.of(
                            "cgroup.procs",
                            "blkio.throttle.read_bps_device",
                            "blkio.throttle.write_bps_device",
                            "blkio.throttle.read_iops_device",
                            "blkio.throttle.write_iops_device",
                            "blkio.weight"),
            "pids", List.of("cgroup.procs", "pids.max"),
            "hugetlb", List.of("cgroup.procs", "hugetlb.2MB.limit_in_bytes", "hugetlb.1GB.limit_in_bytes")));

    @TempDir
    Path tmp;

    private TempLeafFiles files;
    private final Map<Controller, Path> dirs = new EnumMap<>(Controller.class);

    @BeforeEach
    void layOut() {
        files = new TempLeafFiles(tmp);
        LAYOUT.forEach((h, f) -> TempLeafFiles.leaf(tmp.resolve(h), f.toArray(String[]::new)));
        dirs.put(Controller.MEMORY, tmp.resolve("memory"));
        dirs.put(Controller.CPU, tmp.resolve("cpu,cpuacct"));
        dirs.put(Controller.CPUACCT, tmp.resolve("cpu,cpuacct"));
        dirs.put(Controller.CPUSET, tmp.resolve("cpuset"));
        dirs.put(Controller.IO, tmp.resolve("blkio"));
        dirs.put(Controller.PIDS, tmp.resolve("pids"));
        dirs.put(Controller.HUGETLB, tmp.resolve("hugetlb"));
    }

    private List<String> apply(CgroupLimits.Builder limits) throws SetupFailure {
        CgroupV1.apply(limits.build(), dirs::get, files);
        return files.writes();
    }

    /** Every file of every hierarchy: the written ones hold their last value, the others stay empty. */
    private void assertFiles(String... written) {
        Map<String, String> want = new TreeMap<>();
        LAYOUT.forEach((h, fs) -> fs.forEach(f -> want.put(h + "/" + f, "")));
        for (int i = 0; i < written.length; i += 2) {
            want.put(written[i], written[i + 1]);
        }
        assertEquals(want, files.files());
    }

    @Test
    void memoryLimitThenMemswThenSoftLimit() throws Exception {
        assertEquals(
                List.of(
                        "memory/memory.limit_in_bytes <- 1073741824",
                        "memory/memory.memsw.limit_in_bytes <- 1342177280",
                        "memory/memory.soft_limit_in_bytes <- 67108864"),
                apply(CgroupLimits.builder()
                        .memoryLowBytes(64 << 20)
                        .swapMaxBytes(256 << 20)
                        .memoryMaxBytes(1 << 30)
                        .oomGroup(false)));
        assertFiles(
                "memory/memory.limit_in_bytes",
                "1073741824",
                "memory/memory.memsw.limit_in_bytes",
                "1342177280",
                "memory/memory.soft_limit_in_bytes",
                "67108864");
    }

    private void refused(String field, String why, Consumer<CgroupLimits.Builder> set) {
        CgroupLimits.Builder b = CgroupLimits.builder()
                .memoryMaxBytes(1 << 30)
                .memoryLowBytes(4096)
                .pidsMax(9);
        set.accept(b);
        FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> apply(b));
        assertEquals("set " + field + " on cgroup v1 (" + why + ")", e.getMessage());
        assertEquals(List.of(), files.writes(), "refused before anything is written");
        assertFiles();
    }

    @Test
    void whatV1CannotExpressFailsBeforeAnyWrite() {
        refused("memoryMin", "v1 has no memory.min (hard protection)", b -> b.memoryMinBytes(4096));
        refused("memoryHigh", "v1 has no memory.high (throttling threshold)", b -> b.memoryHighBytes(1 << 20));
        refused("zswapMax", "v1 has no zswap limit", b -> b.zswapMaxBytes(0));
        refused("oomGroup", "v1 has no memory.oom.group; use killAll() on OOM", b -> b.oomGroup(true));
        refused(
                "swapMax",
                "v1 limits memory+swap together (memory.memsw.limit_in_bytes), so it needs memoryMax too",
                b -> b.memoryMaxBytes(U).swapMaxBytes(0));
    }

    @Test
    void cpuPeriodThenQuotaThenShares() throws Exception {
        assertEquals(
                List.of(
                        "cpu,cpuacct/cpu.cfs_period_us <- 100000",
                        "cpu,cpuacct/cpu.cfs_quota_us <- 50000",
                        "cpu,cpuacct/cpu.shares <- 5219"),
                apply(CgroupLimits.builder().cpuWeight(200).cpuMaxMicros(50_000, 100_000)));
        assertFiles(
                "cpu,cpuacct/cpu.cfs_period_us",
                "100000",
                "cpu,cpuacct/cpu.cfs_quota_us",
                "50000",
                "cpu,cpuacct/cpu.shares",
                "5219");
    }

    @Test
    void cpuset() throws Exception {
        assertEquals(
                List.of("cpuset/cpuset.cpus <- 0-2", "cpuset/cpuset.mems <- 0"),
                apply(CgroupLimits.builder().cpusetMems("0").cpusetCpus("2,1,0")));
        assertFiles("cpuset/cpuset.cpus", "0-2", "cpuset/cpuset.mems", "0");
    }

    @Test
    void ioThrottlesPerDeviceAndConvertsTheWeight() throws Exception {
        assertEquals(
                List.of(
                        "blkio/blkio.throttle.read_bps_device <- 8:0 1048576",
                        "blkio/blkio.throttle.write_iops_device <- 8:0 100",
                        "blkio/blkio.throttle.write_bps_device <- 7:0 2097152",
                        "blkio/blkio.throttle.read_iops_device <- 7:0 5",
                        "blkio/blkio.weight <- 39"),
                apply(CgroupLimits.builder()
                        .ioWeight(300)
                        .ioMax(8, 0, 1 << 20, U, U, 100)
                        .ioMax(7, 0, U, 2 << 20, 5, U)));
        assertFiles(
                "blkio/blkio.throttle.read_bps_device",
                "8:0 1048576",
                "blkio/blkio.throttle.write_iops_device",
                "8:0 100",
                "blkio/blkio.throttle.write_bps_device",
                "7:0 2097152",
                "blkio/blkio.throttle.read_iops_device",
                "7:0 5",
                "blkio/blkio.weight",
                "39");
    }

    @Test
    void ioWeightPrefersBfqAndSpans10To1000() throws Exception {
        TempLeafFiles.leaf(tmp.resolve("blkio"), "blkio.bfq.weight");
        apply(CgroupLimits.builder().ioWeight(1));
        apply(CgroupLimits.builder().ioWeight(10000));
        assertEquals(List.of("blkio/blkio.bfq.weight <- 10", "blkio/blkio.bfq.weight <- 1000"), files.writes());
    }

    @Test
    void pids() throws Exception {
        assertEquals(
                List.of("pids/pids.max <- 16"), apply(CgroupLimits.builder().pidsMax(16)));
        assertFiles("pids/pids.max", "16");
    }

    @Test
    void hugetlb() throws Exception {
        assertEquals(
                List.of(
                        "hugetlb/hugetlb.1GB.limit_in_bytes <- 1073741824",
                        "hugetlb/hugetlb.2MB.limit_in_bytes <- 4194304"),
                apply(CgroupLimits.builder().hugetlbMaxBytes("2MB", 4 << 20).hugetlbMaxBytes("1GB", 1 << 30)));
        assertFiles(
                "hugetlb/hugetlb.1GB.limit_in_bytes", "1073741824", "hugetlb/hugetlb.2MB.limit_in_bytes", "4194304");
    }

    @Test
    void aControllerWithoutHierarchyIsSkipped() throws Exception {
        dirs.remove(Controller.PIDS);
        assertEquals(
                List.of("cpuset/cpuset.mems <- 0"),
                apply(CgroupLimits.builder().pidsMax(3).cpusetMems("0")));
    }

    @Test
    void aMissingFileFailsNamingThePartOfTheKnob() throws Exception {
        TempLeafFiles.leaf(tmp.resolve("cpu"));
        dirs.put(Controller.CPU, tmp.resolve("cpu"));
        FeatureUnavailable e = assertThrows(
                FeatureUnavailable.class, () -> apply(CgroupLimits.builder().cpuMaxMicros(1000, 1000)));
        assertTrue(
                e.getMessage().startsWith("set cpuMax period (" + tmp.resolve("cpu/cpu.cfs_period_us") + ")"),
                e.getMessage());
        dirs.put(Controller.IO, tmp.resolve("cpu"));
        e = assertThrows(
                FeatureUnavailable.class, () -> apply(CgroupLimits.builder().ioMax(8, 16, U, 1, U, U)));
        assertTrue(e.getMessage().startsWith("set ioMax 8:16 ("), e.getMessage());
        // no swap accounting: memory.limit_in_bytes is written, memsw fails naming swapMax
        TempLeafFiles.leaf(tmp.resolve("memory-noswap"), "memory.limit_in_bytes");
        dirs.put(Controller.MEMORY, tmp.resolve("memory-noswap"));
        e = assertThrows(
                FeatureUnavailable.class,
                () -> apply(CgroupLimits.builder().memoryMaxBytes(8192).swapMaxBytes(0)));
        assertTrue(e.getMessage().startsWith("set swapMax ("), e.getMessage());
        assertEquals(List.of("memory-noswap/memory.limit_in_bytes <- 8192"), files.writes());
    }
}
