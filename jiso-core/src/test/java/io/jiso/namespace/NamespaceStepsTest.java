package io.jiso.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The namespace steps that are not clone flags, as plan data. */
class NamespaceStepsTest {
    private final Arena arena = Arena.ofConfined();
    private final StepList list = new StepList(arena);

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void theChildBecomesRootOfItsUserNamespaceGroupsFirstThenGidThenUid() {
        NamespaceSteps.becomeRootOfUserNamespace(list, true);
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(
                List.of("setgroups", "setresgid", "setresuid"),
                PlanSteps.calls(s),
                "the uid last: without it, the gid could no longer change");
        assertEquals(0, s.get(0).args()[0], "no supplementary group left");
        for (Decoded d : s.subList(1, 3)) {
            assertEquals(List.of(0L, 0L, 0L), List.of(d.args()[0], d.args()[1], d.args()[2]), d.what());
        }
    }

    @Test
    void whereSetgroupsIsDeniedItIsNotCalled() {
        NamespaceSteps.becomeRootOfUserNamespace(list, false);
        assertEquals(List.of("setresgid", "setresuid"), PlanSteps.calls(PlanSteps.of(list)));
    }

    @Test
    void joiningTakesEachNamespaceThroughItsPidfdWithItsOwnType() {
        Map<NamespaceType, Integer> pidfds = new LinkedHashMap<>();
        pidfds.put(NamespaceType.NET, 41);
        pidfds.put(NamespaceType.UTS, 42);
        NamespaceSteps.join(list, pidfds);
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(List.of("setns", "setns"), PlanSteps.calls(s));
        assertEquals(41, s.get(0).args()[0]);
        assertEquals(Linux.CLONE_NEWNET, s.get(0).args()[1], "only that namespace of the pidfd's process");
        assertEquals(42, s.get(1).args()[0]);
        assertEquals(Linux.CLONE_NEWUTS, s.get(1).args()[1]);
        assertEquals("join the net namespace of another sandbox", s.get(0).what());
    }

    @Test
    void theHostnameIsPassedWithItsLengthAndNoNul() {
        NamespaceSteps.hostname(list, "judge-7");
        Decoded d = PlanSteps.of(list).getFirst();
        assertEquals("sethostname", d.call());
        assertEquals(7, d.args()[1]);
        assertEquals("judge-7", PlanSteps.bytes(d.args()[0], d.args()[1]));
    }

    @Test
    void aTimeNamespaceIsUnsharedAndItsOffsetsWrittenInOneWrite() {
        NamespaceSteps.timeNamespace(list, Duration.ofDays(1), Duration.ofSeconds(-5, 250));
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(List.of("unshare", "openat", "write", "close"), PlanSteps.calls(s));
        assertEquals(Linux.CLONE_NEWTIME, s.get(0).args()[0]);
        assertEquals("/proc/self/timens_offsets", s.get(1).string(1));
        Decoded write = s.get(2);
        assertTrue(write.argFrom(0, s.get(1)));
        // the kernel's format: seconds, then nanoseconds in [0, 1e9); -4.99999975 s is -5 s + 250 ns
        assertEquals("monotonic 86400 0\nboottime -5 250\n", PlanSteps.bytes(write.args()[1], write.args()[2]));
    }

    @Test
    void aNamespaceMadeAheadIsEnteredAndAnotherUnshared() {
        NamespaceSteps.joinFresh(list, 77, NamespaceType.NET);
        NamespaceSteps.unshare(list, NamespaceType.CGROUP);
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(List.of("setns", "unshare"), PlanSteps.calls(s));
        assertEquals(77, s.get(0).args()[0]);
        assertEquals(Linux.CLONE_NEWNET, s.get(0).args()[1]);
        assertEquals(Linux.CLONE_NEWCGROUP, s.get(1).args()[0]);
    }
}
