package io.jiso.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList.Step;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The plan's encoding: what struct jiso_step holds for a call, a tolerated
 * errno, an argument taken from an earlier step and the two stage
 * operations, and the mistakes in writing a plan that are refused at once
 * rather than run by the child.
 */
class StepListTest {
    private final Arena arena = Arena.ofConfined();
    private final StepList list = new StepList(arena);

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void aCallIsItsNumberAndSixArgumentsZeroPadded() {
        list.call("close fd 7", Syscalls.CLOSE, 7);
        Decoded d = PlanSteps.of(list).getFirst();
        assertEquals("close", d.call());
        assertEquals(
                List.of(7L, 0L, 0L, 0L, 0L, 0L),
                List.of(d.args()[0], d.args()[1], d.args()[2], d.args()[3], d.args()[4], d.args()[5]));
        assertEquals(0, d.resultArgs());
        assertEquals(0, d.toleratedErrnos());
        assertEquals("close fd 7", list.describe(0));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> list.call("too many", Syscalls.CLOSE, 1, 2, 3, 4, 5, 6, 7));
        assertTrue(e.getMessage().contains("at most 6 arguments: too many"), e.getMessage());
        assertEquals(1, list.size(), "nothing added by a refused call");
    }

    @Test
    void toleratedErrnosAreBitsOneToSixtyThree() {
        Step s = list.call("mkdir", Syscalls.MKDIRAT, 0).tolerate(Linux.EEXIST).tolerate(63);
        Decoded d = PlanSteps.of(list).getFirst();
        assertEquals((1L << Linux.EEXIST) | (1L << 63), d.toleratedErrnos());
        assertThrows(IllegalArgumentException.class, () -> s.tolerate(0), "0 is no error");
        assertThrows(IllegalArgumentException.class, () -> s.tolerate(64), "beyond the 64-bit mask");
    }

    @Test
    void anArgumentFromAnEarlierStepIsItsIndexAndABit() {
        Step open = list.call("open", Syscalls.OPENAT, Linux.AT_FDCWD, 0, 0, 0);
        list.call("something between", Syscalls.SETSID);
        Step write = list.call("write", Syscalls.WRITE, 0, 1234, 5).argFromStep(0, open);
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(1, s.get(2).resultArgs());
        assertEquals(open.index(), s.get(2).args()[0]);
        assertEquals(1234, s.get(2).args()[1], "the other arguments stay as given");
        Step dup =
                list.call("dup3", Syscalls.DUP3, 0, 0, 0).argFromStep(0, open).argFromStep(1, write);
        assertEquals(0b11, PlanSteps.of(list).get(3).resultArgs());
        assertThrows(IllegalArgumentException.class, () -> open.argFromStep(0, write), "a later step's result");
        assertThrows(IllegalArgumentException.class, () -> dup.argFromStep(0, dup), "its own result");
        assertThrows(IllegalArgumentException.class, () -> dup.argFromStep(6, open), "argument 6 of 0..5");
    }

    @Test
    void aSpawnSaysWhereItsCreatorGoesOn() {
        list.call("before", Syscalls.SETSID);
        Step spawn = list.spawn("spawn the main process");
        list.awaitCreator("wait for jiso-init");
        list.call("main process step", Syscalls.SETSID);
        spawn.continueAtNext();
        list.call("creator step", Syscalls.SETSID);
        List<Decoded> s = PlanSteps.of(list);
        assertEquals("op " + Linux.JISO_OP_SPAWN, s.get(1).call());
        assertEquals(4, s.get(1).args()[0], "the step added right after continueAtNext");
        assertEquals("op " + Linux.JISO_OP_AWAIT_CREATOR, s.get(2).call());
    }

    @Test
    void stringsForTheChildAreNulTerminatedInItsMemory() {
        MemorySegment argv = list.cStrings(List.of("/bin/echo", "", "é"));
        List<String> read = List.of(
                PlanSteps.string(argv.getAtIndex(ValueLayout.ADDRESS, 0).address()),
                PlanSteps.string(argv.getAtIndex(ValueLayout.ADDRESS, 1).address()),
                PlanSteps.string(argv.getAtIndex(ValueLayout.ADDRESS, 2).address()));
        assertEquals(List.of("/bin/echo", "", "é"), read);
        assertEquals(MemorySegment.NULL, argv.getAtIndex(ValueLayout.ADDRESS, 3), "argv ends with NULL");
        MemorySegment s = list.cString("ab");
        assertEquals(3, s.byteSize());
        assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 2));
    }
}
