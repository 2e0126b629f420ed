package io.jiso;

import io.jiso.cgroup.LeafUsage;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What an isolated process and everything it started used, read from its
 * cgroup. One immutable reading: take another for newer numbers. After the
 * process group is gone it is the last reading, taken just before the cgroup
 * was removed.
 *
 * <p>A number the host cannot give is {@link #UNKNOWN} (-1), a time
 * {@link #UNKNOWN_TIME} (-1 ns), never a guess. Known gaps: on cgroup v1
 * {@code swapPeakBytes} and {@code oomEvents} are unknown (v1 has no swap-only
 * peak and counts OOM kills but not OOM events); {@code memoryPeakBytes} needs
 * memory.peak (Linux 5.19) on v2, {@code swapPeakBytes} memory.swap.peak
 * (6.5), {@code pidsPeak} pids.peak (6.13 on v2; present on some v1 kernels).
 * On v1 memory numbers are the kernel's batched counters (usage_in_bytes), off
 * by up to a few hundred KiB per CPU.
 *
 * @param cpuUser         CPU time in user mode
 * @param cpuSystem       CPU time in the kernel
 * @param cpuTotal        all CPU time (at least user + system: includes time
 *                        the kernel could not attribute to either)
 * @param memoryCurrentBytes memory charged now (anonymous, page cache, kernel)
 * @param memoryPeakBytes the highest memoryCurrentBytes since the cgroup was created
 * @param swapPeakBytes   the highest swap use
 * @param oomEvents       how often the memory limit was hit and the OOM killer ran
 * @param oomKills        processes in the cgroup killed by an OOM killer (cgroup or global)
 * @param pidsCurrent     tasks (threads count) in the cgroup now
 * @param pidsPeak        the highest pidsCurrent
 * @param io              block I/O per device, keyed "major:minor"
 * @param memoryStat      the raw memory.stat of the cgroup, in the kernel's order
 */
public record ResourceUsage(
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
    public static final long UNKNOWN = LeafUsage.UNKNOWN;
    /** A time the host cannot report. */
    public static final Duration UNKNOWN_TIME = LeafUsage.UNKNOWN_TIME;

    /** Block I/O on one device, as io.stat (v2) or blkio.throttle.* (v1) counts it. */
    public record Io(long readBytes, long writeBytes, long readOps, long writeOps) {}

    /**
     * Pressure stall information for one resource: the share of wall time
     * in which some (or all, "full") tasks of the cgroup waited for it,
     * averaged over 10, 60 and 300 s, in percent, and the total stall time.
     */
    public record Pressure(
            double someAvg10,
            double someAvg60,
            double someAvg300,
            Duration someTotal,
            double fullAvg10,
            double fullAvg60,
            double fullAvg300,
            Duration fullTotal) {
        public Pressure {
            Objects.requireNonNull(someTotal, "someTotal");
            Objects.requireNonNull(fullTotal, "fullTotal");
        }

        /** The leaf's reading of a resource's pressure. */
        static Pressure of(LeafUsage.Pressure p) {
            return new Pressure(
                    p.someAvg10(),
                    p.someAvg60(),
                    p.someAvg300(),
                    p.someTotal(),
                    p.fullAvg10(),
                    p.fullAvg60(),
                    p.fullAvg300(),
                    p.fullTotal());
        }
    }

    /** The leaf's reading, field by field. */
    static ResourceUsage of(LeafUsage u) {
        Map<String, Io> io = new TreeMap<>();
        u.io().forEach((device, i) -> io.put(device, new Io(i.readBytes(), i.writeBytes(), i.readOps(), i.writeOps())));
        return new ResourceUsage(
                u.cpuUser(),
                u.cpuSystem(),
                u.cpuTotal(),
                u.memoryCurrentBytes(),
                u.memoryPeakBytes(),
                u.swapPeakBytes(),
                u.oomEvents(),
                u.oomKills(),
                u.pidsCurrent(),
                u.pidsPeak(),
                io,
                u.memoryStat());
    }

    public ResourceUsage {
        Objects.requireNonNull(cpuUser, "cpuUser");
        Objects.requireNonNull(cpuSystem, "cpuSystem");
        Objects.requireNonNull(cpuTotal, "cpuTotal");
        io = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(io, "io")));
        memoryStat = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(memoryStat, "memoryStat")));
    }

    @Override
    public String toString() {
        String ios = io.entrySet().stream()
                .map(e -> e.getKey() + " read " + bytes(e.getValue().readBytes()) + " in "
                        + e.getValue().readOps() + " ops, write "
                        + bytes(e.getValue().writeBytes()) + " in "
                        + e.getValue().writeOps() + " ops")
                .collect(Collectors.joining("; ", "{", "}"));
        return "ResourceUsage[cpu " + time(cpuTotal) + " (user " + time(cpuUser) + ", system " + time(cpuSystem)
                + "), memory " + bytes(memoryCurrentBytes) + " (peak " + bytes(memoryPeakBytes)
                + "), swap peak " + bytes(swapPeakBytes)
                + ", OOM events " + count(oomEvents) + ", OOM kills " + count(oomKills)
                + ", pids " + count(pidsCurrent) + " (peak " + count(pidsPeak) + ")"
                + ", io " + ios + ", memory.stat " + memoryStat.size() + " keys]";
    }

    private static String count(long n) {
        return n < 0 ? "unknown" : Long.toString(n);
    }

    private static String time(Duration d) {
        return d.isNegative() ? "unknown" : String.format("%.1f ms", d.toNanos() / 1e6);
    }

    private static String bytes(long n) {
        if (n < 0) {
            return "unknown";
        }
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format("%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format("%.2f GiB", n / (1024.0 * 1024 * 1024));
    }
}
