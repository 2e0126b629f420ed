package io.jiso.cgroup;

import io.jiso.ResourceUsage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects one {@link ResourceUsage} from the drivers of a leaf. On a hybrid
 * host the v2 driver fills in what the v2 tree knows (CPU time) and the v1
 * driver the rest; a field nobody could fill stays unknown (-1).
 */
final class UsageBuilder {
    Duration cpuUser = ResourceUsage.UNKNOWN_TIME;
    Duration cpuSystem = ResourceUsage.UNKNOWN_TIME;
    Duration cpuTotal = ResourceUsage.UNKNOWN_TIME;
    long memoryCurrent = ResourceUsage.UNKNOWN;
    long memoryPeak = ResourceUsage.UNKNOWN;
    long swapPeak = ResourceUsage.UNKNOWN;
    long oomEvents = ResourceUsage.UNKNOWN;
    long oomKills = ResourceUsage.UNKNOWN;
    long pidsCurrent = ResourceUsage.UNKNOWN;
    long pidsPeak = ResourceUsage.UNKNOWN;
    final Map<String, ResourceUsage.Io> io = new LinkedHashMap<>();
    Map<String, Long> memoryStat = Map.of();

    boolean hasCpu() {
        return !cpuTotal.isNegative();
    }

    ResourceUsage build() {
        return new ResourceUsage(cpuUser, cpuSystem, cpuTotal, memoryCurrent, memoryPeak, swapPeak,
                oomEvents, oomKills, pidsCurrent, pidsPeak, io, memoryStat);
    }

    static Duration micros(Long us) {
        return us == null ? ResourceUsage.UNKNOWN_TIME : Duration.ofNanos(us * 1000);
    }

    static long orUnknown(Long v) {
        return v == null ? ResourceUsage.UNKNOWN : v;
    }
}
