package io.jiso.seccomp;

import static io.jiso.seccomp.SeccompCompilerTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.SeccompPolicy;
import io.jiso.SeccompPolicy.Action;
import io.jiso.SeccompPolicy.Kind;
import io.jiso.SeccompPolicy.Rule;
import io.jiso.nativegen.Abi;
import io.jiso.seccomp.SeccompCompilerTest.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the two built-in policies answer, run through their compiled filters:
 * the strict allow-list lets the runtimes' calls through and nothing for
 * networking, identity or administration; both refuse every namespace flag;
 * and the strict policy never allows what the default one refuses.
 */
class BuiltinPoliciesTest {
    private static final List<String> NAMESPACE_FLAGS = List.of(
            "CLONE_NEWNS",
            "CLONE_NEWUTS",
            "CLONE_NEWIPC",
            "CLONE_NEWUSER",
            "CLONE_NEWPID",
            "CLONE_NEWNET",
            "CLONE_NEWCGROUP");

    private static int allow(Abi abi) {
        return encode(abi, Action.allow());
    }

    private static int eperm(Abi abi) {
        return encode(abi, Action.errno("EPERM"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void strictAllowsWhatRuntimesCallAndNothingForNetworkingIdentityOrAdministration(String arch) {
        Subject s = Subject.of(SeccompPolicy.strict(), arch);
        Abi abi = s.abi();
        for (String call : List.of(
                "read",
                "write",
                "openat",
                "close",
                "mmap",
                "mprotect",
                "munmap",
                "brk",
                "futex",
                "execve",
                "exit_group",
                "rt_sigaction",
                "rt_sigreturn",
                "clock_gettime",
                "getrandom",
                "prlimit64",
                "newfstatat",
                "statx",
                "getdents64",
                "pipe2",
                "wait4",
                "sched_getaffinity",
                "set_robust_list",
                "rseq")) {
            assertEquals(allow(abi), s.verdict(s.nr(call)), call);
        }
        for (String call : List.of(
                "socket",
                "connect",
                "bind",
                "listen",
                "accept4",
                "sendto",
                "recvfrom",
                "sendmsg",
                "setsockopt",
                "setuid",
                "setgid",
                "setresuid",
                "setgroups",
                "capset",
                "fchown",
                "fchownat",
                "mount",
                "umount2",
                "pivot_root",
                "unshare",
                "setns",
                "ptrace",
                "bpf",
                "perf_event_open",
                "keyctl",
                "init_module",
                "reboot",
                "sethostname",
                "settimeofday",
                "mknodat",
                "io_uring_setup",
                "userfaultfd",
                "process_vm_readv",
                "kcmp",
                "acct",
                "swapon")) {
            assertEquals(eperm(abi), s.verdict(s.nr(call)), call);
        }
        long addrNoRandomize = 0x0040000;
        assertEquals(eperm(abi), s.verdict(s.nr("personality"), addrNoRandomize), "personality(ADDR_NO_RANDOMIZE)");
        assertEquals(allow(abi), s.verdict(s.nr("personality"), 0xFFFF_FFFFL), "personality query");
        assertEquals(encode(abi, Action.errno("ENOSYS")), s.verdict(s.nr("clone3")), "clone3: glibc falls back");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void neitherPolicyLetsCloneOrUnshareMakeANamespace(String arch) {
        for (SeccompPolicy policy : List.of(SeccompPolicy.defaultPolicy(), SeccompPolicy.strict())) {
            Subject s = Subject.of(policy, arch);
            Abi abi = s.abi();
            long fork = abi.longConstant("SIGCHLD");
            long thread = abi.longConstant("CLONE_VM")
                    | abi.longConstant("CLONE_THREAD")
                    | abi.longConstant("CLONE_SIGHAND")
                    | abi.longConstant("CLONE_SETTLS");
            assertEquals(allow(abi), s.verdict(s.nr("clone"), fork), "fork");
            assertEquals(allow(abi), s.verdict(s.nr("clone"), thread), "thread");
            for (String flag : NAMESPACE_FLAGS) {
                long f = abi.longConstant(flag);
                assertEquals(eperm(abi), s.verdict(s.nr("clone"), fork | f), "clone " + flag);
                assertEquals(eperm(abi), s.verdict(s.nr("unshare"), f), "unshare " + flag);
            }
            assertEquals(eperm(abi), s.verdict(s.nr("unshare"), abi.longConstant("CLONE_NEWTIME")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void onlyTheDefaultPolicyLetsUnshareTakePrivateCopiesOfTablesItShares(String arch) {
        long files = Abi.of(arch).longConstant("CLONE_FILES");
        Subject def = Subject.of(SeccompPolicy.defaultPolicy(), arch);
        assertEquals(allow(def.abi()), def.verdict(def.nr("unshare"), files));
        Subject strict = Subject.of(SeccompPolicy.strict(), arch);
        assertEquals(eperm(strict.abi()), strict.verdict(strict.nr("unshare"), files));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void bothPoliciesRefuseToFakeTerminalInputAndAllowOtherIoctls(String arch) {
        for (SeccompPolicy policy : List.of(SeccompPolicy.defaultPolicy(), SeccompPolicy.strict())) {
            Subject s = Subject.of(policy, arch);
            Abi abi = s.abi();
            for (String request : List.of("TIOCSTI", "TIOCLINUX")) {
                long r = abi.longConstant(request);
                assertEquals(eperm(abi), s.verdict(s.nr("ioctl"), 0, r), request);
                assertEquals(
                        eperm(abi),
                        s.verdict(s.nr("ioctl"), 0, r | 0xFFFF_FFFF_0000_0000L),
                        request + " with the upper half the kernel ignores");
            }
            // TCGETS, TIOCGWINSZ, FIONREAD, FIOCLEX: asm-generic numbers, the same on both architectures
            for (long request : new long[] {0x5401, 0x5413, 0x541B, 0x5451}) {
                assertEquals(allow(abi), s.verdict(s.nr("ioctl"), 1, request), Long.toHexString(request));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void strictNeverAllowsWhatTheDefaultPolicyRefuses(String arch) {
        Subject def = Subject.of(SeccompPolicy.defaultPolicy(), arch);
        Subject strict = Subject.of(SeccompPolicy.strict(), arch);
        Abi abi = def.abi();
        // Arguments that the rules of either policy look at, and plain ones.
        List<long[]> argumentSets = new ArrayList<>();
        argumentSets.add(new long[6]);
        for (Rule r : SeccompPolicy.defaultPolicy().rules()) {
            r.checks().forEach(c -> {
                long[] args = new long[6];
                args[c.index()] = c.op() == SeccompPolicy.Op.MASKED_EQ ? c.mask() : c.value();
                argumentSets.add(args);
            });
        }
        int checked = 0;
        for (Map.Entry<String, Integer> call : abi.syscalls().entrySet()) {
            for (long[] args : argumentSets) {
                int d = def.verdict(call.getValue(), args);
                if (d != allow(abi)) {
                    assertNotEquals(
                            allow(abi),
                            strict.verdict(call.getValue(), args),
                            call.getKey() + " is refused by the default policy but allowed by the strict one");
                    checked++;
                }
            }
        }
        assertTrue(checked > 80, "the default policy refuses something: " + checked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void theDefaultPolicyAllowsByDefaultAndItsUnconditionalRulesOnlyRefuse(String arch) {
        SeccompPolicy p = SeccompPolicy.defaultPolicy();
        assertEquals(Kind.ALLOW, p.defaultAction().kind());
        assertEquals(Action.errno("ENOSYS"), p.unknownSyscallAction());
        for (Rule r : p.rules()) {
            if (r.checks().isEmpty()) {
                assertEquals(Kind.ERRNO, r.action().kind(), r.syscall());
            }
        }
        assertEquals(Kind.ERRNO, SeccompPolicy.strict().defaultAction().kind());
        Subject s = Subject.of(p, arch);
        // a number past the table (a call newer than the headers): ENOSYS so libc falls back
        int past = s.abi().syscalls().values().stream().max(Integer::compare).orElseThrow() + 1;
        assertEquals(encode(s.abi(), Action.errno("ENOSYS")), s.verdict(past));
        assertEquals(
                encode(s.abi(), Action.errno("ENOSYS")),
                Subject.of(SeccompPolicy.strict(), arch).verdict(past));
    }
}
