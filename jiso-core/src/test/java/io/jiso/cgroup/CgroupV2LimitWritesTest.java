package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the v2 driver writes for each controller, into a temporary directory
 * laid out like a leaf with every controller enabled: the exact files, values
 * and order. Needs no root and no cgroup tree; the kernel tests
 * (CgroupMemoryTest, CgroupCpuTest, CgroupIoTest...) check what the kernel
 * makes of the same writes.
 */
class CgroupV2LimitWritesTest {
    private static final long U = CgroupLimits.UNLIMITED;
    private static final Set<String> ENABLED = Set.of("memory", "cpu", "cpuset", "io", "pids", "hugetlb");
    /** The files of a leaf on Linux 6.x with those controllers (only those jiso writes, plus some it must not touch). */
    private static final String[] LEAF = {
        "cgroup.procs",
        "cgroup.freeze",
        "memory.current",
        "memory.min",
        "memory.low",
        "memory.high",
        "memory.max",
        "memory.swap.max",
        "memory.zswap.max",
        "memory.oom.group",
        "cpu.max",
        "cpu.weight",
        "cpuset.cpus",
        "cpuset.mems",
        "io.max",
        "io.weight",
        "pids.max",
        "hugetlb.2MB.max",
        "hugetlb.1GB.max"
    };

    @TempDir
    Path tmp;

    private TempLeafFiles files;

    @BeforeEach
    void files() {
        files = new TempLeafFiles(tmp);
    }

    private Path leaf(String... files) {
        return TempLeafFiles.leaf(tmp.resolve("leaf"), files);
    }

    private List<String> apply(CgroupLimits.Builder limits) throws SetupFailure {
        return apply(limits, leaf(LEAF), ENABLED);
    }

    private List<String> apply(CgroupLimits.Builder limits, Path leaf, Set<String> enabled) throws SetupFailure {
        CgroupV2.apply(limits.build(), leaf, enabled, files);
        return files.writes();
    }

    /** Every file of the leaf: the written ones hold their last value, the others stay empty. */
    private void assertFiles(String... written) {
        Map<String, String> want = new LinkedHashMap<>();
        for (String f : LEAF) {
            want.put("leaf/" + f, "");
        }
        for (int i = 0; i < written.length; i += 2) {
            want.put("leaf/" + written[i], written[i + 1]);
        }
        assertEquals(new TreeMap<>(want), files.files());
    }

    @Test
    void memoryWritesProtectionsThenLimits() throws Exception {
        assertEquals(
                List.of(
                        "leaf/memory.min <- 33554432",
                        "leaf/memory.low <- 67108864",
                        "leaf/memory.high <- 536870912",
                        "leaf/memory.max <- 1073741824",
                        "leaf/memory.swap.max <- 0",
                        "leaf/memory.zswap.max <- 16777216",
                        "leaf/memory.oom.group <- 1"),
                apply(CgroupLimits.builder()
                        .memoryMaxBytes(1 << 30)
                        .memoryHighBytes(512 << 20)
                        .memoryLowBytes(64 << 20)
                        .memoryMinBytes(32 << 20)
                        .swapMaxBytes(0)
                        .zswapMaxBytes(16 << 20)
                        .oomGroup(true)));
        assertFiles(
                "memory.min",
                "33554432",
                "memory.low",
                "67108864",
                "memory.high",
                "536870912",
                "memory.max",
                "1073741824",
                "memory.swap.max",
                "0",
                "memory.zswap.max",
                "16777216",
                "memory.oom.group",
                "1");
    }

    @Test
    void oomGroupFalseIsWrittenAndUnlimitedIsNotWritten() throws Exception {
        assertEquals(
                List.of("leaf/memory.oom.group <- 0"),
                apply(CgroupLimits.builder()
                        .memoryMaxBytes(1 << 20)
                        .memoryMaxBytes(U)
                        .swapMaxBytes(U)
                        .oomGroup(false)));
        assertFiles("memory.oom.group", "0");
    }

    @Test
    void cpu() throws Exception {
        assertEquals(
                List.of("leaf/cpu.max <- 50000 100000", "leaf/cpu.weight <- 200"),
                apply(CgroupLimits.builder().cpuMaxMicros(50_000, 100_000).cpuWeight(200)));
        assertFiles("cpu.max", "50000 100000", "cpu.weight", "200");
    }

    @Test
    void cpusetListsAreWrittenCanonical() throws Exception {
        assertEquals(
                List.of("leaf/cpuset.cpus <- 0-1,3", "leaf/cpuset.mems <- 0"),
                apply(CgroupLimits.builder().cpusetCpus("3, 1,0").cpusetMems("0")));
        assertFiles("cpuset.cpus", "0-1,3", "cpuset.mems", "0");
    }

