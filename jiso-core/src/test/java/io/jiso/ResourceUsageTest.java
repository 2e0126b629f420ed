package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reading of a leaf's usage as a value: immutable, and printed in units people read, unknowns said so. */
class ResourceUsageTest {
    private static final Duration NONE = ResourceUsage.UNKNOWN_TIME;

    private static ResourceUsage usage(Map<String, ResourceUsage.Io> io, Map<String, Long> stat) {
        return new ResourceUsage(
                Duration.ofMillis(1200),
                Duration.ofMillis(300),
                Duration.ofNanos(1_512_345_678),
                512,
                3L << 20,
                ResourceUsage.UNKNOWN,
                0,
                1,
                4,
                12,
                io,
                stat);
    }

    @Test
    void itPrintsTimesInMillisecondsAndSizesInBinaryUnits() {
        String s = usage(Map.of(), Map.of()).toString();
        assertTrue(
                s.startsWith("ResourceUsage[cpu 1512.3 ms (user 1200.0 ms, system 300.0 ms), memory 512 B (peak"
                        + " 3.0 MiB), swap peak unknown, OOM events 0, OOM kills 1, pids 4 (peak 12)"),
                s);
        String big = new ResourceUsage(NONE, NONE, NONE, 1536, 5L << 30, 1023, -1, -1, -1, -1, Map.of(), Map.of())
                .toString();
        assertTrue(big.contains("cpu unknown (user unknown, system unknown)"), big);
        assertTrue(big.contains("memory 1.5 KiB (peak 5.00 GiB), swap peak 1023 B"), big);
        assertTrue(big.contains("OOM events unknown, OOM kills unknown, pids unknown (peak unknown)"), big);
    }

    @Test
    void devicesAreSortedAndMemoryStatKeepsTheKernelsOrder() {
        Map<String, ResourceUsage.Io> io = new LinkedHashMap<>();
        io.put("8:0", new ResourceUsage.Io(0, 2048, 0, 2));
        io.put("259:0", new ResourceUsage.Io(4096, 0, 1, 0));
        Map<String, Long> stat = new LinkedHashMap<>();
        stat.put("anon", 1L);
        stat.put("file", 2L);
        stat.put("kernel", 3L);
        ResourceUsage u = usage(io, stat);
        assertEquals(List.of("259:0", "8:0"), List.copyOf(u.io().keySet()), "sorted as strings, the same every run");
        assertEquals(
                List.of("anon", "file", "kernel"), List.copyOf(u.memoryStat().keySet()));
        assertTrue(
                u.toString()
                        .endsWith(", io {259:0 read 4.0 KiB in 1 ops, write 0 B in 0 ops; 8:0 read 0 B in 0"
                                + " ops, write 2.0 KiB in 2 ops}, memory.stat 3 keys]"),
                u.toString());
    }

    @Test
    void aReadingCannotChangeAfterward() {
        Map<String, Long> stat = new LinkedHashMap<>(Map.of("anon", 1L));
        ResourceUsage u = usage(Map.of(), stat);
        stat.put("file", 2L);
        assertEquals(1, u.memoryStat().size(), "a copy, not a view of the caller's map");
        assertThrows(UnsupportedOperationException.class, () -> u.memoryStat().put("x", 1L));
        assertThrows(UnsupportedOperationException.class, () -> u.io().clear());
    }

    @Test
    void missingPartsAreRefusedByName() {
        NullPointerException e = assertThrows(
                NullPointerException.class,
                () -> new ResourceUsage(null, NONE, NONE, 0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of()));
        assertEquals("cpuUser", e.getMessage());
        assertEquals(
                "io",
                assertThrows(
                                NullPointerException.class,
                                () -> new ResourceUsage(NONE, NONE, NONE, 0, 0, 0, 0, 0, 0, 0, null, Map.of()))
                        .getMessage());
        assertEquals(
                "someTotal",
                assertThrows(
                                NullPointerException.class,
                                () -> new ResourceUsage.Pressure(0, 0, 0, null, 0, 0, 0, Duration.ZERO))
                        .getMessage());
    }
}
