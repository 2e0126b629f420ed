package io.jiso.limits;

import io.jiso.nativegen.Linux;
import io.jiso.plan.StepList;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * The main process's resource limits: prlimit64 on itself, one call per
 * limit, before the privilege drop (raising a hard limit above the JVM's
 * needs CAP_SYS_RESOURCE). Every limit is set, so nothing is inherited from
 * the JVM.
 */
public final class RlimitSteps {
    private RlimitSteps() {}

    private static final int PRLIMIT64 = Linux.__NR_prlimit64;
    private static final MemoryLayout RLIMIT = MemoryLayout.sequenceLayout(2, ValueLayout.JAVA_LONG);

    public static void set(StepList steps, Map<RlimitResource, RunLimits.Rlimit> rlimits) {
        for (Map.Entry<RlimitResource, RunLimits.Rlimit> e : rlimits.entrySet()) {
            RunLimits.Rlimit r = e.getValue();
            MemorySegment value = steps.allocate(RLIMIT); // struct rlimit: soft, hard
            value.setAtIndex(ValueLayout.JAVA_LONG, 0, r.soft()); // -1 is RLIM_INFINITY
            value.setAtIndex(ValueLayout.JAVA_LONG, 1, r.hard());
            steps.call(
                    "set RLIMIT_" + e.getKey() + " to " + text(r.soft()) + " (soft), " + text(r.hard()) + " (hard)",
                    PRLIMIT64,
                    0,
                    e.getKey().kernelNumber(),
                    value.address(),
                    0);
        }
    }

    private static String text(long v) {
        return v == RlimitResource.UNLIMITED ? "unlimited" : Long.toString(v);
    }
}
