package io.jiso.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who the program runs as, as a value: which ids are valid, and that it is immutable and derived by copy. */
class PrivilegeSpecTest {

    private static void invalid(long uid, long gid, List<Long> groups, String id) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new PrivilegeSpec(uid, gid, groups, Set.of(), true));
        assertEquals("not a valid uid/gid: " + id, e.getMessage());
    }

    @Test
    void everyIdMayBe0To4294967294AndNothingElse() {
        new PrivilegeSpec(0, 0, List.of(0L), Set.of(), true);
        new PrivilegeSpec(0xFFFF_FFFEL, 0xFFFF_FFFEL, List.of(0xFFFF_FFFEL), Set.of(), true);
        invalid(0, 0xFFFF_FFFFL, List.of(), "4294967295"); // (gid_t) -1: "unchanged" to setresgid
        invalid(0, -1, List.of(), "-1");
        invalid(0, 0, List.of(5L, 0xFFFF_FFFFL), "4294967295");
        invalid(0, 0, List.of(-2L), "-2");
        invalid(1L << 32, 0, List.of(), "4294967296");
    }

    @Test
    void groupsAndCapabilitiesAreCopiesThatCannotChange() {
        List<Long> groups = new ArrayList<>(List.of(10L, 20L));
        Set<KernelCapability> keep = EnumSet.of(KernelCapability.CAP_KILL);
        PrivilegeSpec spec = new PrivilegeSpec(1000, 1000, groups, keep, true);
        groups.add(0L);
        keep.add(KernelCapability.CAP_SYS_ADMIN);
        assertEquals(List.of(10L, 20L), spec.groups());
        assertEquals(Set.of(KernelCapability.CAP_KILL), spec.keep());
        assertThrows(UnsupportedOperationException.class, () -> spec.groups().add(0L));
        assertThrows(UnsupportedOperationException.class, () -> spec.keep().add(KernelCapability.CAP_SYS_ADMIN));
        assertThrows(NullPointerException.class, () -> new PrivilegeSpec(0, 0, List.of(), null, true));
        List<Long> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> new PrivilegeSpec(0, 0, withNull, Set.of(), true));
    }

    @Test
    void derivingChangesOnlyWhatItNames() {
        PrivilegeSpec base = new PrivilegeSpec(1, 2, List.of(3L), Set.of(KernelCapability.CAP_CHOWN), false);
        PrivilegeSpec who = base.withIdentity(7, 8, List.of(9L, 10L));
        assertEquals(new PrivilegeSpec(7, 8, List.of(9L, 10L), Set.of(KernelCapability.CAP_CHOWN), false), who);
        PrivilegeSpec what = base.keeping(Set.of(KernelCapability.CAP_KILL, KernelCapability.CAP_NET_RAW));
        assertEquals(
                new PrivilegeSpec(
                        1, 2, List.of(3L), Set.of(KernelCapability.CAP_KILL, KernelCapability.CAP_NET_RAW), false),
                what);
        assertEquals(
                Set.of(), base.keeping(EnumSet.noneOf(KernelCapability.class)).keep());
        assertThrows(IllegalArgumentException.class, () -> base.withIdentity(0, 0, List.of(-1L)));
    }

    @Test
    void theTwoStartingPointsHoldNoCapabilityAndSetNoNewPrivs() {
        for (PrivilegeSpec s : List.of(PrivilegeSpec.unprivileged(), PrivilegeSpec.root())) {
            assertTrue(s.keep().isEmpty() && s.groups().isEmpty() && s.noNewPrivs(), s.toString());
        }
    }
}
