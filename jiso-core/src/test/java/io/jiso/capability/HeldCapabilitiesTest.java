package io.jiso.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static boolean has(long mask, KernelCapability c) {
        return (mask >>> c.value() & 1) != 0;
    }

    @Test
    void aStatusFieldIsReadAsAMaskOfCapabilityNumbers() {
        // Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
        // NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
        assertEquals(
                EnumSet.of(
                        KernelCapability.CAP_CHOWN,
                        KernelCapability.CAP_DAC_OVERRIDE,
                        KernelCapability.CAP_FOWNER,
                        KernelCapability.CAP_FSETID,
                        KernelCapability.CAP_KILL,
                        KernelCapability.CAP_SETGID,
                        KernelCapability.CAP_SETUID,
                        KernelCapability.CAP_SETPCAP,
                        KernelCapability.CAP_NET_BIND_SERVICE,
                        KernelCapability.CAP_NET_RAW,
                        KernelCapability.CAP_SYS_CHROOT,
                        KernelCapability.CAP_MKNOD,
                        KernelCapability.CAP_AUDIT_WRITE,
                        KernelCapability.CAP_SETFCAP),
                HeldCapabilities.parse(STATUS, "CapEff:"));
        assertEquals(
                EnumSet.allOf(KernelCapability.class),
                HeldCapabilities.parse(STATUS, "CapBnd:"),
                "bits past the enum's last (a newer kernel's) are ignored");
        assertEquals(Set.of(), HeldCapabilities.parse(STATUS, "CapInh:"));
        assertEquals(Set.of(), HeldCapabilities.parse("Name:\tjava\n", "CapEff:"), "no field: nothing held");
        assertEquals(
                EnumSet.of(KernelCapability.CAP_CHECKPOINT_RESTORE),
                HeldCapabilities.parse("CapEff:\t0000010000000000\n", "CapEff:"),
                "bit 40, in the second word");
    }

    @Test
    void heldAndInBoundingSetSayWhatThisJvmsStatusSays() throws IOException {
        long eff = ownMask("CapEff");
        long bnd = ownMask("CapBnd");
        for (KernelCapability c : KernelCapability.values()) {
            assertEquals(has(eff, c), HeldCapabilities.held(c), c.name());
            assertEquals(has(bnd, c), HeldCapabilities.inBoundingSet(c), c.name());
        }
        assertTrue(HeldCapabilities.canSetPcap(true), "a new user namespace gives its first process CAP_SETPCAP");
        assertEquals(has(eff, KernelCapability.CAP_SETPCAP), HeldCapabilities.canSetPcap(false));
    }

    @Test
    void keepingWhatTheJvmLacksIsRefusedNamingExactlyTheMissingOnes() throws Exception {
        long eff = ownMask("CapEff");
        long bnd = ownMask("CapBnd");
        HeldCapabilities.requireHeld(Set.of(), false); // nothing to keep: nothing to check
        for (boolean userNs : new boolean[] {false, true}) {
            long mask = userNs ? bnd : eff;
            for (List<KernelCapability> wanted : List.of(
                    List.of(KernelCapability.CAP_NET_BIND_SERVICE),
                    List.of(KernelCapability.CAP_SYS_ADMIN, KernelCapability.CAP_KILL),
                    List.of(KernelCapability.values()))) {
                Set<KernelCapability> missing = EnumSet.noneOf(KernelCapability.class);
                wanted.stream().filter(c -> !has(mask, c)).forEach(missing::add);
                if (missing.isEmpty()) {
                    HeldCapabilities.requireHeld(Set.copyOf(wanted), userNs);
                } else {
                    Exception e = assertThrows(
                            Exception.class, () -> HeldCapabilities.requireHeld(Set.copyOf(wanted), userNs));
                    assertTrue(
                            e.getMessage().contains("keep capabilities " + missing)
                                    && e.getMessage().contains("a child can keep only what its parent has"),
                            e.getMessage());
                }
            }
        }
    }

    @Test
    void aFullBoundingSetIsRefusedOnlyWithoutNoNewPrivsAndWithoutCapSetpcap() throws Exception {
        PrivilegeSpec withoutNnp =
                new PrivilegeSpec(PrivilegeSpec.NOBODY, PrivilegeSpec.NOBODY, List.of(), Set.of(), false);
        HeldCapabilities.requireDroppable(withoutNnp, true);
        HeldCapabilities.requireDroppable(PrivilegeSpec.unprivileged(), false);
        if (has(ownMask("CapEff"), KernelCapability.CAP_SETPCAP)) {
            HeldCapabilities.requireDroppable(withoutNnp, false);
        } else {
            Exception e = assertThrows(Exception.class, () -> HeldCapabilities.requireDroppable(withoutNnp, false));
            assertTrue(
                    e.getMessage().contains("bounding set") && e.getMessage().contains("CAP_SETPCAP"), e.getMessage());
        }
    }
}
