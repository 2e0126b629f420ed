package io.jiso.limits;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The limits of a judged run, frozen by the builder: every resource limit of
 * the main process (the defaults filled in), and the sandbox-wide CPU time,
 * wall time and output limits (null or -1: none).
 *
 * @param rlimits     soft and hard value of every {@link RlimitResource}
 * @param cpuTime     CPU time of every process of the sandbox together, or null
 * @param wallTime    time from the main program's start, or null
 * @param outputBytes bytes written to stdout and stderr together, or -1
 */
public record RunLimits(Map<RlimitResource, Rlimit> rlimits, Duration cpuTime, Duration wallTime, long outputBytes) {

    /** One soft/hard pair; {@link RlimitResource#UNLIMITED} is RLIM_INFINITY. */
    public record Rlimit(long soft, long hard) {}

    public RunLimits {
        // In the enum's order, the same in every JVM: the plan sets them in this order (Map.copyOf's varies).
        Map<RlimitResource, Rlimit> ordered = new EnumMap<>(RlimitResource.class); // EnumMap(Map) refuses an empty one
        ordered.putAll(rlimits);
        rlimits = Collections.unmodifiableMap(ordered);
    }

    /** Whether anything is enforced over the run as a whole (by jiso-init, or the JVM without it). */
    public boolean watched() {
        return cpuTime != null || wallTime != null || outputBytes >= 0;
    }
}
