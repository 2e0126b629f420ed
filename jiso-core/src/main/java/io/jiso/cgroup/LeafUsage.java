package io.jiso.cgroup;

import java.time.Duration;
import java.util.Map;

/**
 * One reading of what a leaf's processes used, as the drivers read it; a
 * number the host cannot give is {@link #UNKNOWN}, a time
 * {@link #UNKNOWN_TIME}. The public {@code io.jiso.ResourceUsage} is made
 * from it, field by field (see there what each means).
 */
public record LeafUsage(
        Duration cpuUser,
        Duration cpuSystem,
        Duration cpuTotal,
        long memoryCurrentBytes,
        long memoryPeakBytes,
        long swapPeakBytes,
        long oomEvents,
        long oomKills,
        long pidsCurrent,
        long pidsPeak,
        Map<String, Io> io,
        Map<String, Long> memoryStat) {

    /** A count or size the host cannot report. */
    public static final long UNKNOWN = -1;
    /** A time the host cannot report. */
    public static final Duration UNKNOWN_TIME = Duration.ofNanos(-1);

    /** Block I/O on one device, keyed "major:minor" in {@link #io}. */
    public record Io(long readBytes, long writeBytes, long readOps, long writeOps) {}

    /** Pressure stall information for one resource, as its *.pressure file has it. */
    public record Pressure(
            double someAvg10,
            double someAvg60,
            double someAvg300,
            Duration someTotal,
            double fullAvg10,
            double fullAvg60,
            double fullAvg300,
            Duration fullTotal) {}
}
