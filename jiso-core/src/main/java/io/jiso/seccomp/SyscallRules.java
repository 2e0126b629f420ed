package io.jiso.seccomp;

import io.jiso.nativegen.Abi;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A seccomp policy as the compiler takes it: a default action, the action for
 * syscall numbers jiso's tables do not know, and rules by syscall name, later
 * ones first (see {@code io.jiso.SeccompPolicy}, which checks what callers
 * give and makes one, and whose types these mirror). Not a record: the
 * compiler caches a program per instance.
 */
public final class SyscallRules {
    private final Action defaultAction;
    private final Action unknownSyscallAction;
    private final List<Rule> rules;

    public SyscallRules(Action defaultAction, Action unknownSyscallAction, List<Rule> rules) {
        this.defaultAction = defaultAction;
        this.unknownSyscallAction = unknownSyscallAction;
        this.rules = List.copyOf(rules);
    }

    public Action defaultAction() {
        return defaultAction;
    }

    public Action unknownSyscallAction() {
        return unknownSyscallAction;
    }

    /** In the order they were added (later ones take precedence). */
    public List<Rule> rules() {
        return rules;
    }

    /** Whether name is a system call of x86_64 or aarch64, the architectures jiso compiles for. */
    public static boolean isSyscall(String name) {
        return KnownNames.ALL.contains(name);
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
        public static Action allow() {
            return new Action(Kind.ALLOW, 0);
        }

        public static Action errno(int errno) {
            return new Action(Kind.ERRNO, errno);
        }

        public static Action killProcess() {
            return new Action(Kind.KILL_PROCESS, 0);
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

    /** {@code (arg & mask) op value}, of the low 32 bits only with low32 (value and mask then fit them). */
    public record ArgCheck(int index, Op op, long value, long mask, boolean low32) {}

    /** For this syscall, when all checks hold, take action. */
    public record Rule(String syscall, Action action, List<ArgCheck> checks) {
        public Rule {
            checks = List.copyOf(checks);
        }
    }

    /** Syscall names of every architecture jiso compiles for. */
    private static final class KnownNames {
        static final Set<String> ALL = new TreeSet<>();

        static {
            ALL.addAll(Abi.of("x86_64").syscalls().keySet());
            ALL.addAll(Abi.of("aarch64").syscalls().keySet());
        }
    }
}
