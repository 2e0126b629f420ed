package io.jiso.seccomp;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.seccomp_data;
import io.jiso.seccomp.SyscallRules.Action;
import io.jiso.seccomp.SyscallRules.ArgCheck;
import io.jiso.seccomp.SyscallRules.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Compiles a {@link SyscallRules} to a classic BPF seccomp filter for one
 * architecture. The program:
 * <ol>
 * <li>checks seccomp_data.arch against the architecture's AUDIT_ARCH and kills
 * on a mismatch (i386 calls through int 0x80 on x86_64, for instance);</li>
 * <li>loads the syscall number and finds it by binary search over ranges of
 * numbers that share one outcome (allowed, a fixed action, unknown to the
 * tables, x32), so a typical call costs about log2(ranges) comparisons
 * instead of a walk down a chain;</li>
 * <li>for syscalls with argument rules, compares the arguments (each 64-bit
 * argument as two 32-bit halves, the most significant first).</li>
 * </ol>
 */
public final class SeccompCompiler {
    private static final Map<SyscallRules, SeccompProgram> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private final Abi abi;
    private final SyscallRules policy;
    private final BpfAssembler asm;
    private final int ldAbs;
    private final int jeq;
    private final int jgt;
    private final int jge;
    private final int and;
    private final int archOffset;
    private final int nrOffset;
    private final int argsOffset;
    /** What the accumulator holds where the next instruction goes, as load(); -1 if not known. */
    private long accumulator = -1;

    /**
     * BPF opcodes and SECCOMP_RET_* are the same on every architecture (generic
     * UAPI headers); abi gives what differs: AUDIT_ARCH, the syscall table, x32.
     */
    private SeccompCompiler(SyscallRules policy, Abi abi) {
        this.abi = abi;
        this.policy = policy;
        this.asm = new BpfAssembler();
        this.ldAbs = Linux.BPF_LD | Linux.BPF_W | Linux.BPF_ABS;
        int jmpK = Linux.BPF_JMP | Linux.BPF_K;
        this.jeq = jmpK | Linux.BPF_JEQ;
        this.jgt = jmpK | Linux.BPF_JGT;
        this.jge = jmpK | Linux.BPF_JGE;
        this.and = Linux.BPF_ALU | Linux.BPF_AND | Linux.BPF_K;
        this.archOffset = (int) seccomp_data.arch$offset();
        this.nrOffset = (int) seccomp_data.nr$offset();
        this.argsOffset = (int) seccomp_data.args$offset();
    }

    /** Compiles policy for abi's architecture. */
    public static SeccompProgram compile(SyscallRules policy, Abi abi) {
        return new SeccompCompiler(policy, abi).compile();
    }

    /** Compiles policy for the running architecture, once per policy object. */
    public static SeccompProgram forCurrentArch(SyscallRules policy) {
        return CACHE.computeIfAbsent(policy, p -> compile(p, Abi.current()));
    }

    /** What the binary search finds for a range of syscall numbers. */
    private sealed interface Leaf permits Fixed, Checked {}

    private record Fixed(Action action) implements Leaf {}

    /** Argument rules, newest first; the last may be unconditional and then replaces the default. */
    private record Checked(List<Rule> rules) implements Leaf {}

    /** Numbers from first up to the next range's first. */
    private record Range(long first, Leaf leaf) {}

    private SeccompProgram compile() {
        asm.stmt(ldAbs, archOffset);
        asm.jump(jeq, abi.auditArch(), null, returning(Action.killProcess()));
        asm.stmt(ldAbs, nrOffset);
        List<Range> ranges = ranges();
        tree(ranges, 0, ranges.size() - 1);
        long[][] code = asm.assemble();
        int max = Linux.BPF_MAXINSNS;
        if (code.length > max) {
            throw new IllegalArgumentException("the seccomp policy compiles to " + code.length + " instructions for "
                    + abi.arch() + "; the kernel accepts at most " + max);
        }
        return new SeccompProgram(abi.arch(), code);
    }

