package io.jiso.capability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilityStepsTest {

    @Test
    void enumMatchesTheKernelNumbering() {
        Set<Integer> values = new HashSet<>();
        for (KernelCapability c : KernelCapability.values()) {
            assertEquals(c.ordinal(), c.value(), c.name());
            values.add(c.value());
        }
        assertEquals(Linux.CAP_LAST_CAP + 1, values.size());
    }

    @Test
    void masksSplitIntoTwoWords() {
        int[] w = CapabilitySteps.masks(Set.of(
                KernelCapability.CAP_CHOWN,
                KernelCapability.CAP_NET_BIND_SERVICE,
                KernelCapability.CAP_SYSLOG,
                KernelCapability.CAP_CHECKPOINT_RESTORE));
        assertArrayEquals(new int[] {1 | 1 << 10, 1 << (34 - 32) | 1 << (40 - 32)}, w);
    }

    @Test
    void securebitsLockWhatMatters() {
        int none = CapabilitySteps.securebits(PrivilegeSpec.unprivileged());
        assertTrue((none & Linux.SECBIT_NOROOT_LOCKED) != 0);
        assertTrue((none & Linux.SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) != 0);
        assertEquals(0, none & Linux.SECBIT_KEEP_CAPS);
        int kept = CapabilitySteps.securebits(PrivilegeSpec.unprivileged().keeping(Set.of(KernelCapability.CAP_KILL)));
        assertTrue((kept & Linux.SECBIT_KEEP_CAPS) != 0, "a uid change with capabilities needs keep-caps");
        assertEquals(0, kept & Linux.SECBIT_NO_CAP_AMBIENT_RAISE);
        int root = CapabilitySteps.securebits(PrivilegeSpec.root().keeping(Set.of(KernelCapability.CAP_KILL)));
        assertEquals(0, root & Linux.SECBIT_KEEP_CAPS);
    }

    @Test
    void stepsComeInTheOrderThatWorks() {
        try (Arena arena = Arena.ofConfined()) {
            StepList steps = new StepList(arena);
            CapabilitySteps.dropPrivileges(
                    steps, PrivilegeSpec.unprivileged().keeping(Set.of(KernelCapability.CAP_KILL)), true);
            List<String> what = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                what.add(steps.describe(i));
            }
            int lastDrop = what.lastIndexOf("drop capability 63 from the bounding set");
            int securebits = indexStarting(what, "set securebits");
            int groups = indexStarting(what, "set supplementary groups");
            int gid = indexStarting(what, "set gid");
            int uid = indexStarting(what, "set uid");
            int capset = indexStarting(what, "set capabilities");
            int clear = indexStarting(what, "clear the ambient");
            int raise = indexStarting(what, "raise ambient CAP_KILL");
            int nnp = indexStarting(what, "set no_new_privs");
            assertTrue(
                    lastDrop < securebits
                            && securebits < groups
                            && groups < gid
                            && gid < uid
                            && uid < capset
                            && capset < clear
                            && clear < raise
                            && raise < nnp,
                    what.toString());
            assertEquals(nnp, steps.size() - 1);
            assertTrue(what.stream()
                    .noneMatch(s -> s.equals(
                            "drop capability " + KernelCapability.CAP_KILL.value() + " from the bounding set")));
        }
    }

    private static int indexStarting(List<String> what, String prefix) {
        for (int i = 0; i < what.size(); i++) {
            if (what.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no step " + prefix + " in " + what);
    }

    @Test
    void specValidates() {
        assertThrows(
                IllegalArgumentException.class,
                () -> PrivilegeSpec.unprivileged().withIdentity(-1, 0, List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> PrivilegeSpec.unprivileged().withIdentity(0xFFFF_FFFFL, 0, List.of()));
        assertEquals(Set.of(), PrivilegeSpec.unprivileged().keep());
    }
}
