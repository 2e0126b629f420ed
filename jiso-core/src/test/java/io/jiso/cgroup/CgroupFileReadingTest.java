package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the files of a leaf are read into numbers: the kernel's formats
 * (cpu.stat, memory.events, io.stat, PSI, single values with "max"), written
 * as the kernel writes them into a temporary directory, and a reading with
 * nothing known.
 */
class CgroupFileReadingTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void keyValueFilesKeepTheirOrderAndSkipWhatIsNotACounter() {
        Map<String, Long> m = CgroupFs.keyValues("""
                usage_usec 1500
                user_usec 1000
                system_usec 500
                nr_periods 0
                max max
                weird
                """);
        assertEquals(List.of("usage_usec", "user_usec", "system_usec", "nr_periods"), List.copyOf(m.keySet()));
        assertEquals(1500, m.get("usage_usec"));
        assertEquals(Map.of(), CgroupFs.keyValues(null), "a file that does not exist");
        assertEquals(
                Long.MAX_VALUE - 1,
                CgroupFs.keyValues("anon " + (Long.MAX_VALUE - 1) + "\n").get("anon"));
    }

    @Test
    void fieldLinesAreKeyedByTheirFirstWord() {
        Map<String, Map<String, String>> io = CgroupFs.fieldLines("""
                8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0
                259:0 rbytes=1 wbytes=0 rios=1 wios=0
                """);
        assertEquals(List.of("8:0", "259:0"), List.copyOf(io.keySet()));
        assertEquals("8192", io.get("8:0").get("wbytes"));
        assertEquals("1", io.get("259:0").get("rios"));
        assertEquals(Map.of(), CgroupFs.fieldLines(null));
        assertEquals(Map.of(), CgroupFs.fieldLines("lonely\n\n"), "a line without fields is none");
    }

    @Test
    void aSingleValueIsANumberMaxOrUnknown() throws Exception {
        assertEquals(123456, CgroupFs.readLong(file("memory.current", "123456\n")));
        assertEquals(Long.MAX_VALUE, CgroupFs.readLong(file("pids.max", "max\n")));
        assertEquals(LeafUsage.UNKNOWN, CgroupFs.readLong(dir.resolve("memory.peak")), "an older kernel");
    }

    @Test
    void pressureIsPercentagesAndMicrosecondTotals() throws Exception {
        Path psi = file("memory.pressure", """
                some avg10=1.50 avg60=0.25 avg300=0.00 total=123456
                full avg10=0.10 avg60=0.00 avg300=0.00 total=789
                """);
        LeafUsage.Pressure p = CgroupFs.pressure(psi);
        assertEquals(1.50, p.someAvg10());
        assertEquals(0.25, p.someAvg60());
        assertEquals(Duration.ofNanos(123_456_000), p.someTotal());
        assertEquals(0.10, p.fullAvg10());
        assertEquals(Duration.ofNanos(789_000), p.fullTotal());
        LeafUsage.Pressure cpuOnly =
                CgroupFs.pressure(file("cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=10\n"));
        assertEquals(Duration.ZERO, cpuOnly.fullTotal(), "older kernels have no full line for cpu");
        assertNull(CgroupFs.pressure(dir.resolve("io.pressure")), "no PSI on this kernel");
    }

    @Test
    void pidsAreOnePerLine() throws Exception {
        assertEquals(List.of(1, 42, 4194304), CgroupFs.pids(file("cgroup.procs", "1\n42\n4194304\n")));
        assertEquals(List.of(), CgroupFs.pids(file("tasks", "")));
        assertEquals(List.of(), CgroupFs.pids(dir.resolve("gone/cgroup.procs")), "a leaf already removed");
    }

    @Test
    void aReadingNobodyFilledIsUnknownEverywhere() {
        UsageBuilder u = new UsageBuilder();
        assertTrue(!u.hasCpu());
        LeafUsage r = u.build();
        assertEquals(LeafUsage.UNKNOWN_TIME, r.cpuTotal());
        assertEquals(LeafUsage.UNKNOWN, r.memoryPeakBytes());
        assertEquals(LeafUsage.UNKNOWN, r.pidsPeak());
        assertEquals(Map.of(), r.io());
        u.cpuTotal = UsageBuilder.micros(2500L);
        assertTrue(u.hasCpu(), "the v1 driver then leaves CPU to the v2 one");
        assertEquals(Duration.ofNanos(2_500_000), u.cpuTotal);
        assertEquals(LeafUsage.UNKNOWN_TIME, UsageBuilder.micros(null));
        assertEquals(LeafUsage.UNKNOWN, UsageBuilder.orUnknown(null));
        assertEquals(0, UsageBuilder.orUnknown(0L), "zero OOM kills is known");
    }
}
