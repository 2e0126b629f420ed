package io.jiso;

import static io.jiso.SeccompPolicy.arg;
import static io.jiso.SeccompPolicy.arg32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.SeccompPolicy.Action;
import io.jiso.SeccompPolicy.ArgCheck;
import io.jiso.SeccompPolicy.Kind;
import io.jiso.SeccompPolicy.Op;
import io.jiso.SeccompPolicy.Rule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The public policy builder: what it keeps, in which order, and how it refuses bad input. */
class SeccompPolicyBuilderTest {

    private static void refused(Executable e, String... words) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String w : words) {
            assertTrue(x.getMessage().contains(w), "'" + w + "' missing from: " + x.getMessage());
        }
    }

    @Test
    void aMistypedSyscallIsRefusedByNameWhenTheRuleIsAdded() {
        SeccompPolicy.Builder b = SeccompPolicy.builder(Action.allow());
        refused(() -> b.allow("read", "mout"), "no system call named mout", "x86_64", "aarch64");
        refused(() -> b.rule("Mount", Action.errno(1)), "Mount");
        refused(() -> b.rules(Action.errno(1), ""), "no system call named ");
        assertEquals(
                List.of("read"),
                b.build().rules().stream().map(Rule::syscall).toList(),
                "the names before the typo were added, the typo was not");
        // either architecture's names are accepted
        b.allow("open", "arch_prctl", "renameat");
    }

    @Test
    void argumentChecksRefuseWhatCouldNeverMatch() {
        refused(() -> arg(6), "arguments 0..5", "6");
        refused(() -> arg32(-1), "arguments 0..5", "-1");
        refused(() -> arg32(1).eq(1L << 32), "not a 32-bit value", "100000000");
        refused(() -> arg32(1).maskedEq(0x1_0000_0000L, 0), "arg32 1: not a 32-bit mask", "100000000");
        refused(() -> arg(0).maskedEq(0xF0, 0x0F), "value f", "outside the mask f0", "could never match");
        refused(() -> new ArgCheck(0, Op.EQ, 1, 0xFF, false), "only MASKED_EQ takes a mask");
        assertThrows(NullPointerException.class, () -> new ArgCheck(0, null, 1, -1L, false));
    }

    @Test
    void thirtyTwoBitChecksTakeSignedAndUnsignedIntsAlike() {
        ArgCheck signed = arg32(0).eq(-1);
        ArgCheck unsigned = arg32(0).eq(0xFFFF_FFFFL);
        assertEquals(unsigned, signed);
        assertEquals(0xFFFF_FFFFL, signed.value());
        assertEquals(0xFFFF_FFFFL, signed.mask());
        assertEquals(
                new ArgCheck(2, Op.MASKED_EQ, 0x10, 0xFFFF_FFF0L, true),
                arg32(2).maskedEq(-16, 0x10),
                "a negative int mask is its 32 bits");
        assertEquals(-1L, arg(0).eq(-1).value(), "a 64-bit check keeps all 64 bits");
    }

    @Test
    void actionsCarryDataOnlyAsAnErrnoTheKernelCanReturn() {
        refused(() -> Action.errno(-1), "errno out of range", "-1");
        refused(() -> Action.errno(0x10000), "errno out of range", "65536");
        refused(() -> new Action(Kind.ALLOW, 1), "ALLOW takes no data");
        refused(() -> new Action(Kind.KILL_PROCESS, 9), "KILL_PROCESS takes no data");
        assertEquals(Action.errno(0xFFFF), new Action(Kind.ERRNO, 0xFFFF));
        assertEquals(Action.errno(1), Action.errno("EPERM"));
        assertEquals(Action.errno(38), Action.errno("ENOSYS"));
        refused(() -> Action.errno("ENOTANERRNO"), "ENOTANERRNO");
    }

    @Test
    void rulesKeepTheirOrderAndThePolicyIsImmutable() {
        SeccompPolicy.Builder b = SeccompPolicy.builder(Action.errno(1))
                .rule("read", Action.allow())
                .rule("ioctl", Action.errno(2), arg32(1).eq(0x5412), arg(0).lt(3))
                .rules(Action.killProcess(), "ptrace", "kcmp");
        SeccompPolicy p = b.build();
        assertEquals(
                List.of("read", "ioctl", "ptrace", "kcmp"),
                p.rules().stream().map(Rule::syscall).toList());
        assertEquals(
                List.of(arg32(1).eq(0x5412), arg(0).lt(3)), p.rules().get(1).checks());
        b.allow("write");
        assertEquals(4, p.rules().size(), "a later change to the builder does not reach a built policy");
        assertThrows(
                UnsupportedOperationException.class,
                () -> p.rules().add(p.rules().getFirst()));
        List<ArgCheck> checks = new ArrayList<>(List.of(arg(0).eq(1)));
        Rule r = new Rule("read", Action.allow(), checks);
        checks.add(arg(1).eq(2));
        assertEquals(1, r.checks().size(), "a rule copies its checks");
    }

    @Test
    void toBuilderStartsFromEverythingAndLeavesTheOriginalAlone() {
        SeccompPolicy base = SeccompPolicy.builder(Action.errno(1))
                .unknownSyscalls(Action.trap())
                .allow("read")
                .build();
        SeccompPolicy changed = base.toBuilder()
                .allow("write")
                .defaultAction(Action.killProcess())
                .build();
        assertEquals(Action.trap(), changed.unknownSyscallAction());
        assertEquals(Action.killProcess(), changed.defaultAction());
        assertEquals(
                List.of("read", "write"),
                changed.rules().stream().map(Rule::syscall).toList());
        assertEquals(Action.errno(1), base.defaultAction());
        assertEquals(1, base.rules().size());
        assertNotSame(base, base.toBuilder().build());
        assertEquals(
                Action.errno("ENOSYS"),
                SeccompPolicy.builder(Action.allow()).build().unknownSyscallAction(),
                "unknown numbers get ENOSYS unless told");
        assertThrows(NullPointerException.class, () -> SeccompPolicy.builder(null));
        assertThrows(
                NullPointerException.class,
                () -> SeccompPolicy.builder(Action.allow()).unknownSyscalls(null));
        assertThrows(
                NullPointerException.class,
                () -> SeccompPolicy.builder(Action.allow()).rule("read", null));
    }
}
