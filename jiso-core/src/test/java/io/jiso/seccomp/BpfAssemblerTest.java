package io.jiso.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.seccomp_data;
import org.junit.jupiter.api.Test;

/**
 * The assembler on hand-written programs: labels become forward offsets,
 * returns are pooled, jumps to the next instruction vanish, and conditional
 * targets beyond the 8-bit reach get trampolines. Each program is validated
 * and run in BpfInterpreter, which knows nothing of the assembler.
 */
class BpfAssemblerTest {
    private static final int LD_NR = Linux.BPF_LD | Linux.BPF_W | Linux.BPF_ABS;
    private static final int NR = (int) seccomp_data.nr$offset();
    private static final int JEQ = Linux.BPF_JMP | Linux.BPF_K | Linux.BPF_JEQ;
    private static final int JGE = Linux.BPF_JMP | Linux.BPF_K | Linux.BPF_JGE;
    private static final int JA = Linux.BPF_JMP | Linux.BPF_JA;
    private static final int RET = Linux.BPF_RET | Linux.BPF_K;
    /** A & 0xFFFFFFFF: changes nothing, takes one instruction. */
    private static final int AND = Linux.BPF_ALU | Linux.BPF_AND | Linux.BPF_K;

    private final BpfInterpreter bpf = new BpfInterpreter(Abi.current());

    private int run(long[][] prog, int nr) {
        bpf.validate(prog);
        return bpf.run(prog, nr, Abi.current().auditArch(), new long[6]);
    }

    private static void filler(BpfAssembler asm, int n) {
        for (int i = 0; i < n; i++) {
            asm.stmt(AND, -1);
        }
    }

    private static int count(long[][] prog, int code, long k) {
        int n = 0;
        for (long[] in : prog) {
            if (in[0] == code && (k == Long.MIN_VALUE || in[3] == k)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void labelsBecomeForwardOffsetsAndNullMeansTheNextInstruction() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label five = asm.label();
        asm.stmt(LD_NR, NR);
        asm.jump(JEQ, 5, five, null); // false: the next instruction
        asm.jump(JGE, 100, asm.returning(3), asm.returning(2));
        asm.place(five);
        asm.stmt(RET, 1);
        long[][] prog = asm.assemble();
        // ld; jeq +0/+1 jumps over the jge to "ret 1"; jge to the pool after "ret 1"
        assertEquals(1, prog[1][1], "jeq's true offset skips the jge");
        assertEquals(0, prog[1][2], "a null target is the next instruction");
        assertEquals(1, run(prog, 5));
        assertEquals(2, run(prog, 6));
        assertEquals(3, run(prog, 100));
        assertEquals(3, run(prog, -1)); // unsigned: 0xFFFFFFFF >= 100
    }

    @Test
    void everyReturnValueIsEmittedOnceAndSharedByItsJumps() {
        BpfAssembler asm = new BpfAssembler();
        assertSame(asm.returning(7), asm.returning(7));
        asm.stmt(LD_NR, NR);
        for (int i = 0; i < 10; i++) {
            asm.jump(JEQ, i, asm.returning(7), null);
        }
        asm.jumpTo(asm.returning(8));
        long[][] prog = asm.assemble();
        assertEquals(1, count(prog, RET, 7), "one ret 7 for ten jumps");
        assertEquals(1, count(prog, RET, 8));
        assertEquals(1 + 10 + 2, prog.length, "ld, ten jeq, the pool; the jump to ret 8, right after them, vanishes");
        for (int i = 0; i < 10; i++) {
            assertEquals(7, run(prog, i));
        }
        assertEquals(8, run(prog, 10));
    }

    @Test
    void aJumpToTheNextInstructionIsNoInstruction() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label next = asm.label();
        asm.jumpTo(next);
        asm.place(next);
        asm.stmt(RET, 4);
        long[][] prog = asm.assemble();
        assertEquals(0, count(prog, JA, Long.MIN_VALUE));
        assertEquals(1, prog.length);
        // one instruction in between: a BPF_JA over it
        BpfAssembler over = new BpfAssembler();
        BpfAssembler.Label skip = over.label();
        over.jumpTo(skip);
        over.stmt(RET, 9);
        over.place(skip);
        over.stmt(RET, 4);
        long[][] jumped = over.assemble();
        assertEquals(1, count(jumped, JA, 1));
        assertEquals(4, run(jumped, 0));
    }

    @Test
    void aFarReturnIsCopiedAndAFarLabelReachedThroughBpfJa() {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label far = asm.label();
        asm.stmt(LD_NR, NR);
        asm.jump(JEQ, 1, asm.returning(11), null); // the pool is 600 instructions away
        asm.jump(JEQ, 2, far, null);
        filler(asm, 300);
        asm.stmt(RET, 12);
        asm.place(far);
        filler(asm, 300);
        asm.stmt(RET, 13);
        asm.jumpTo(asm.returning(11)); // unreachable, keeps the pool entry at the end
        long[][] prog = asm.assemble();
        assertEquals(2, count(prog, RET, 11), "the far return is copied next to its jump, not reached by a hop");
        assertEquals(1, count(prog, JA, Long.MIN_VALUE), "the far label is reached through one BPF_JA");
        assertEquals(11, run(prog, 1));
        assertEquals(13, run(prog, 2));
        assertEquals(12, run(prog, 3));
    }

    @Test
    void conditionalsReachEveryDistanceAroundThe8BitLimit() {
        // Both targets of one conditional far, at distances from well within reach to beyond it,
        // the thresholds included: every program must validate (jt/jf <= 255) and answer right.
        for (int gap = 240; gap <= 270; gap++) {
            for (int gap2 = 0; gap2 <= 3; gap2++) {
                BpfAssembler asm = new BpfAssembler();
                BpfAssembler.Label whenTrue = asm.label();
                BpfAssembler.Label whenFalse = asm.label();
                asm.stmt(LD_NR, NR);
                asm.jump(JEQ, 42, whenTrue, whenFalse);
                filler(asm, gap);
                asm.stmt(RET, 1);
                asm.place(whenFalse);
                filler(asm, gap2);
                asm.stmt(RET, 2);
                asm.place(whenTrue);
                asm.stmt(RET, 3);
                long[][] prog = asm.assemble();
                String where = "gap " + gap + "+" + gap2 + ", " + prog.length + " instructions";
                assertEquals(3, run(prog, 42), where);
                assertEquals(2, run(prog, 41), where);
                if (gap + gap2 + 2 <= 250) { // both targets comfortably in reach
                    assertEquals(gap + gap2 + 5, prog.length, where + ": no trampoline is needed");
                } else if (gap + gap2 + 2 > 255) {
                    assertTrue(count(prog, JA, Long.MIN_VALUE) >= 1, where + ": the true target needs a BPF_JA");
                }
            }
        }
    }

    @Test
    void aJumpBackwardsOrToALabelNeverPlacedIsRefused() {
        BpfAssembler back = new BpfAssembler();
        BpfAssembler.Label top = back.label();
        back.place(top);
        back.stmt(LD_NR, NR);
        back.jump(JEQ, 1, top, null);
        back.stmt(RET, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, back::assemble);
        assertTrue(e.getMessage().contains("not placed after the jump"), e.getMessage());
        BpfAssembler nowhere = new BpfAssembler();
        nowhere.jumpTo(nowhere.label());
        nowhere.stmt(RET, 0);
        assertThrows(IllegalStateException.class, nowhere::assemble);
    }
}
