package io.jiso.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.landlock_path_beneath_attr;
import io.jiso.nativegen.libc.landlock_ruleset_attr;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Landlock steps as data: the system calls, which step's result feeds
 * which argument, the errnos tolerated, and the structures behind the
 * pointers. LandlockTest applies them to a child.
 */
class LandlockStepsPlanTest {
    private static final int SCRATCH = 7;
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private List<Decoded> plan(LandlockRules rules, int abi) {
        StepList steps = new StepList(arena);
        LandlockSteps.restrict(steps, rules, abi, SCRATCH);
        return PlanSteps.of(steps);
    }

    private static List<Decoded> named(List<Decoded> steps, long nr) {
        return steps.stream().filter(s -> s.nr() == nr).toList();
    }

    @Test
    void theRulesetIsCreatedFilledRestrictedToAndClosed() {
        List<Decoded> p = plan(new LandlockRules(List.of("/etc"), List.of("/tmp"), List.of()), 2);
        Decoded create = named(p, Linux.__NR_landlock_create_ruleset).getFirst();
        MemorySegment attr = PlanSteps.at(create.arg(0), landlock_ruleset_attr.sizeof());
        assertEquals(LandlockSteps.handledRights(2), landlock_ruleset_attr.handled_access_fs(attr));
        assertEquals(landlock_ruleset_attr.sizeof(), create.arg(1));
        Decoded restrict = named(p, Linux.__NR_landlock_restrict_self).getFirst();
        assertEquals(create.index(), restrict.argFromStep(0), "restrict_self takes the ruleset's fd");
        Decoded last = p.getLast();
        assertEquals(Linux.__NR_close, last.nr());
        assertEquals(create.index(), last.argFromStep(0), "the ruleset fd is closed last");
        for (Decoded add : named(p, Linux.__NR_landlock_add_rule)) {
            assertEquals(create.index(), add.argFromStep(0));
            assertEquals(Linux.LANDLOCK_RULE_PATH_BENEATH, add.arg(1));
            assertTrue(add.index() > create.index() && add.index() < restrict.index());
        }
    }

    @Test
    void theScratchFdIsReservedFirstAndEveryPathMovedOntoIt() {
        List<Decoded> p = plan(new LandlockRules(List.of("/etc"), List.of(), List.of("/usr")), 1);
        Decoded reserve = p.get(1);
        assertEquals(Linux.__NR_dup3, reserve.nr());
        assertEquals(0, reserve.argFromStep(0), "dup3 of the fd the first openat returned");
        assertEquals(SCRATCH, reserve.arg(1));
        assertTrue(reserve.tolerates(Linux.EINVAL), "the open may have returned the scratch fd itself");
        assertEquals("/", PlanSteps.string(p.get(0).arg(1)));
        List<Decoded> opens = named(p, Linux.__NR_openat);
        assertEquals(
                List.of("/", "/etc", "/usr"),
                opens.stream().map(o -> PlanSteps.string(o.arg(1))).toList());
        for (Decoded open : opens) {
            assertEquals(Linux.O_PATH | Linux.O_CLOEXEC, open.arg(2));
            Decoded move = p.get(open.index() + 1);
            assertEquals(Linux.__NR_dup3, move.nr());
            assertEquals(open.index(), move.argFromStep(0));
            assertEquals(SCRATCH, move.arg(1));
        }
        for (Decoded add : named(p, Linux.__NR_landlock_add_rule)) {
            MemorySegment beneath = PlanSteps.at(add.arg(2), landlock_path_beneath_attr.sizeof());
            assertEquals(SCRATCH, landlock_path_beneath_attr.parent_fd(beneath), "rules name the scratch fd");
        }
        assertTrue(
                p.stream().anyMatch(s -> s.nr() == Linux.__NR_close && s.argFromStep(0) < 0 && s.arg(0) == SCRATCH),
                "the scratch fd is closed before restricting");
    }

    @Test
    void aPathMayBeADirectoryOrAFileTheFileRuleIsTheOneThatMustSucceed() {
        List<Decoded> p = plan(new LandlockRules(List.of("/etc/hosts"), List.of(), List.of()), 2);
        List<Decoded> adds = named(p, Linux.__NR_landlock_add_rule);
        assertEquals(2, adds.size(), "directory rights first, then file rights");
        long dirRights = landlock_path_beneath_attr.allowed_access(
                PlanSteps.at(adds.get(0).arg(2), landlock_path_beneath_attr.sizeof()));
        long fileRights = landlock_path_beneath_attr.allowed_access(
                PlanSteps.at(adds.get(1).arg(2), landlock_path_beneath_attr.sizeof()));
        assertEquals(Linux.LANDLOCK_ACCESS_FS_READ_FILE | Linux.LANDLOCK_ACCESS_FS_READ_DIR, dirRights);
        assertEquals(Linux.LANDLOCK_ACCESS_FS_READ_FILE, fileRights);
        assertTrue(adds.get(0).tolerates(Linux.EINVAL), "on a file, directory rights are EINVAL");
        assertFalse(adds.get(1).tolerates(Linux.EINVAL), "the file rule must hold");
        Decoded closePath = p.get(adds.get(1).index() + 1);
        assertEquals(Linux.__NR_close, closePath.nr());
        assertTrue(closePath.argFromStep(0) >= 0, "the path's own fd is closed");
    }

    @Test
    void everyPathIsOpenedOnceAndGetsADirectoryRuleAndAFileRule() {
        // Every list grants a directory right (READ_DIR at least), so no path is known to be a file.
        List<Decoded> p = plan(new LandlockRules(List.of("/a"), List.of("/b"), List.of("/c")), 2);
        assertEquals(6, named(p, Linux.__NR_landlock_add_rule).size());
        assertEquals(4, named(p, Linux.__NR_openat).size(), "/ and three paths");
    }

    @Test
    void withoutLandlockOrWithAStandardStreamAsScratchNothingIsPlanned() {
        StepList steps = new StepList(arena);
        LandlockRules rules = new LandlockRules(List.of("/etc"), List.of(), List.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LandlockSteps.restrict(steps, rules, 0, SCRATCH));
        assertTrue(e.getMessage().contains("not available") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LandlockSteps.restrict(steps, rules, 2, 2));
        assertTrue(
                e.getMessage().contains("scratch fd 2") && e.getMessage().contains("standard stream"), e.getMessage());
        assertEquals(0, steps.size());
    }
}
