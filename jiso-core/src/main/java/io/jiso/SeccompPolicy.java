package io.jiso;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.seccomp.BuiltinPolicies;
import io.jiso.seccomp.SyscallRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which system calls a sandboxed process may make: a default action plus rules
 * by syscall name, optionally with argument comparisons. jiso compiles it to a
 * classic BPF seccomp filter itself (no libseccomp) and installs it as the last
 * step before the program starts.
 *
 * <p>Besides the default action, two fixed answers apply before any rule: a
 * call made through a foreign ABI (32-bit {@code int 0x80} on x86_64, x32) kills
 * the process, and a syscall number the policy's tables do not know (newer than
 * the headers jiso was built with) gets {@link #unknownSyscallAction()},
 * {@code ENOSYS} unless changed, so that libc falls back to an older call
 * instead of failing on EPERM.
 *
 * <p>For one syscall the most recently added rule whose comparisons all hold
 * decides; if none holds, the default action does. So {@code toBuilder()} plus
 * a rule overrides what a built-in policy says about that syscall.
 *
 * <p>Immutable and architecture-neutral: names that an architecture lacks
 * (e.g. {@code open} on aarch64) are skipped when compiling for it.
 */
public final class SeccompPolicy {
    private final Action defaultAction;
    private final Action unknownSyscallAction;
    private final List<Rule> rules;
    /** The same policy as the compiler takes it; made once, so its program is compiled once. */
    private final SyscallRules syscallRules;

    private SeccompPolicy(Builder b) {
        this.defaultAction = b.defaultAction;
        this.unknownSyscallAction = b.unknownSyscallAction;
        this.rules = List.copyOf(b.rules);
        List<SyscallRules.Rule> internal = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            internal.add(r.internal());
        }
        this.syscallRules = new SyscallRules(defaultAction.internal(), unknownSyscallAction.internal(), internal);
    }

    /** One of jiso's own policies, which are built as the compiler takes them. */
    private SeccompPolicy(SyscallRules builtin) {
        this.defaultAction = Action.of(builtin.defaultAction());
        this.unknownSyscallAction = Action.of(builtin.unknownSyscallAction());
        List<Rule> rules = new ArrayList<>(builtin.rules().size());
        for (SyscallRules.Rule r : builtin.rules()) {
            rules.add(Rule.of(r));
        }
        this.rules = List.copyOf(rules);
        this.syscallRules = builtin;
    }

    /** jiso's policies, made when the first is asked for. */
    private static final class Builtin {
        static final SeccompPolicy DEFAULT = new SeccompPolicy(BuiltinPolicies.DEFAULT);
        static final SeccompPolicy STRICT = new SeccompPolicy(BuiltinPolicies.STRICT);
    }

    /** This policy as the compiler takes it. */
    SyscallRules syscallRules() {
        return syscallRules;
    }

    /**
     * Modelled on Docker's default profile: everything is allowed except what
     * reaches kernel surface a contained process has no business with (module
     * loading, kexec, bpf, perf, keyrings, userfaultfd, io_uring, mounts, new
     * namespaces, ptrace, pidfd_getfd, process_madvise, AF_ALG and AF_VSOCK
     * sockets, clock setting, TIOCSTI, ...), which fails with EPERM. It denies
     * what Docker's denies to a process without capabilities, and a few calls
     * more; {@code docs/SECURITY.md} tables the differences.
     */
    public static SeccompPolicy defaultPolicy() {
        return Builtin.DEFAULT;
    }

    /**
     * An allow-list for judges: what the JDKs (17 and later), CPython, PyPy,
     * gcc, g++, clang, node, Go and Rust binaries and sh pipelines need, and
     * nothing for networking (no socket but a pair of Unix sockets), file
     * ownership, other users' processes or system administration; the rest
     * fails with EPERM.
     */
    public static SeccompPolicy strict() {
        return Builtin.STRICT;
    }

    public static Builder builder(Action defaultAction) {
        return new Builder(defaultAction);
    }

    public Builder toBuilder() {
        Builder b = new Builder(defaultAction).unknownSyscalls(unknownSyscallAction);
        b.rules.addAll(rules);
        return b;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    /** What a syscall number absent from jiso's tables gets ({@code ENOSYS} unless set). */
    public Action unknownSyscallAction() {
        return unknownSyscallAction;
    }

    /** The rules in the order they were added (later ones take precedence). */
    public List<Rule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "SeccompPolicy[default=" + defaultAction + ", unknown=" + unknownSyscallAction + ", " + rules.size()
                + " rules]";
    }

    /** What the kernel does with a call. */
    public enum Kind {
        ALLOW,
        ERRNO,
        KILL_PROCESS,
        TRAP,
        LOG
    }

    /** An action; {@code data} is the errno for {@link Kind#ERRNO}, otherwise 0. */
    public record Action(Kind kind, int data) {
        public Action {
            Objects.requireNonNull(kind);
            if (kind != Kind.ERRNO && data != 0) {
                throw new IllegalArgumentException(kind + " takes no data");
            }
            if (kind == Kind.ERRNO && (data < 0 || data > Linux.SECCOMP_RET_DATA)) {
                throw new IllegalArgumentException("errno out of range: " + data);
            }
        }

        public static Action allow() {
            return new Action(Kind.ALLOW, 0);
        }

        /** The call is not made and returns -1 with this errno (0: returns 0 without being made). */
        public static Action errno(int errno) {
            return new Action(Kind.ERRNO, errno);
        }

        /** errno by its name, e.g. {@code "EPERM"}. */
        public static Action errno(String name) {
            return errno(Abi.current().intConstant(name));
        }

        public static Action killProcess() {
            return new Action(Kind.KILL_PROCESS, 0);
        }

        /** SIGSYS to the calling thread, which may handle it. */
        public static Action trap() {
            return new Action(Kind.TRAP, 0);
        }

        /** Allowed, and logged by the kernel's audit. */
        public static Action log() {
            return new Action(Kind.LOG, 0);
        }

        SyscallRules.Action internal() {
            return new SyscallRules.Action(SyscallRules.Kind.valueOf(kind.name()), data);
        }

        static Action of(SyscallRules.Action a) {
            return new Action(Kind.valueOf(a.kind().name()), a.data());
        }
    }

    /** Comparison operators; all compare unsigned, as the kernel passes arguments. */
    public enum Op {
        EQ,
        NE,
        LT,
        LE,
        GT,
        GE,
        MASKED_EQ
    }

    /**
     * One argument comparison: {@code (arg & mask) op value}. With
     * {@code low32}, only the low 32 bits are compared: right for arguments
     * the kernel declares as int (ioctl's request, personality's persona,
     * socket's family), because the kernel ignores the upper half the caller
     * may fill with anything; a 64-bit comparison would let
     * {@code ioctl(fd, 0x1_0000_5412)} past a TIOCSTI rule.
     */
    public record ArgCheck(int index, Op op, long value, long mask, boolean low32) {
        public ArgCheck {
            Objects.requireNonNull(op);
            if (index < 0 || index > 5) {
                throw new IllegalArgumentException("syscalls have arguments 0..5, not " + index);
            }
            if (low32) {
                if (!fits32(value)) {
                    throw new IllegalArgumentException(
                            "arg32 " + index + ": not a 32-bit value: " + Long.toHexString(value));
                }
                if (!fits32(mask)) {
                    throw new IllegalArgumentException(
                            "arg32 " + index + ": not a 32-bit mask: " + Long.toHexString(mask));
                }
                value &= 0xFFFF_FFFFL;
                mask &= 0xFFFF_FFFFL;
            }
            if (op != Op.MASKED_EQ && mask != (low32 ? 0xFFFF_FFFFL : -1L)) {
                throw new IllegalArgumentException("only MASKED_EQ takes a mask");
            }
            if ((value & ~mask) != 0) {
                throw new IllegalArgumentException("value " + Long.toHexString(value) + " has bits outside the mask "
                        + Long.toHexString(mask) + " and could never match");
            }
        }

        /** Fits an int, signed (-1) or unsigned (0xFFFF_FFFF). */
        private static boolean fits32(long v) {
            return v == (int) v || (v >>> 32) == 0;
        }

        SyscallRules.ArgCheck internal() {
            return new SyscallRules.ArgCheck(index, SyscallRules.Op.valueOf(op.name()), value, mask, low32);
        }

        static ArgCheck of(SyscallRules.ArgCheck c) {
            return new ArgCheck(c.index(), Op.valueOf(c.op().name()), c.value(), c.mask(), c.low32());
        }
    }

    /** Argument {@code index} (0..5) as the 64-bit value the kernel receives. */
    public static Arg arg(int index) {
        return new Arg(index, false);
    }

    /** The low 32 bits of argument {@code index}, for arguments the kernel declares as int. */
    public static Arg arg32(int index) {
        return new Arg(index, true);
    }

    /** Starts an argument comparison; see {@link #arg} and {@link #arg32}. */
    public record Arg(int index, boolean low32) {
        public Arg {
            if (index < 0 || index > 5) {
                throw new IllegalArgumentException("syscalls have arguments 0..5, not " + index);
            }
        }

        private ArgCheck check(Op op, long value) {
            return new ArgCheck(index, op, value, low32 ? 0xFFFF_FFFFL : -1L, low32);
        }

        public ArgCheck eq(long value) {
            return check(Op.EQ, value);
        }

        public ArgCheck ne(long value) {
            return check(Op.NE, value);
        }

        public ArgCheck lt(long value) {
            return check(Op.LT, value);
        }

        public ArgCheck le(long value) {
            return check(Op.LE, value);
        }

        public ArgCheck gt(long value) {
            return check(Op.GT, value);
        }

        public ArgCheck ge(long value) {
            return check(Op.GE, value);
        }

        /** {@code (arg & mask) == value}; e.g. "no CLONE_NEW* flag": maskedEq(namespaceFlags, 0). */
        public ArgCheck maskedEq(long mask, long value) {
            return new ArgCheck(index, Op.MASKED_EQ, value, mask, low32);
        }
    }

    /** A rule: for this syscall, when all checks hold, take action. */
    public record Rule(String syscall, Action action, List<ArgCheck> checks) {
        public Rule {
            Objects.requireNonNull(syscall);
            Objects.requireNonNull(action);
            checks = List.copyOf(checks);
        }

        SyscallRules.Rule internal() {
            List<SyscallRules.ArgCheck> internal = new ArrayList<>(checks.size());
            for (ArgCheck c : checks) {
                internal.add(c.internal());
            }
            return new SyscallRules.Rule(syscall, action.internal(), internal);
        }

        static Rule of(SyscallRules.Rule r) {
            List<ArgCheck> checks = new ArrayList<>(r.checks().size());
            for (SyscallRules.ArgCheck c : r.checks()) {
                checks.add(ArgCheck.of(c));
            }
            return new Rule(r.syscall(), Action.of(r.action()), checks);
        }
    }

    /** Builds a policy; rules are kept in order, and later rules win over earlier ones. */
    public static final class Builder {
        private Action defaultAction;
        private Action unknownSyscallAction = Action.errno(Linux.ENOSYS);
        private final List<Rule> rules = new ArrayList<>();

        private Builder(Action defaultAction) {
            this.defaultAction = Objects.requireNonNull(defaultAction);
        }

        public Builder defaultAction(Action action) {
            this.defaultAction = Objects.requireNonNull(action);
            return this;
        }

        public Builder unknownSyscalls(Action action) {
            this.unknownSyscallAction = Objects.requireNonNull(action);
            return this;
        }

        /**
         * For syscall, when every check holds, take action. The name must be a
         * syscall of x86_64 or aarch64 (a typo is an error, not a silent no-op).
         */
        public Builder rule(String syscall, Action action, ArgCheck... checks) {
            if (!SyscallRules.isSyscall(syscall)) {
                throw new IllegalArgumentException("no system call named " + syscall + " on x86_64 or aarch64");
            }
            rules.add(new Rule(syscall, action, List.of(checks)));
            return this;
        }

        /** Unconditional rules with one action for several syscalls. */
        public Builder rules(Action action, String... syscalls) {
            for (String s : syscalls) {
                rule(s, action);
            }
            return this;
        }

        public Builder allow(String... syscalls) {
            return rules(Action.allow(), syscalls);
        }

        public SeccompPolicy build() {
            return new SeccompPolicy(this);
        }
    }
}
