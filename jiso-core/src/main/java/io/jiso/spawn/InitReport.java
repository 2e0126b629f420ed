package io.jiso.spawn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What jiso-init reports besides the main process's wait status (struct
 * report in init_limits.h): whether it killed the sandbox for a limit, the
 * wall time from its start (just after the main program's execve) to the
 * main process's end, and the bytes of output it relayed (-1: none relayed).
 */
public record InitReport(int killedFor, long wallNanos, long outputBytes) {
    public static final int KILLED_NONE = 0;
    public static final int KILLED_CPU = 1;
    public static final int KILLED_WALL = 2;
    public static final int KILLED_OUTPUT = 3;

    /** The size of struct report: status, killed_for (32 bits each), wall_ns, output_bytes (64 bits each). */
    static final int SIZE = 24;

    static InitReport read(MemorySegment report) {
        return new InitReport(
                report.get(ValueLayout.JAVA_INT, 4),
                report.get(ValueLayout.JAVA_LONG, 8),
                report.get(ValueLayout.JAVA_LONG, 16));
    }
}
