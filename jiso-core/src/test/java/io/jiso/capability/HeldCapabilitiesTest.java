package io.jiso.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Which capabilities the JVM holds, read from /proc/self/status: the parsing
 * on fixed texts, and the checks against what this JVM's own status says
 * (read here independently), whoever runs the tests.
 */
class HeldCapabilitiesTest {
    private static final String STATUS = """
            Name:\tjava
            Umask:\t0022
            CapInh:\t0000000000000000
            CapPrm:\t00000000a80425fb
            CapEff:\t00000000a80425fb
            CapBnd:\t000001ffffffffff
            CapAmb:\t0000000000000000
            NoNewPrivs:\t0
            """;

    /** The bits of a hex mask in this JVM's /proc/self/status, read without the code under test. */
    private static long ownMask(String field) throws IOException {
        Matcher m = Pattern.compile("^" + field + ":\\s*([0-9a-f]+)$", Pattern.MULTILINE)
                .matcher(new String(Files.readAllBytes(Path.of("/proc/self/status"))));
        assertTrue(m.find(), field);
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    private static boolean has(long mask, Capability c) {
        return (mask >>> c.value() & 1) != 0;
    }

    @Test
    void aStatusFieldIsReadAsAMaskOfCapabilityNumbers() {
        // Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
        // NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
        assertEquals(EnumSet.of(Capability.CAP_CHOWN, Capability.CAP_DAC_OVERRIDE, Capability.CAP_FOWNER,
                Capability.CAP_FSETID, Capability.CAP_KILL, Capability.CAP_SETGID, Capability.CAP_SETUID,
                Capability.CAP_SETPCAP, Capability.CAP_NET_BIND_SERVICE, Capability.CAP_NET_RAW,
                Capability.CAP_SYS_CHROOT, Capability.CAP_MKNOD, Capability.CAP_AUDIT_WRITE, Capability.CAP_SETFCAP),
                HeldCapabilities.parse(STATUS, "CapEff:"));
        assertEquals(EnumSet.allOf(Capability.class), HeldCapabilities.parse(STATUS, "CapBnd:"),
                "bits past the enum's last (a newer kernel's) are ignored");
        assertEquals(Set.of(), HeldCapabilities.parse(STATUS, "CapInh:"));
        assertEquals(Set.of(), HeldCapabilities.parse("Name:\tjava\n", "CapEff:"), "no field: nothing held");
        assertEquals(EnumSet.of(Capability.CAP_CHECKPOINT_RESTORE),
                HeldCapabilities.parse("CapEff:\t0000010000000000\n", "CapEff:"), "bit 40, in the second word");
    }

    @Test
    void heldAndInBoundingSetSayWhatThisJvmsStatusSays() throws IOException {
        long eff = ownMask("CapEff");
        long bnd = ownMask("CapBnd");
        for (Capability c : Capability.values()) {
            assertEquals(has(eff, c), HeldCapabilities.held(c), c.name());
            assertEquals(has(bnd, c), HeldCapabilities.inBoundingSet(c), c.name());
        }
        assertTrue(HeldCapabilities.canSetPcap(true), "a new user namespace gives its first process CAP_SETPCAP");
        assertEquals(has(eff, Capability.CAP_SETPCAP), HeldCapabilities.canSetPcap(false));
    }

    @Test
    void keepingWhatTheJvmLacksIsRefusedNamingExactlyTheMissingOnes() throws Exception {
        long eff = ownMask("CapEff");
        long bnd = ownMask("CapBnd");
        HeldCapabilities.requireHeld(Set.of(), false); // nothing to keep: nothing to check
        for (boolean userNs : new boolean[] {false, true}) {
            long mask = userNs ? bnd : eff;
            for (List<Capability> wanted : List.of(List.of(Capability.CAP_NET_BIND_SERVICE),
                    List.of(Capability.CAP_SYS_ADMIN, Capability.CAP_KILL), List.of(Capability.values()))) {
                Set<Capability> missing = EnumSet.noneOf(Capability.class);
                wanted.stream().filter(c -> !has(mask, c)).forEach(missing::add);
                if (missing.isEmpty()) {
                    HeldCapabilities.requireHeld(Set.copyOf(wanted), userNs);
                } else {
                    Exception e = assertThrows(Exception.class,
                            () -> HeldCapabilities.requireHeld(Set.copyOf(wanted), userNs));
                    assertTrue(e.getMessage().contains("keep capabilities " + missing)
                            && e.getMessage().contains("a child can keep only what its parent has"), e.getMessage());
                }
            }
        }
    }

    @Test
    void aFullBoundingSetIsRefusedOnlyWithoutNoNewPrivsAndWithoutCapSetpcap() throws Exception {
        PrivilegeSpec withoutNnp = new PrivilegeSpec(PrivilegeSpec.NOBODY, PrivilegeSpec.NOBODY, List.of(), Set.of(),
                false);
        HeldCapabilities.requireDroppable(withoutNnp, true);
        HeldCapabilities.requireDroppable(PrivilegeSpec.unprivileged(), false);
        if (has(ownMask("CapEff"), Capability.CAP_SETPCAP)) {
            HeldCapabilities.requireDroppable(withoutNnp, false);
        } else {
            Exception e = assertThrows(Exception.class, () -> HeldCapabilities.requireDroppable(withoutNnp, false));
            assertTrue(e.getMessage().contains("bounding set") && e.getMessage().contains("CAP_SETPCAP"),
                    e.getMessage());
        }
    }
}
