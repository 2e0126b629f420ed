package io.jiso.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * jiso-init's report as the JVM decodes it from the bytes init writes
 * (struct report of init_limits.h: status and killed_for, 32 bits each, then
 * wall_ns and output_bytes, 64 bits each, in the host's byte order).
 */
class InitReportTest {
    private static InitReport decode(int status, int killedFor, long wallNanos, long outputBytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(InitReport.SIZE, 8);
            bytes.set(ValueLayout.JAVA_INT, 0, status);
            bytes.set(ValueLayout.JAVA_INT, 4, killedFor);
            bytes.set(ValueLayout.JAVA_LONG, 8, wallNanos);
            bytes.set(ValueLayout.JAVA_LONG, 16, outputBytes);
            return InitReport.read(bytes);
        }
    }

    @Test
    void theFieldsAfterTheStatusAreReadInOrder() {
        assertEquals(
                new InitReport(InitReport.KILLED_WALL, 3_000_123_456L, 42),
                decode(0x0900, InitReport.KILLED_WALL, 3_000_123_456L, 42));
        assertEquals(
                new InitReport(InitReport.KILLED_OUTPUT, 1, 64L << 30),
                decode(9, InitReport.KILLED_OUTPUT, 1, 64L << 30),
                "a count above 4 GiB keeps its high bits");
    }

    @Test
    void noRelayIsMinusOneAndNoKillIsZero() {
        InitReport r = decode(0, InitReport.KILLED_NONE, 5_000, -1);
        assertEquals(InitReport.KILLED_NONE, r.killedFor());
        assertEquals(-1, r.outputBytes());
        assertEquals(5_000, r.wallNanos());
    }

    @Test
    void theStatusWordIsNotTakenForAnyField() {
        InitReport r = decode(-1, InitReport.KILLED_CPU, 0, 0);
        assertEquals(new InitReport(InitReport.KILLED_CPU, 0, 0), r);
    }
}