    @Test
    void ioWritesOneLinePerDeviceThenTheIocostWeight() throws Exception {
        assertEquals(
                List.of(
                        "leaf/io.max <- 8:0 rbps=1048576 wbps=max riops=max wiops=100",
                        "leaf/io.max <- 7:0 rbps=max wbps=2097152 riops=max wiops=max",
                        "leaf/io.weight <- default 300"),
                apply(CgroupLimits.builder()
                        .ioMax(8, 0, 1 << 20, U, U, 100)
                        .ioMax(7, 0, U, 2 << 20, U, U)
                        .ioWeight(300)));
        assertFiles("io.max", "7:0 rbps=max wbps=2097152 riops=max wiops=max", "io.weight", "default 300");
    }

    @Test
    void ioWeightFallsBackToBfqCappedAt1000() throws Exception {
        Path leaf = leaf("io.max", "io.bfq.weight");
        assertEquals(
                List.of("leaf/io.bfq.weight <- 1000"),
                apply(CgroupLimits.builder().ioWeight(5000), leaf, ENABLED));
        assertEquals(
                List.of("leaf/io.bfq.weight <- 1000", "leaf/io.bfq.weight <- 300"),
                apply(CgroupLimits.builder().ioWeight(300), leaf, ENABLED));
    }

    @Test
    void pids() throws Exception {
        assertEquals(
                List.of("leaf/pids.max <- 16"), apply(CgroupLimits.builder().pidsMax(16)));
        assertFiles("pids.max", "16");
    }

    @Test
    void hugetlbOnePerPageSizeInNameOrder() throws Exception {
        assertEquals(
                List.of("leaf/hugetlb.1GB.max <- 1073741824", "leaf/hugetlb.2MB.max <- 4194304"),
                apply(CgroupLimits.builder().hugetlbMaxBytes("2MB", 4 << 20).hugetlbMaxBytes("1GB", 1 << 30)));
        assertFiles("hugetlb.1GB.max", "1073741824", "hugetlb.2MB.max", "4194304");
    }

    @Test
    void controllersInOrderMemoryCpuCpusetIoPidsHugetlb() throws Exception {
        List<String> w = apply(CgroupLimits.builder()
                .hugetlbMaxBytes("2MB", 2 << 20)
                .pidsMax(3)
                .ioWeight(50)
                .cpusetMems("0")
                .cpuWeight(7)
                .memoryMaxBytes(8192));
        assertEquals(
                List.of(
                        "leaf/memory.max <- 8192",
                        "leaf/cpu.weight <- 7",
                        "leaf/cpuset.mems <- 0",
                        "leaf/io.weight <- default 50",
                        "leaf/pids.max <- 3",
                        "leaf/hugetlb.2MB.max <- 2097152"),
                w);
    }

    @Test
    void onlyTheEnabledControllersAreWritten() throws Exception {
        assertEquals(
                List.of("leaf/pids.max <- 5"),
                apply(
                        CgroupLimits.builder()
                                .memoryMaxBytes(1 << 20)
                                .cpuWeight(5)
                                .pidsMax(5),
                        leaf(LEAF),
                        Set.of("pids")));
    }

    @Test
    void noLimitsWriteNothing() throws Exception {
        CgroupV2.apply(CgroupLimits.none(), leaf(LEAF), ENABLED, files);
        assertEquals(List.of(), files.writes());
        assertFiles();
    }

    @Test
    void aMissingFileFailsNamingTheKnob() {
        Path leaf = leaf("memory.max", "hugetlb.2MB.max");
        FeatureUnavailable e = assertThrows(
                FeatureUnavailable.class,
                () -> apply(CgroupLimits.builder().memoryMaxBytes(1 << 20).zswapMaxBytes(0), leaf, ENABLED));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(
                e.getMessage().startsWith("set zswapMax (" + leaf.resolve("memory.zswap.max") + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("memory.zswap.max does not exist"), e.getMessage());
        e = assertThrows(
                FeatureUnavailable.class,
                () -> apply(CgroupLimits.builder().hugetlbMaxBytes("1GB", 1 << 30), leaf, ENABLED));
        assertTrue(e.getMessage().startsWith("set hugetlbMax 1GB ("), e.getMessage());
        e = assertThrows(
                FeatureUnavailable.class, () -> apply(CgroupLimits.builder().ioMax(8, 0, 1, U, U, U), leaf, ENABLED));
        assertTrue(e.getMessage().startsWith("set ioMax ("), e.getMessage());
        e = assertThrows(
                FeatureUnavailable.class, () -> apply(CgroupLimits.builder().ioWeight(5), leaf, ENABLED));
        assertTrue(e.getMessage().startsWith("set ioWeight (" + leaf.resolve("io.bfq.weight")), e.getMessage());
    }
}