    /** Every 32-bit syscall number, cut into ranges that share one outcome. */
    private List<Range> ranges() {
        Map<String, Integer> table = abi.syscalls();
        Map<Integer, String> byNumber = new HashMap<>();
        table.forEach((name, nr) -> byNumber.put(nr, name));
        Map<String, List<Rule>> rules = new HashMap<>();
        for (Rule r : policy.rules()) {
            if (table.containsKey(r.syscall())) { // names of other architectures are skipped
                rules.computeIfAbsent(r.syscall(), k -> new ArrayList<>()).addFirst(r);
            }
        }
        Fixed unknown = new Fixed(policy.unknownSyscallAction());
        List<Range> ranges = new ArrayList<>();
        int last = Collections.max(byNumber.keySet());
        for (int nr = 0; nr <= last; nr++) {
            String name = byNumber.get(nr);
            add(ranges, nr, name == null ? unknown : leaf(rules.getOrDefault(name, List.of())));
        }
        add(ranges, last + 1L, unknown);
        if (abi.arch().equals("x86_64")) {
            // x32 calls arrive with AUDIT_ARCH_X86_64 and this bit set in the number: a
            // second syscall table that the arch check alone would let through.
            add(ranges, abi.longConstant("__X32_SYSCALL_BIT"), new Fixed(Action.killProcess()));
            add(ranges, 0xFFFF_FFFFL, unknown); // syscall(-1), as libseccomp; the kernel answers ENOSYS anyway
        }
        return ranges;
    }

    private static void add(List<Range> ranges, long first, Leaf leaf) {
        if (!ranges.isEmpty()
                && leaf instanceof Fixed
                && ranges.getLast().leaf().equals(leaf)) {
            return; // extends the previous range
        }
        ranges.add(new Range(first, leaf));
    }

    /** The outcome for one syscall given its rules, newest first. */
    private Leaf leaf(List<Rule> newestFirst) {
        List<Rule> live = new ArrayList<>();
        for (Rule r : newestFirst) {
            live.add(r);
            if (r.checks().isEmpty()) {
                break; // older rules can never decide
            }
        }
        if (live.isEmpty()) {
            return new Fixed(policy.defaultAction());
        }
        if (live.getFirst().checks().isEmpty()) {
            return new Fixed(live.getFirst().action());
        }
        return new Checked(live);
    }

    /** Binary search over ranges[lo..hi]; the accumulator holds the syscall number. */
    private void tree(List<Range> ranges, int lo, int hi) {
        if (lo == hi) {
            switch (ranges.get(lo).leaf()) {
                case Fixed f -> asm.jumpTo(returning(f.action()));
                case Checked c -> checked(c);
            }
            return;
        }
        int mid = (lo + hi + 1) >>> 1;
        BpfAssembler.Label below = target(ranges, lo, mid - 1);
        BpfAssembler.Label above = target(ranges, mid, hi);
        asm.jump(jge, (int) ranges.get(mid).first(), above, below);
        if (!isReturn(ranges, lo, mid - 1)) { // a single fixed outcome is a jump straight to its return
            asm.place(below);
            tree(ranges, lo, mid - 1);
        }
        if (!isReturn(ranges, mid, hi)) {
            asm.place(above);
            tree(ranges, mid, hi);
        }
    }

    private boolean isReturn(List<Range> ranges, int lo, int hi) {
        return lo == hi && ranges.get(lo).leaf() instanceof Fixed;
    }

    private BpfAssembler.Label target(List<Range> ranges, int lo, int hi) {
        return isReturn(ranges, lo, hi) ? returning(((Fixed) ranges.get(lo).leaf()).action()) : asm.label();
    }

