package io.jiso.seccomp;

import static io.jiso.SeccompPolicy.arg;
import static io.jiso.SeccompPolicy.arg32;
import static io.jiso.seccomp.SeccompCompilerTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiso.SeccompPolicy;
import io.jiso.SeccompPolicy.Action;
import io.jiso.nativegen.Abi;
import io.jiso.seccomp.SeccompCompilerTest.Subject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Policies a caller writes, compiled and run on synthetic seccomp_data: the
 * exact verdict for chosen calls and arguments (SeccompCompilerTest compares
 * whole policies with a reading of them; here each expectation is written
 * out).
 */
class CustomPolicyVerdictsTest {

    private static int v(Subject s, Action a) {
        return encode(s.abi(), a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void anAllowListKillsTheRestButUnknownNumbersGetTheirOwnAction(String arch) {
        SeccompPolicy p = SeccompPolicy.builder(Action.killProcess())
                .allow("read", "write", "exit_group")
                .build();
        Subject s = Subject.of(p, arch);
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("write")));
        assertEquals(v(s, Action.killProcess()), s.verdict(s.nr("openat")));
        assertEquals(v(s, Action.killProcess()), s.verdict(s.nr("getpid")));
        int past = s.abi().syscalls().values().stream().max(Integer::compare).orElseThrow() + 1;
        assertEquals(v(s, Action.errno("ENOSYS")), s.verdict(past), "unknown numbers: ENOSYS, not the default");
        Subject trapUnknown =
                Subject.of(p.toBuilder().unknownSyscalls(Action.trap()).build(), arch);
        assertEquals(v(s, Action.trap()), trapUnknown.verdict(past));
        assertEquals(v(s, Action.trap()), trapUnknown.verdict(past + 100));
        assertEquals(v(s, Action.allow()), trapUnknown.verdict(s.nr("read")));
        assertEquals(v(s, Action.killProcess()), trapUnknown.verdict(s.nr("openat")), "known calls: the default");
        int gap = 0;
        while (s.names().containsKey(gap)) {
            gap++;
        }
        assertEquals(v(s, Action.trap()), trapUnknown.verdict(gap), "a hole in the table, number " + gap);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void aForeignArchitectureIsKilledWhateverThePolicyAllows(String arch) {
        SeccompPolicy all = SeccompPolicy.builder(Action.allow())
                .unknownSyscalls(Action.allow())
                .build();
        Subject s = Subject.of(all, arch);
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("read")));
        Abi other = Abi.of(arch.equals("x86_64") ? "aarch64" : "x86_64");
        assertEquals(v(s, Action.killProcess()), s.verdictArch(s.nr("read"), other.auditArch()));
        assertEquals(v(s, Action.killProcess()), s.verdictArch(s.nr("read"), 0));
        assertEquals(
                v(s, Action.killProcess()), s.verdictArch(s.nr("read"), s.abi().auditArch() ^ 1));
    }

    @Test
    void x32CallsAreKilledEvenWhereEverythingIsAllowed() {
        SeccompPolicy all = SeccompPolicy.builder(Action.allow())
                .unknownSyscalls(Action.allow())
                .build();
        Subject s = Subject.of(all, "x86_64");
        int x32 = (int) s.abi().longConstant("__X32_SYSCALL_BIT");
        for (String call : new String[] {"read", "execve", "openat", "ioctl"}) {
            assertEquals(v(s, Action.killProcess()), s.verdict(x32 | s.nr(call)), call);
        }
        assertEquals(v(s, Action.killProcess()), s.verdict(x32 + 512 + 100), "x32's own numbers");
        assertEquals(v(s, Action.allow()), s.verdict(x32 - 1), "below the bit: an unknown number");
        assertEquals(v(s, Action.allow()), s.verdict(-1), "syscall(-1) is the unknown action, not a kill");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void theNewestRuleWhoseChecksHoldDecides(String arch) {
        SeccompPolicy p = SeccompPolicy.builder(Action.errno(1))
                .rule("lseek", Action.allow())
                .rule("lseek", Action.errno(2), arg(0).eq(1))
                .rule("lseek", Action.errno(3), arg(0).ge(1), arg(0).le(10))
                .rule("fcntl", Action.errno(4), arg(1).eq(5))
                .rule("fcntl", Action.errno(5)) // unconditional and newer: the conditional one never decides
                .build();
        Subject s = Subject.of(p, arch);
        int lseek = s.nr("lseek");
        assertEquals(v(s, Action.errno(3)), s.verdict(lseek, 1), "both hold: the newest wins");
        assertEquals(v(s, Action.errno(3)), s.verdict(lseek, 10));
        assertEquals(v(s, Action.allow()), s.verdict(lseek, 11), "none holds: the unconditional rule");
        assertEquals(v(s, Action.allow()), s.verdict(lseek, 0));
        assertEquals(v(s, Action.allow()), s.verdict(lseek, 1L << 32 | 1), "a 64-bit value beyond 10");
        assertEquals(v(s, Action.errno(5)), s.verdict(s.nr("fcntl"), 0, 5));
        assertEquals(v(s, Action.errno(1)), s.verdict(s.nr("read")), "no rule: the default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void allChecksOfARuleMustHold(String arch) {
        SeccompPolicy p = SeccompPolicy.builder(Action.allow())
                .rule("pread64", Action.errno(7), arg(0).gt(2), arg(2).lt(4096), arg(3).ne(0))
                .build();
        Subject s = Subject.of(p, arch);
        int pread = s.nr("pread64");
        assertEquals(v(s, Action.errno(7)), s.verdict(pread, 3, 0, 100, 1));
        assertEquals(v(s, Action.allow()), s.verdict(pread, 2, 0, 100, 1), "arg0 not > 2");
        assertEquals(v(s, Action.allow()), s.verdict(pread, 3, 0, 4096, 1), "arg2 not < 4096");
        assertEquals(v(s, Action.allow()), s.verdict(pread, 3, 0, 100, 0), "arg3 is 0");
        assertEquals(v(s, Action.errno(7)), s.verdict(pread, 3, 0xFFFF, 100, 1L << 40), "arg1 is not checked");
        assertEquals(v(s, Action.errno(7)), s.verdict(pread, -1, 0, 100, 1), "unsigned: -1 > 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void arg32IgnoresTheUpperHalfAndArgComparesAll64Bits(String arch) {
        SeccompPolicy p = SeccompPolicy.builder(Action.allow())
                .rule("ioctl", Action.errno(10), arg32(1).eq(0x5412))
                .rule("fcntl", Action.errno(11), arg(1).eq(0x5412))
                .rule("dup3", Action.errno(12), arg32(2).eq(-1))
                .build();
        Subject s = Subject.of(p, arch);
        long garbage = 0x7777_0000_0000_0000L;
        assertEquals(v(s, Action.errno(10)), s.verdict(s.nr("ioctl"), 0, 0x5412));
        assertEquals(v(s, Action.errno(10)), s.verdict(s.nr("ioctl"), 0, garbage | 0x5412));
        assertEquals(v(s, Action.errno(11)), s.verdict(s.nr("fcntl"), 0, 0x5412));
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("fcntl"), 0, garbage | 0x5412));
        assertEquals(v(s, Action.errno(12)), s.verdict(s.nr("dup3"), 0, 0, 0xFFFF_FFFFL), "-1 as an int");
        assertEquals(v(s, Action.errno(12)), s.verdict(s.nr("dup3"), 0, 0, -1L));
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("dup3"), 0, 0, 0xFFFF_FFFEL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void maskedComparisonsLookOnlyAtTheMaskedBitsInEitherHalf(String arch) {
        SeccompPolicy p = SeccompPolicy.builder(Action.allow())
                .rule("mmap", Action.errno(20), arg(2).maskedEq(0x4, 0x4)) // PROT_EXEC set
                .rule("madvise", Action.errno(21), arg(2).maskedEq(0xFF00_0000_0000L, 0x1200_0000_0000L))
                .rule("mremap", Action.errno(22), arg(3).maskedEq(0x1_0000_0001L, 0x1_0000_0000L))
                .build();
        Subject s = Subject.of(p, arch);
        assertEquals(v(s, Action.errno(20)), s.verdict(s.nr("mmap"), 0, 4096, 0x7));
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("mmap"), 0, 4096, 0x3));
        assertEquals(v(s, Action.errno(21)), s.verdict(s.nr("madvise"), 0, 0, 0x12AB_CDEF_0123L));
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("madvise"), 0, 0, 0x13AB_CDEF_0123L));
        assertEquals(v(s, Action.errno(22)), s.verdict(s.nr("mremap"), 0, 0, 0, 0xF_FFFF_FFFEL));
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("mremap"), 0, 0, 0, 0xF_FFFF_FFFFL), "low bit set");
        assertEquals(v(s, Action.allow()), s.verdict(s.nr("mremap"), 0, 0, 0, 0xE_FFFF_FFFEL), "high bit clear");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void errnoValuesTrapAndLogAreEncodedAsTheKernelReadsThem(String arch) {
        SeccompPolicy p = SeccompPolicy.builder(Action.allow())
                .rule("getpid", Action.errno(0))
                .rule("getppid", Action.errno(0xFFFF))
                .rule("gettid", Action.trap())
                .rule("getuid", Action.log())
                .build();
        Subject s = Subject.of(p, arch);
        Abi abi = s.abi();
        int errno = abi.intConstant("SECCOMP_RET_ERRNO");
        assertEquals(errno, s.verdict(s.nr("getpid")), "errno 0: the call returns 0 without being made");
        assertEquals(errno | 0xFFFF, s.verdict(s.nr("getppid")));
        assertEquals(abi.intConstant("SECCOMP_RET_TRAP"), s.verdict(s.nr("gettid")));
        assertEquals(abi.intConstant("SECCOMP_RET_LOG"), s.verdict(s.nr("getuid")));
        assertEquals(abi.intConstant("SECCOMP_RET_ALLOW"), s.verdict(s.nr("getgid")));
    }

    @Test
    void aNameOnlyOneArchitectureHasIsSkippedOnTheOther() {
        SeccompPolicy p = SeccompPolicy.builder(Action.allow())
                .rule("open", Action.errno(30))
                .rule("openat", Action.errno(31))
                .build();
        Subject x86 = Subject.of(p, "x86_64");
        assertEquals(v(x86, Action.errno(30)), x86.verdict(x86.nr("open")));
        Subject arm = Subject.of(p, "aarch64");
        assertEquals(v(arm, Action.errno(31)), arm.verdict(arm.nr("openat")));
        for (var e : arm.abi().syscalls().entrySet()) {
            if (!e.getKey().equals("openat")) {
                assertEquals(v(arm, Action.allow()), arm.verdict(e.getValue()), e.getKey());
            }
        }
    }
}
