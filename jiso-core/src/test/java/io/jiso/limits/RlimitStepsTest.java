package io.jiso.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiso.limits.RunLimits.Rlimit;
import io.jiso.nativegen.Linux;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resource limits as the stage will set them: one prlimit64 on the process itself per limit, struct rlimit behind it. */
class RlimitStepsTest {

    private static List<Decoded> plan(Arena arena, Map<RlimitResource, Rlimit> limits) {
        StepList steps = new StepList(arena);
        RlimitSteps.set(steps, limits);
        return PlanSteps.of(steps);
    }

    private static long[] struct(Decoded step) {
        MemorySegment r = PlanSteps.at(step.arg(2), 16);
        return new long[] {r.getAtIndex(ValueLayout.JAVA_LONG, 0), r.getAtIndex(ValueLayout.JAVA_LONG, 1)};
    }

    @Test
    void eachLimitIsOnePrlimitOnItselfWithSoftThenHard() {
        Map<RlimitResource, Rlimit> limits = new LinkedHashMap<>();
        limits.put(RlimitResource.NOFILE, new Rlimit(64, 128));
        limits.put(RlimitResource.CORE, new Rlimit(0, 0));
        limits.put(RlimitResource.STACK, new Rlimit(8L << 20, RlimitResource.UNLIMITED));
        try (Arena arena = Arena.ofConfined()) {
            List<Decoded> p = plan(arena, limits);
            assertEquals(3, p.size());
            int i = 0;
            for (Map.Entry<RlimitResource, Rlimit> e : limits.entrySet()) {
                Decoded s = p.get(i++);
                assertEquals(Linux.__NR_prlimit64, s.nr());
                assertEquals(0, s.arg(0), "pid 0: the process itself");
                assertEquals(e.getKey().kernelNumber(), s.arg(1), e.getKey().name());
                assertEquals(0, s.arg(3), "the old value is not asked for");
                long[] value = struct(s);
                assertEquals(e.getValue().soft(), value[0], e.getKey() + " soft");
                assertEquals(e.getValue().hard(), value[1], e.getKey() + " hard");
            }
            assertEquals(-1L, struct(p.get(2))[1], "UNLIMITED is RLIM_INFINITY, all ones");
            assertEquals(
                    "set RLIMIT_STACK to 8388608 (soft), unlimited (hard)",
                    p.get(2).what());
            assertEquals("set RLIMIT_NOFILE to 64 (soft), 128 (hard)", p.get(0).what());
        }
    }

    @Test
    void everyLimitOfAFullSetGetsItsOwnStructure() {
        Map<RlimitResource, Rlimit> all = new EnumMap<>(RlimitResource.class);
        for (RlimitResource r : RlimitResource.values()) {
            all.put(r, new Rlimit(100 + r.ordinal(), 200 + r.ordinal()));
        }
        try (Arena arena = Arena.ofConfined()) {
            List<Decoded> p = plan(arena, all);
            assertEquals(RlimitResource.values().length, p.size());
            for (int i = 0; i < p.size(); i++) {
                RlimitResource r = RlimitResource.values()[i];
                assertEquals(r.kernelNumber(), p.get(i).arg(1));
                assertEquals(100 + r.ordinal(), struct(p.get(i))[0], r.name());
                assertEquals(200 + r.ordinal(), struct(p.get(i))[1], r.name());
            }
            assertEquals(List.of(), plan(arena, Map.of()), "nothing asked, nothing set");
        }
    }
}
