package io.jiso.seccomp;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.Macros;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic BPF assembler with labels. Classic BPF jumps only forward, and a
 * conditional jump reaches at most 255 instructions (jt/jf are 8 bits), so
 * the program is laid out backwards, from its last instruction: every target
 * is already placed when a jump to it is written, and a conditional whose
 * target is too far gets a trampoline right after it, either a copy of the
 * target when that is a return (one instruction, no extra hop) or an
 * unconditional BPF_JA, whose offset is 32 bits. Inserting a trampoline only
 * moves instructions that are not placed yet, so one pass suffices.
 */
final class BpfAssembler {
    /** A position in the program; bound by {@link #place} or, for returns, by the pool at the end. */
    static final class Label {}

    private sealed interface Item permits Place, Stmt, Cond, Goto {}

    private record Place(Label label) implements Item {}

    private record Stmt(int code, int k) implements Item {}

    /** A conditional jump; a null target is the next item. */
    private record Cond(int code, int k, Label ifTrue, Label ifFalse) implements Item {}

    private record Goto(Label target) implements Item {}

    // jt/jf reach 255; the two trampolines one conditional may need can push
    // a target that was in reach by two more, so the threshold leaves room.
    private static final int FAR_FALSE = 253;
    private static final int FAR_TRUE = 254;

    private final int ja;
    private final int ret;
    private final List<Item> items = new ArrayList<>();
    /** Labels that stand for "return this value", emitted once in a pool at the end. */
    private final Map<Integer, Label> returns = new LinkedHashMap<>();

    private final Map<Label, Integer> returnValue = new HashMap<>();

    BpfAssembler() {
        this.ja = Linux.BPF_JMP | Linux.BPF_JA;
        this.ret = Linux.BPF_RET | Linux.BPF_K;
    }

    Label label() {
        return new Label();
    }

    void place(Label label) {
        items.add(new Place(label));
    }

    void stmt(int code, int k) {
        items.add(new Stmt(code, k));
    }

    /** A conditional jump; null for either target means the next instruction. */
    void jump(int code, int k, Label ifTrue, Label ifFalse) {
        items.add(new Cond(code, k, ifTrue, ifFalse));
    }

    void jumpTo(Label target) {
        items.add(new Goto(target));
    }

    /** The label of {@code ret value}, shared by every jump that ends there. */
    Label returning(int value) {
        return returns.computeIfAbsent(value, v -> {
            Label l = new Label();
            returnValue.put(l, v);
            return l;
        });
    }

    /** The program as {code, jt, jf, k} instructions. */
    long[][] assemble() {
        List<long[]> out = new ArrayList<>(); // reversed: out.get(0) is the last instruction
        // Where each label points, as "number of instructions at and after it".
        Map<Label, Integer> at = new HashMap<>();
        for (Map.Entry<Integer, Label> r : returns.entrySet()) {
            out.add(Macros.bpfStmt(ret, r.getKey()));
            at.put(r.getValue(), out.size());
        }
        for (int i = items.size() - 1; i >= 0; i--) {
            int n = out.size();
            switch (items.get(i)) {
                case Place p -> at.put(p.label(), n);
                case Stmt s -> out.add(Macros.bpfStmt(s.code(), s.k()));
                case Goto g -> {
                    int target = position(at, g.target());
                    if (n - target > 0) { // a jump to the next instruction is no jump
                        out.add(far(g.target(), n - target));
                    }
                }
                case Cond c -> {
                    int t = c.ifTrue() == null ? n : position(at, c.ifTrue());
                    int f = c.ifFalse() == null ? n : position(at, c.ifFalse());
                    if (out.size() - f > FAR_FALSE) {
                        out.add(far(c.ifFalse(), out.size() - f));
                        f = out.size();
                    }
                    if (out.size() - t > FAR_TRUE) {
                        out.add(far(c.ifTrue(), out.size() - t));
                        t = out.size();
                    }
                    int here = out.size();
                    out.add(Macros.bpfJump(c.code(), c.k(), here - t, here - f));
                }
            }
        }
        Collections.reverse(out);
        return out.toArray(long[][]::new);
    }

    private int position(Map<Label, Integer> at, Label label) {
        Integer p = at.get(label);
        if (p == null) {
            throw new IllegalStateException("jump to a label that is not placed after the jump");
        }
        return p;
    }

    /** What a far jump becomes: the return itself, or a BPF_JA over distance instructions. */
    private long[] far(Label target, int distance) {
        Integer value = returnValue.get(target);
        return value != null ? Macros.bpfStmt(ret, value) : Macros.bpfStmt(ja, distance);
    }
}
