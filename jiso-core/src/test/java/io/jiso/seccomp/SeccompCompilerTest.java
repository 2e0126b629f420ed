package io.jiso.seccomp;

import static io.jiso.SeccompPolicy.arg;
import static io.jiso.SeccompPolicy.arg32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.SeccompPolicies;
import io.jiso.SeccompPolicy;
import io.jiso.SeccompPolicy.Action;
import io.jiso.SeccompPolicy.ArgCheck;
import io.jiso.SeccompPolicy.Rule;
import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs compiled policies in a BPF interpreter and compares every verdict with
 * a direct reading of the policy (the reference below), for every syscall
 * number of both architectures and many argument values.
 */
class SeccompCompilerTest {
    private static final Abi HOST = Abi.current();
    private static final int ENOSYS = Linux.ENOSYS;
    private static final int EPERM = Linux.EPERM;

    /** The policy read directly: what the filter must answer. */
    static Action reference(SeccompPolicy p, Abi abi, Map<Integer, String> names, int nr, int arch, long[] args) {
        if (arch != abi.auditArch()) {
            return Action.killProcess();
        }
        if (abi.arch().equals("x86_64")
                && Integer.compareUnsigned(nr, (int) abi.longConstant("__X32_SYSCALL_BIT")) >= 0
                && nr != -1) {
            return Action.killProcess();
        }
        String name = names.get(nr);
        if (name == null) {
            return p.unknownSyscallAction();
        }
        List<Rule> rules = p.rules();
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule r = rules.get(i);
            if (r.syscall().equals(name) && r.checks().stream().allMatch(c -> holds(c, args[c.index()]))) {
                return r.action();
            }
        }
        return p.defaultAction();
    }

    static boolean holds(ArgCheck c, long arg) {
        long a = (c.low32() ? arg & 0xFFFF_FFFFL : arg) & c.mask();
        int cmp = Long.compareUnsigned(a, c.value());
        return switch (c.op()) {
            case EQ, MASKED_EQ -> cmp == 0;
            case NE -> cmp != 0;
            case LT -> cmp < 0;
            case LE -> cmp <= 0;
            case GT -> cmp > 0;
            case GE -> cmp >= 0;
        };
    }

    static int encode(Abi abi, Action a) {
        return switch (a.kind()) {
            case ALLOW -> abi.intConstant("SECCOMP_RET_ALLOW");
            case ERRNO -> abi.intConstant("SECCOMP_RET_ERRNO") | a.data();
            case KILL_PROCESS -> abi.intConstant("SECCOMP_RET_KILL_PROCESS");
            case TRAP -> abi.intConstant("SECCOMP_RET_TRAP");
            case LOG -> abi.intConstant("SECCOMP_RET_LOG");
        };
    }

    /** A compiled policy and everything needed to question it. */
    record Subject(
            SeccompPolicy policy, Abi abi, SeccompProgram program, BpfInterpreter bpf, Map<Integer, String> names) {
        static Subject of(SeccompPolicy policy, String arch) {
            Abi abi = Abi.of(arch);
            SeccompProgram program = SeccompCompiler.compile(SeccompPolicies.rulesOf(policy), abi);
            BpfInterpreter bpf = new BpfInterpreter(abi);
            bpf.validate(program.instructions());
            Map<Integer, String> names = new HashMap<>();
            abi.syscalls().forEach((n, nr) -> names.put(nr, n));
            return new Subject(policy, abi, program, bpf, names);
        }

        int verdict(int nr, long... args) {
            return verdictArch(nr, abi.auditArch(), args);
        }

        int verdictArch(int nr, int arch, long... args) {
            long[] six = Arrays.copyOf(args, 6);
            return bpf.run(program.instructions(), nr, arch, six);
        }

        int nr(String name) {
            return abi.syscall(name);
        }

        /** Compares the program with the reference on this input. */
        void agree(int nr, int arch, long[] args) {
            int expected = encode(abi, reference(policy, abi, names, nr, arch, args));
            int actual = verdictArch(nr, arch, args);
            if (expected != actual) {
                throw new AssertionError(String.format(
                        "%s nr=%d (%s) arch=%x args=%s: expected %08x, got %08x",
                        abi.arch(), nr, names.get(nr), arch, Arrays.toString(args), expected, actual));
            }
        }

        /**
         * Every syscall number (and gaps, and numbers past the table) with
         * zero, random and rule-derived arguments. Returns the most
         * instructions run for a syscall without argument rules.
         */
        int agreeEverywhere(long seed) {
            Random random = new Random(seed);
            Set<Long> interesting = new LinkedHashSet<>(List.of(0L, 1L, -1L, 0xFFFF_FFFFL, 1L << 32, Long.MIN_VALUE));
            for (Rule r : policy.rules()) {
                for (ArgCheck c : r.checks()) {
                    long v = c.value();
                    for (long x : new long[] {
                        v,
                        v - 1,
                        v + 1,
                        v | 0xDEAD_0000_0000L,
                        v ^ (1L << 32),
                        v & 0xFFFF_FFFFL,
                        v | ~c.mask(),
                        v | (c.mask() & 0x5555_5555_5555_5555L)
                    }) {
                        interesting.add(x);
                    }
                }
            }
            List<Long> values = new ArrayList<>(interesting);
            int max = Collections.max(names.keySet());
            int checks = 0;
            int worst = 0;
            for (int nr = -1; nr <= max + 20; nr++) {
                agree(nr, abi.auditArch(), new long[6]);
                String name = names.get(nr);
                boolean hasArgRules = name != null
                        && policy.rules().stream()
                                .anyMatch(r ->
                                        r.syscall().equals(name) && !r.checks().isEmpty());
                if (!hasArgRules) {
                    worst = Math.max(worst, bpf.executed);
                }
                for (int round = 0; round < 4; round++) {
                    long[] args = new long[6];
                    for (int i = 0; i < 6; i++) {
                        args[i] = random.nextBoolean() ? random.nextLong() : values.get(random.nextInt(values.size()));
                    }
                    agree(nr, abi.auditArch(), args);
                    checks++;
                }
                // Each argument position through every interesting value.
                if (hasArgRules) {
                    for (int i = 0; i < 6; i++) {
                        for (long v : values) {
                            long[] args = new long[6];
                            args[i] = v;
                            agree(nr, abi.auditArch(), args);
                            checks++;
                        }
                    }
                }
            }
            for (int nr : new int[] {0x3FFF_FFFF, 0x4000_0000, 0x4000_0001, 0x7FFF_FFFF, Integer.MIN_VALUE, -2}) {
                agree(nr, abi.auditArch(), new long[6]);
            }
            return worst;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void defaultPolicyAgreesWithItsReading(String arch) {
        Subject s = Subject.of(SeccompPolicy.defaultPolicy(), arch);
        int worst = s.agreeEverywhere(1);
        System.out.printf(
                "default policy, %s: %d instructions, at most %d executed for a bare syscall%n",
                arch, s.program().size(), worst);
        assertTrue(s.program().size() < Linux.BPF_MAXINSNS);
        assertTrue(worst <= 16, "the dispatch should be a binary search, not a chain: " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void strictPolicyAgreesWithItsReading(String arch) {
        Subject s = Subject.of(SeccompPolicy.strict(), arch);
        int worst = s.agreeEverywhere(2);
        System.out.printf(
                "strict policy, %s: %d instructions, at most %d executed for a bare syscall%n",
                arch, s.program().size(), worst);
        assertTrue(worst <= 16, "the dispatch should be a binary search, not a chain: " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void defaultPolicyAnswers(String arch) {
        Subject s = Subject.of(SeccompPolicy.defaultPolicy(), arch);
        Abi abi = s.abi();
        int allow = encode(abi, Action.allow());
        int eperm = encode(abi, Action.errno(EPERM));
        int enosys = encode(abi, Action.errno(ENOSYS));
        int kill = encode(abi, Action.killProcess());
        assertEquals(allow, s.verdict(s.nr("read")));
        assertEquals(allow, s.verdict(s.nr("write")));
        assertEquals(eperm, s.verdict(s.nr("mount")));
        assertEquals(eperm, s.verdict(s.nr("bpf")));
        assertEquals(eperm, s.verdict(s.nr("init_module")));
        assertEquals(enosys, s.verdict(s.nr("clone3")));
        // unknown to the table: past its end, and in a gap
        int past = Collections.max(abi.syscalls().values()) + 1;
        assertEquals(enosys, s.verdict(past));
        assertEquals(enosys, s.verdict(past + 1000));
        // foreign architecture: a 32-bit ABI on the same machine, or the other one
        for (String foreign : new String[] {
            "AUDIT_ARCH_I386",
            "AUDIT_ARCH_ARM",
            abi.arch().equals("x86_64") ? "AUDIT_ARCH_AARCH64" : "AUDIT_ARCH_X86_64"
        }) {
            assertEquals(kill, s.verdictArch(s.nr("read"), abi.intConstant(foreign)), foreign);
        }
        // clone: threads and forks yes, namespaces no
        long thread = abi.longConstant("CLONE_VM")
                | abi.longConstant("CLONE_FS")
                | abi.longConstant("CLONE_FILES")
                | abi.longConstant("CLONE_SIGHAND")
                | abi.longConstant("CLONE_THREAD");
        assertEquals(allow, s.verdict(s.nr("clone"), thread));
        assertEquals(eperm, s.verdict(s.nr("clone"), thread | abi.longConstant("CLONE_NEWUSER")));
        assertEquals(eperm, s.verdict(s.nr("unshare"), abi.longConstant("CLONE_NEWUSER")));
        assertEquals(eperm, s.verdict(s.nr("unshare"), abi.longConstant("CLONE_NEWTIME")));
        assertEquals(allow, s.verdict(s.nr("unshare"), abi.longConstant("CLONE_FILES")));
        // TIOCSTI also with garbage in the upper half the kernel ignores
        long tiocsti = abi.longConstant("TIOCSTI");
        assertEquals(eperm, s.verdict(s.nr("ioctl"), 0, tiocsti));
        assertEquals(eperm, s.verdict(s.nr("ioctl"), 0, tiocsti | 0x1234_0000_0000L));
        assertEquals(eperm, s.verdict(s.nr("ioctl"), 0, abi.longConstant("TIOCLINUX")));
        assertEquals(allow, s.verdict(s.nr("ioctl"), 0, tiocsti + 1));
        // personality: query and Linux32 yes, ADDR_NO_RANDOMIZE-like values no
        assertEquals(allow, s.verdict(s.nr("personality"), 0xFFFF_FFFFL));
        assertEquals(allow, s.verdict(s.nr("personality"), 0xFFFF_FFFF_FFFF_FFFFL));
        assertEquals(allow, s.verdict(s.nr("personality"), abi.longConstant("PER_LINUX32")));
        assertEquals(eperm, s.verdict(s.nr("personality"), 0x0040000));
    }

    /**
     * What Docker's default profile (moby, {@code profiles/seccomp/default.json}) answers
     * EPERM to for a process without capabilities, read call by call: the names of jiso's
     * x86_64 and aarch64 tables on none of its allow-lists, and the calls it allows only
     * with some arguments (clone, personality, socket; clone3 gets ENOSYS).
     */
    static final List<String> DOCKER_DENIES = List.of(
            "_sysctl",
            "acct",
            "add_key",
            "afs_syscall",
            "bpf",
            "chroot",
            "clock_settime",
            "create_module",
            "delete_module",
            "fanotify_init",
            "finit_module",
            "fsconfig",
            "fsmount",
            "fsopen",
            "fspick",
            "get_kernel_syms",
            "get_mempolicy",
            "getpmsg",
            "init_module",
            "io_uring_enter",
            "io_uring_register",
            "io_uring_setup",
            "ioperm",
            "iopl",
            "kcmp",
            "kexec_file_load",
            "kexec_load",
            "keyctl",
            "lookup_dcookie",
            "mbind",
            "migrate_pages",
            "mount",
            "mount_setattr",
            "move_mount",
            "move_pages",
            "nfsservctl",
            "open_by_handle_at",
            "open_tree",
            "perf_event_open",
            "pidfd_getfd",
            "pivot_root",
            "process_madvise",
            "putpmsg",
            "query_module",
            "quotactl",
            "quotactl_fd",
            "reboot",
            "request_key",
            "security",
            "set_mempolicy",
            "set_mempolicy_home_node",
            "setdomainname",
            "sethostname",
            "setns",
            "settimeofday",
            "swapoff",
            "swapon",
            "sysfs",
            "syslog",
            "tuxcall",
            "umount2",
            "uselib",
            "userfaultfd",
            "ustat",
            "vhangup",
            "vserver");
    /** Not implemented by Linux: jiso answers ENOSYS as the kernel would, Docker EPERM. */
    static final Set<String> UNIMPLEMENTED =
            Set.of("afs_syscall", "getpmsg", "putpmsg", "security", "tuxcall", "vserver");
    /** Denied by jiso's default policy beyond Docker's, as BuiltinPolicies' table says. */
    static final List<String> DENIED_BEYOND_DOCKER = List.of(
            "ptrace", "process_vm_readv", "process_vm_writev", "name_to_handle_at", "adjtimex", "clock_adjtime");

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void defaultPolicyDeniesWhatDockerDenies(String arch) {
        Subject s = Subject.of(SeccompPolicy.defaultPolicy(), arch);
        Abi abi = s.abi();
        int allow = encode(abi, Action.allow());
        int eperm = encode(abi, Action.errno(EPERM));
        int enosys = encode(abi, Action.errno(ENOSYS));
        for (String name : DOCKER_DENIES) {
            if (abi.syscalls().containsKey(name)) {
                assertEquals(UNIMPLEMENTED.contains(name) ? enosys : eperm, s.verdict(s.nr(name)), name);
            }
        }
        for (String name : DENIED_BEYOND_DOCKER) {
            assertEquals(eperm, s.verdict(s.nr(name)), name);
        }
        // Nothing else is denied without arguments: the table in BuiltinPolicies is complete.
        for (var e : abi.syscalls().entrySet()) {
            if (!DOCKER_DENIES.contains(e.getKey())
                    && !DENIED_BEYOND_DOCKER.contains(e.getKey())
                    && !e.getKey().equals("clone3")) {
                assertEquals(
                        allow,
                        s.verdict(e.getValue()),
                        e.getKey() + " is denied but neither Docker nor the table says so");
            }
        }
        // Docker's socket filter: every family but AF_ALG and AF_VSOCK; jiso also for socketpair,
        // and on the 32 bits the kernel reads.
        for (String call : List.of("socket", "socketpair")) {
            for (String family : List.of("AF_ALG", "AF_VSOCK")) {
                long f = abi.longConstant(family);
                assertEquals(eperm, s.verdict(s.nr(call), f, abi.longConstant("SOCK_SEQPACKET")), call + " " + family);
                assertEquals(eperm, s.verdict(s.nr(call), f | 0xABCD_0000_0000L), call + " " + family + " | garbage");
            }
            for (String family : List.of("AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_NFC")) {
                assertEquals(
                        allow,
                        s.verdict(s.nr(call), abi.longConstant(family), abi.longConstant("SOCK_STREAM")),
                        call + " " + family);
            }
        }
        // Docker's clone filter (no CLONE_NEW* flag) and clone3 with ENOSYS
        assertEquals(eperm, s.verdict(s.nr("clone"), abi.longConstant("CLONE_NEWNET")));
        assertEquals(allow, s.verdict(s.nr("clone"), abi.longConstant("SIGCHLD")));
        assertEquals(enosys, s.verdict(s.nr("clone3")));
        // Docker's personality values, and one it refuses (ADDR_NO_RANDOMIZE)
        for (String persona : List.of("PER_LINUX", "PER_LINUX32", "UNAME26")) {
            assertEquals(allow, s.verdict(s.nr("personality"), abi.longConstant(persona)), persona);
        }
        assertEquals(
                allow, s.verdict(s.nr("personality"), abi.longConstant("UNAME26") | abi.longConstant("PER_LINUX32")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void strictAllowsUnixSocketPairsOnly(String arch) {
        Subject s = Subject.of(SeccompPolicy.strict(), arch);
        Abi abi = s.abi();
        int allow = encode(abi, Action.allow());
        int eperm = encode(abi, Action.errno(EPERM));
        long stream = abi.longConstant("SOCK_STREAM") | abi.longConstant("SOCK_CLOEXEC");
        assertEquals(allow, s.verdict(s.nr("socketpair"), abi.longConstant("AF_UNIX"), stream));
        assertEquals(
                allow,
                s.verdict(s.nr("socketpair"), abi.longConstant("AF_UNIX") | 1L << 40, stream),
                "the family is an int: the kernel ignores the upper half, so does the rule");
        for (String family : List.of("AF_INET", "AF_INET6", "AF_NETLINK", "AF_ALG", "AF_VSOCK")) {
            assertEquals(eperm, s.verdict(s.nr("socketpair"), abi.longConstant(family), stream), family);
        }
        for (String call : List.of("socket", "connect", "bind", "sendto", "pidfd_getfd", "process_madvise", "ptrace")) {
            assertEquals(eperm, s.verdict(s.nr(call), abi.longConstant("AF_UNIX")), call);
        }
    }

    @Test
    void aarch64sTableLengthIsNoCall() {
        // __NR_syscalls is the number the next kernel's first new call gets (cachestat on 6.5):
        // unknown to the tables, so ENOSYS, not allowed as if it were a call named "syscalls".
        Abi arm = Abi.of("aarch64");
        assertTrue(!arm.syscalls().containsKey("syscalls") && !arm.syscalls().containsKey("arch_specific_syscall"));
        Subject s = Subject.of(SeccompPolicy.defaultPolicy(), "aarch64");
        assertEquals(encode(arm, Action.errno(ENOSYS)), s.verdict(arm.intConstant("__NR_syscalls")));
        assertEquals(encode(arm, Action.errno(ENOSYS)), s.verdict(arm.intConstant("__NR_arch_specific_syscall")));
    }

    @Test
    void x32IsKilledOnX86_64() {
        Subject s = Subject.of(SeccompPolicy.defaultPolicy(), "x86_64");
        int x32 = (int) s.abi().longConstant("__X32_SYSCALL_BIT");
        int kill = encode(s.abi(), Action.killProcess());
        assertEquals(kill, s.verdict(x32 | s.nr("read")));
        assertEquals(kill, s.verdict(x32 | s.nr("mount")));
        assertEquals(kill, s.verdict(x32));
        assertEquals(encode(s.abi(), Action.errno(ENOSYS)), s.verdict(-1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void sixtyFourBitComparisons(String arch) {
        long v = 0x0000_0001_8000_0000L; // both halves matter
        SeccompPolicy.Builder b = SeccompPolicy.builder(Action.allow());
        String[] calls = {"read", "write", "lseek", "fcntl", "pread64", "pwrite64", "mmap"};
        SeccompPolicy.Op[] ops = SeccompPolicy.Op.values();
        for (int i = 0; i < ops.length; i++) {
            ArgCheck c = switch (ops[i]) {
                case EQ -> arg(1).eq(v);
                case NE -> arg(1).ne(v);
                case LT -> arg(1).lt(v);
                case LE -> arg(1).le(v);
                case GT -> arg(1).gt(v);
                case GE -> arg(1).ge(v);
                case MASKED_EQ -> arg(1).maskedEq(0xFFFF_0000_FFFF_0000L, 0x0001_0000_8000_0000L);
            };
            b.rule(calls[i], Action.errno(100 + i), c);
        }
        b.rule("close", Action.errno(42), arg(0).ge(3), arg(0).le(1L << 40), arg32(1).ne(7));
        SeccompPolicy p = b.build();
        Subject s = Subject.of(p, arch);
        s.agreeEverywhere(3);
        int e = encode(s.abi(), Action.errno(100));
        assertEquals(e, s.verdict(s.nr("read"), 0, v));
        assertEquals(encode(s.abi(), Action.allow()), s.verdict(s.nr("read"), 0, v & 0xFFFF_FFFFL)); // low half alone
        assertEquals(encode(s.abi(), Action.allow()), s.verdict(s.nr("read"), 0, v + (1L << 32))); // high half alone
        for (long a : new long[] {v - 1, v, v + 1, v - (1L << 32), v + (1L << 32), 0, -1}) {
            for (int i = 0; i < calls.length; i++) {
                s.agree(s.nr(calls[i]), s.abi().auditArch(), new long[] {0, a, 0, 0, 0, 0});
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void moreThan255RulesNeedLongJumps(String arch) {
        SeccompPolicy.Builder b = SeccompPolicy.builder(Action.allow());
        // 300 conditional rules on one syscall, and many on others around it.
        for (int i = 0; i < 300; i++) {
            b.rule("ioctl", Action.errno(1 + i % 200), arg32(1).eq(0x5400 + i));
        }
        for (String name : List.of("read", "write", "openat", "close", "mmap", "futex")) {
            for (int i = 0; i < 30; i++) {
                b.rule(name, Action.errno(1 + i), arg(0).eq(1000 + i), arg(2).lt(1L << (i % 63)));
            }
        }
        Subject s = Subject.of(b.build(), arch);
        int ja = s.abi().intConstant("BPF_JMP") | s.abi().intConstant("BPF_JA");
        boolean hasJa = false;
        for (long[] in : s.program().instructions()) {
            hasJa |= in[0] == ja;
        }
        assertTrue(
                hasJa,
                "expected BPF_JA trampolines in a program of " + s.program().size());
        assertTrue(s.program().size() > 1000, "size " + s.program().size());
        s.agreeEverywhere(4);
        for (int i = 0; i < 300; i++) {
            assertEquals(encode(s.abi(), Action.errno(1 + i % 200)), s.verdict(s.nr("ioctl"), 1, 0x5400 + i));
        }
    }

    @Test
    void tooLargeIsRefused() {
        SeccompPolicy.Builder b = SeccompPolicy.builder(Action.allow());
        for (int i = 0; i < 2100; i++) {
            b.rule("ioctl", Action.errno(1), arg(1).eq(i));
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> SeccompCompiler.compile(SeccompPolicies.rulesOf(b.build()), HOST));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void laterRulesWinAndToBuilderOverrides(String arch) {
        SeccompPolicy p = SeccompPolicy.defaultPolicy().toBuilder()
                .allow("ptrace")
                .rule("mount", Action.errno(77))
                .rule("getpid", Action.trap())
                .rule("gettid", Action.log())
                .build();
        Subject s = Subject.of(p, arch);
        assertEquals(encode(s.abi(), Action.allow()), s.verdict(s.nr("ptrace")));
        assertEquals(encode(s.abi(), Action.errno(77)), s.verdict(s.nr("mount")));
        assertEquals(encode(s.abi(), Action.trap()), s.verdict(s.nr("getpid")));
        assertEquals(encode(s.abi(), Action.log()), s.verdict(s.nr("gettid")));
        s.agreeEverywhere(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void tinyPolicies(String arch) {
        for (SeccompPolicy p : List.of(
                SeccompPolicy.builder(Action.allow()).build(),
                SeccompPolicy.builder(Action.killProcess()).allow("exit_group").build(),
                SeccompPolicy.builder(Action.allow())
                        .unknownSyscalls(Action.allow())
                        .build())) {
            Subject s = Subject.of(p, arch);
            s.agreeEverywhere(6);
        }
        assertEquals(
                encode(Abi.of(arch), Action.killProcess()),
                Subject.of(
                                SeccompPolicy.builder(Action.killProcess())
                                        .allow("exit_group")
                                        .build(),
                                arch)
                        .verdict(Abi.of(arch).syscall("read")));
    }

    @Test
    void namesAndValuesAreChecked() {
        SeccompPolicy.Builder b = SeccompPolicy.builder(Action.allow());
        assertThrows(IllegalArgumentException.class, () -> b.allow("mout"));
        assertThrows(IllegalArgumentException.class, () -> arg(6));
        assertThrows(IllegalArgumentException.class, () -> arg32(0).eq(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> arg(0).maskedEq(0xF0, 0x0F));
        assertThrows(IllegalArgumentException.class, () -> Action.errno(-1));
        // a name only one architecture has is fine, and skipped on the other
        Subject s = Subject.of(
                SeccompPolicy.builder(Action.allow())
                        .rule("open", Action.errno(1))
                        .build(),
                "aarch64");
        s.agreeEverywhere(7);
    }

    @Test
    void opcodesAndReturnValuesAreTheSameOnBothArchitectures() {
        // SeccompCompiler takes them from the running architecture whichever it compiles for.
        Abi x86 = Abi.of("x86_64");
        Abi arm = Abi.of("aarch64");
        for (String name : List.of(
                "BPF_LD",
                "BPF_W",
                "BPF_ABS",
                "BPF_JMP",
                "BPF_JA",
                "BPF_K",
                "BPF_JEQ",
                "BPF_JGT",
                "BPF_JGE",
                "BPF_ALU",
                "BPF_AND",
                "BPF_RET",
                "BPF_MAXINSNS",
                "SECCOMP_RET_ALLOW",
                "SECCOMP_RET_ERRNO",
                "SECCOMP_RET_DATA",
                "SECCOMP_RET_KILL_PROCESS",
                "SECCOMP_RET_TRAP",
                "SECCOMP_RET_LOG")) {
            assertEquals(x86.longConstant(name), arm.longConstant(name), name);
        }
    }
}
