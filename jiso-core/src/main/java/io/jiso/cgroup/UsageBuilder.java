package io.jiso.cgroup;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects one {@link LeafUsage} from the drivers of a leaf. On a hybrid
 * host the v2 driver fills in what the v2 tree knows (CPU time) and the v1
 * driver the rest; a field nobody could fill stays unknown (-1).
 */
final class UsageBuilder {
    Duration cpuUser = LeafUsage.UNKNOWN_TIME;
    Duration cpuSystem = LeafUsage.UNKNOWN_TIME;
    Duration cpuTotal = LeafUsage.UNKNOWN_TIME;
    long memoryCurrent = LeafUsage.UNKNOWN;
    long memoryPeak = LeafUsage.UNKNOWN;
    long swapPeak = LeafUsage.UNKNOWN;
    long oomEvents = LeafUsage.UNKNOWN;
    long oomKills = LeafUsage.UNKNOWN;
    long pidsCurrent = LeafUsage.UNKNOWN;
    long pidsPeak = LeafUsage.UNKNOWN;
    final Map<String, LeafUsage.Io> io = new LinkedHashMap<>();
    Map<String, Long> memoryStat = Map.of();

    boolean hasCpu() {
        return !cpuTotal.isNegative();
    }

    LeafUsage build() {
        return new LeafUsage(
                cpuUser,
                cpuSystem,
                cpuTotal,
                memoryCurrent,
                memoryPeak,
                swapPeak,
                oomEvents,
                oomKills,
                pidsCurrent,
                pidsPeak,
                io,
                memoryStat);
    }

    static Duration micros(Long us) {
        return us == null ? LeafUsage.UNKNOWN_TIME : Duration.ofNanos(us * 1000);
    }

    static long orUnknown(Long v) {
        return v == null ? LeafUsage.UNKNOWN : v;
    }
}
