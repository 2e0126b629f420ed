package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Bad inputs fail at the setter, and every message names the field and the rule. */
class CgroupLimitsTest {
    /** The knobs whose rules were tested: every knob that has an invalid value must be among them. */
    private final Set<String> tested = new HashSet<>();

    private void rejects(String field, String rule, Consumer<CgroupLimits.Builder> set) {
        tested.add(field.split(" ")[0]);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> set.accept(CgroupLimits.builder()));
        assertTrue(e.getMessage().startsWith(field), "message names " + field + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(rule), "message states the rule '" + rule + "': " + e.getMessage());
    }

    @Test
    void everyValidationErrorNamesTheField() {
        rejects("memoryMax", ">= 4096 bytes, was 12", b -> b.memoryMaxBytes(12));
        rejects("memoryHigh", ">= 4096 bytes", b -> b.memoryHighBytes(0));
        rejects("memoryLow", ">= 0 bytes, was -1", b -> b.memoryLowBytes(-1));
        rejects("memoryMin", ">= 0 bytes", b -> b.memoryMinBytes(-5));
        rejects("swapMax", ">= 0 bytes", b -> b.swapMaxBytes(-2));
        rejects("zswapMax", ">= 0 bytes", b -> b.zswapMaxBytes(-2));
        rejects("cpuMax period", "1000..1000000 microseconds, was 999", b -> b.cpuMaxMicros(5000, 999));
        rejects("cpuMax period", "was 2000000", b -> b.cpuMaxMicros(5000, 2_000_000));
        rejects("cpuMax quota", ">= 1000 microseconds, was 10", b -> b.cpuMaxMicros(10, 100_000));
        rejects("cpuWeight", "1..10000, was 0", b -> b.cpuWeight(0));
        rejects("cpuWeight", "was 10001", b -> b.cpuWeight(10001));
        rejects("cpusetCpus", "like \"0-1,3\", was \"a\"", b -> b.cpusetCpus("a"));
        rejects("cpusetCpus", "descending range 3-1", b -> b.cpusetCpus("3-1"));
        rejects("cpusetCpus", "was \"\"", b -> b.cpusetCpus(""));
        rejects("cpusetCpus", "< 8192", b -> b.cpusetCpus("0-99999"));
        rejects("cpusetMems", "like \"0-1,3\"", b -> b.cpusetMems("0,,1"));
        rejects("ioMax major", "0..4095, was -1", b -> b.ioMax(-1, 0, 1, 1, 1, 1));
        rejects("ioMax minor", "was -3", b -> b.ioMax(8, -3, 1, 1, 1, 1));
        rejects("ioMax readBytesPerSecond", "positive or UNLIMITED (-1), was 0", b -> b.ioMax(8, 0, 0, 1, 1, 1));
        rejects("ioMax writeBytesPerSecond", "was -7", b -> b.ioMax(8, 0, 1, -7, 1, 1));
        rejects("ioMax readOpsPerSecond", "was 0", b -> b.ioMax(8, 0, 1, 1, 0, 1));
        rejects("ioMax writeOpsPerSecond", "was 0", b -> b.ioMax(8, 0, 1, 1, 1, 0));
        long u = CgroupLimits.UNLIMITED;
        rejects("ioMax for 8:0", "at least one rate", b -> b.ioMax(8, 0, u, u, u, u));
        rejects("ioWeight", "1..10000, was 0", b -> b.ioWeight(0));
        rejects("pidsMax", ">= 1, was 0", b -> b.pidsMax(0));
        rejects("hugetlbMax page size", "\"2MB\" or \"1GB\", was \"2M\"", b -> b.hugetlbMaxBytes("2M", 0));
        rejects("hugetlbMax 2MB", "multiple of 2097152 bytes, was 1000", b -> b.hugetlbMaxBytes("2MB", 1000));
        rejects("hugetlbMax 2MB", ">= 0 bytes", b -> b.hugetlbMaxBytes("2MB", -2097152));
        rejects(
                "memoryHigh",
                "<= memoryMax (8192 bytes), was 16384",
                b -> b.memoryMaxBytes(8192).memoryHighBytes(16384).build());
        rejects(
                "memoryLow",
                "<= memoryMax",
                b -> b.memoryMaxBytes(8192).memoryLowBytes(16384).build());
        rejects(
                "memoryMin",
                "<= memoryMax",
                b -> b.memoryMaxBytes(8192).memoryMinBytes(16384).build());
        rejects(
                "memoryMin",
                "<= memoryLow",
                b -> b.memoryLowBytes(4096).memoryMinBytes(8192).build());
        for (String unlimited : List.of("memoryMax", "memoryHigh", "swapMax", "zswapMax", "pidsMax")) {
            Knob<?> k = Knobs.ALL.stream()
                    .filter(x -> x.name.equals(unlimited))
                    .findFirst()
                    .orElseThrow();
            assertTrue(k.unlimited, unlimited);
            rejects(
                    unlimited,
                    ": Long.MAX_VALUE is not a limit; use UNLIMITED for no limit",
                    b -> set(b, k, Long.MAX_VALUE));
        }
        Set<String> withRules = new HashSet<>();
        Knobs.ALL.stream().filter(k -> k != MemoryKnobs.OOM_GROUP).forEach(k -> withRules.add(k.name));
        assertEquals(withRules, tested, "every knob's rule is tested (oomGroup takes any boolean)");
    }

    /** Calls the knob's setter of CgroupLimits.Builder with one long. */
    private static void set(CgroupLimits.Builder b, Knob<?> k, long value) {
        try {
            CgroupLimits.Builder.class.getMethod(k.limitsSetter, long.class).invoke(b, value);
        } catch (InvocationTargetException e) {
            throw (RuntimeException) e.getCause();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void unlimitedClearsAKnobThatTakesIt() {
        long u = CgroupLimits.UNLIMITED;
        CgroupLimits l = CgroupLimits.builder()
                .memoryMaxBytes(8192)
                .memoryHighBytes(8192)
                .swapMaxBytes(0)
                .zswapMaxBytes(0)
                .pidsMax(4)
                .memoryMaxBytes(u)
                .memoryHighBytes(u)
                .swapMaxBytes(u)
                .zswapMaxBytes(u)
                .pidsMax(u)
                .build();
        assertTrue(l.isNone(), l.toString());
        assertEquals("CgroupLimits[]", l.toString());
    }

    @Test
    void listsAreCanonicalAndValuesKept() {
        CgroupLimits l = CgroupLimits.builder()
                .cpusetCpus(" 3,0-1, 2 ")
                .cpusetMems("0")
                .memoryMaxBytes(1 << 20)
                .cpuMaxMicros(50_000, 100_000)
                .ioMax(7, 0, 1 << 20, CgroupLimits.UNLIMITED, CgroupLimits.UNLIMITED, 100)
                .ioMax(7, 0, 2 << 20, CgroupLimits.UNLIMITED, CgroupLimits.UNLIMITED, CgroupLimits.UNLIMITED)
                .hugetlbMaxBytes("2MB", 4 << 20)
                .pidsMax(16)
                .build();
        assertEquals("0-3", l.cpusetCpus().orElseThrow());
        assertEquals("0", l.cpusetMems().orElseThrow());
        assertEquals(1 << 20, l.memoryMaxBytes().getAsLong());
        assertEquals(50_000, l.cpuQuotaMicros().getAsLong());
        assertEquals(100_000, l.cpuPeriodMicros().getAsLong());
        assertEquals(1, l.ioMax().size(), "a second ioMax for the same device replaces the first");
        assertEquals(2 << 20, l.ioMax().get("7:0").readBytesPerSecond());
        assertEquals(Map.of("2MB", 4L << 20), l.hugetlbMaxBytes());
        assertEquals("0,2,4-6", CpusetKnobs.canonicalList("x", "6,5,4,2,0"));
        assertTrue(CgroupLimits.none().controllers().isEmpty());
        assertEquals(
                EnumSet.of(
                        Controller.MEMORY,
                        Controller.CPU,
                        Controller.CPUSET,
                        Controller.IO,
                        Controller.PIDS,
                        Controller.HUGETLB),
                l.controllers());
        assertTrue(l.toString().contains("pidsMax=16"), l.toString());
    }
}