    /** Rules on arguments: the first (newest) rule whose checks all hold decides. */
    private void checked(Checked c) {
        accumulator = -1; // reached from the tree: A holds the syscall number
        List<Rule> rules = c.rules();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (rule.checks().isEmpty()) { // only ever the last one
                asm.jumpTo(returning(rule.action()));
                return;
            }
            boolean last = i == rules.size() - 1;
            BpfAssembler.Label next = last ? returning(policy.defaultAction()) : asm.label();
            List<ArgCheck> checks = rule.checks();
            boolean oneLoad = false;
            for (int j = 0; j < checks.size(); j++) {
                oneLoad = check(checks.get(j), j == checks.size() - 1 ? returning(rule.action()) : null, next);
            }
            if (!last) {
                asm.place(next);
                if (checks.size() > 1 || !oneLoad) {
                    accumulator = -1; // next is reached from several loads
                } // else only from the one comparison, after the one load: A is still that
            }
        }
    }

    /**
     * One comparison; pass null means "go on with the next instruction". Both
     * supported architectures are little-endian, so the low half of argument i
     * is at args[i] and the high half 4 bytes further. Returns whether it
     * loaded one half only, so that A is the same wherever it jumps.
     */
    private boolean check(ArgCheck c, BpfAssembler.Label pass, BpfAssembler.Label fail) {
        BpfAssembler.Label after = null;
        if (pass == null) {
            after = asm.label();
            pass = after;
        }
        int low = argsOffset + 8 * c.index();
        int high = low + 4;
        int vLow = (int) c.value();
        int vHigh = (int) (c.value() >>> 32);
        int mLow = (int) c.mask();
        int mHigh = (int) (c.mask() >>> 32);
        boolean masked = c.op() == SyscallRules.Op.MASKED_EQ;
        boolean oneLoad = true;
        if (c.low32() || (masked && mHigh == 0)) {
            // Only the low half matters (a masked value has no bits outside the mask).
            load(low, masked ? mLow : -1);
            lastHalf(c.op(), vLow, pass, fail);
        } else if (masked && mLow == 0) {
            load(high, mHigh);
            asm.jump(jeq, vHigh, pass, fail);
        } else {
            oneLoad = false;
            load(high, masked ? mHigh : -1);
            switch (c.op()) {
                case EQ, MASKED_EQ -> asm.jump(jeq, vHigh, null, fail);
                case NE -> asm.jump(jeq, vHigh, null, pass);
                case GT, GE -> {
                    asm.jump(jgt, vHigh, pass, null);
                    asm.jump(jeq, vHigh, null, fail);
                }
                case LT, LE -> {
                    asm.jump(jgt, vHigh, fail, null);
                    asm.jump(jeq, vHigh, null, pass);
                }
            }
            load(low, masked ? mLow : -1);
            lastHalf(c.op(), vLow, pass, fail);
        }
        if (after != null) {
            asm.place(after);
            if (!oneLoad) {
                accumulator = -1;
            }
        }
        return oneLoad;
    }

    /** The decisive comparison on the low half (or the only one, for 32-bit checks). */
    private void lastHalf(SyscallRules.Op op, int v, BpfAssembler.Label pass, BpfAssembler.Label fail) {
        switch (op) {
            case EQ, MASKED_EQ -> asm.jump(jeq, v, pass, fail);
            case NE -> asm.jump(jeq, v, fail, pass);
            case GT -> asm.jump(jgt, v, pass, fail);
            case GE -> asm.jump(jge, v, pass, fail);
            case LT -> asm.jump(jge, v, fail, pass);
            case LE -> asm.jump(jgt, v, fail, pass);
        }
    }

    /** A = the 32 bits at offset of seccomp_data, and mask; nothing if A holds that already. */
    private void load(int offset, int mask) {
        long key = ((long) offset << 32) | (mask & 0xFFFF_FFFFL);
        if (key == accumulator) {
            return;
        }
        asm.stmt(ldAbs, offset);
        if (mask != -1) {
            asm.stmt(and, mask);
        }
        accumulator = key;
    }

    private BpfAssembler.Label returning(Action action) {
        return asm.returning(encode(action));
    }

    private int encode(Action a) {
        return switch (a.kind()) {
            case ALLOW -> Linux.SECCOMP_RET_ALLOW;
            case ERRNO -> Linux.SECCOMP_RET_ERRNO | (a.data() & Linux.SECCOMP_RET_DATA);
            case KILL_PROCESS -> Linux.SECCOMP_RET_KILL_PROCESS;
            case TRAP -> Linux.SECCOMP_RET_TRAP;
            case LOG -> Linux.SECCOMP_RET_LOG;
        };
    }
}
