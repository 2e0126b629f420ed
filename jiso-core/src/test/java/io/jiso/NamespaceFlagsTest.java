package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.SeccompPolicy.Kind;
import io.jiso.SeccompPolicy.Op;
import io.jiso.SeccompPolicy.Rule;
import io.jiso.nativegen.Abi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each namespace is its kernel's CLONE_NEW* flag, one bit of its own, and
 * the default seccomp policy's rules on clone and unshare cover every one.
 */
class NamespaceFlagsTest {
    private static final Map<Namespace, String> KERNEL_NAMES = Map.of(
            Namespace.PID,
            "CLONE_NEWPID",
            Namespace.MOUNT,
            "CLONE_NEWNS",
            Namespace.UTS,
            "CLONE_NEWUTS",
            Namespace.IPC,
            "CLONE_NEWIPC",
            Namespace.NET,
            "CLONE_NEWNET",
            Namespace.CGROUP,
            "CLONE_NEWCGROUP",
            Namespace.USER,
            "CLONE_NEWUSER",
            Namespace.TIME,
            "CLONE_NEWTIME");

    @Test
    void eachNamespaceIsItsKernelFlagOnBothArchitectures() {
        assertEquals(Namespace.values().length, KERNEL_NAMES.size());
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            Abi abi = Abi.of(arch);
            for (Namespace n : Namespace.values()) {
                assertEquals(abi.longConstant(KERNEL_NAMES.get(n)), n.cloneFlag(), arch + " " + n);
            }
        }
    }

    @Test
    void theFlagsAreSingleDistinctBitsThatFitClonesInt() {
        long all = 0;
        for (Namespace n : Namespace.values()) {
            assertEquals(1, Long.bitCount(n.cloneFlag()), n.name());
            assertEquals(0, all & n.cloneFlag(), n + " shares a bit");
            all |= n.cloneFlag();
        }
        assertEquals(0, all >>> 32, "unshare(2) and clone(2) take an int");
    }

    /** The masks of the default policy's conditional "allow" rules on a call. */
    private static List<Long> allowMasks(String call) {
        return SeccompPolicy.defaultPolicy().rules().stream()
                .filter(r -> r.syscall().equals(call)
                        && r.action().kind() == Kind.ALLOW
                        && !r.checks().isEmpty())
                .map(Rule::checks)
                .map(List::getFirst)
                .peek(c -> assertTrue(c.op() == Op.MASKED_EQ && c.value() == 0 && c.index() == 0, c.toString()))
                .map(SeccompPolicy.ArgCheck::mask)
                .toList();
    }

    @Test
    void theDefaultPolicyAllowsUnshareAndCloneOnlyWithoutAnyNamespaceFlag() {
        List<Long> unshare = allowMasks("unshare");
        assertEquals(1, unshare.size());
        for (Namespace n : Namespace.values()) {
            assertEquals(n.cloneFlag(), unshare.getFirst() & n.cloneFlag(), "unshare " + n);
        }
        List<Long> clone = allowMasks("clone");
        assertEquals(1, clone.size());
        for (Namespace n : Namespace.values()) {
            if (n != Namespace.TIME) { // in clone's flags that bit is part of the exit signal (CSIGNAL)
                assertEquals(n.cloneFlag(), clone.getFirst() & n.cloneFlag(), "clone " + n);
            }
        }
        assertEquals(0, clone.getFirst() & 0xFF, "the exit signal byte is free");
    }
}
