package io.jiso.capability;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * The capabilities the JVM itself holds (CapEff of /proc/self/status, read
 * once): a child can keep only what its parent has, and asking for more is
 * better said before the spawn than as an EPERM from capset inside it.
 */
public final class HeldCapabilities {
    private HeldCapabilities() {}

    private static volatile Set<KernelCapability> effective;
    private static volatile Set<KernelCapability> bounding;

    /**
     * Throws unless the child can keep wanted: the JVM must hold them, or, in
     * a new user namespace (where the child starts with every capability the
     * bounding set allows), have them in its bounding set.
     */
    public static void requireHeld(Set<KernelCapability> wanted, boolean inNewUserNamespace) throws FeatureUnavailable {
        if (wanted.isEmpty()) {
            return;
        }
        Set<KernelCapability> missing = EnumSet.copyOf(wanted);
        missing.removeAll(inNewUserNamespace ? bounding() : effective());
        if (!missing.isEmpty()) {
            throw new FeatureUnavailable(
                    "keep capabilities " + missing,
                    0,
                    "",
                    "the JVM itself does not hold them, and a child can keep only what its parent has");
        }
    }

    /** Whether the JVM holds c in its effective set. */
    public static boolean held(KernelCapability c) {
        return effective().contains(c);
    }

    /** Whether c is in the JVM's bounding set: a setuid-root program it runs can have c only then. */
    public static boolean inBoundingSet(KernelCapability c) {
        return bounding().contains(c);
    }

    /**
     * Whether the child can empty its bounding set and lock its securebits:
     * both need CAP_SETPCAP, which a new user namespace gives its first process.
     */
    public static boolean canSetPcap(boolean inNewUserNamespace) {
        return inNewUserNamespace || effective().contains(KernelCapability.CAP_SETPCAP);
    }

    /**
     * Throws unless the privilege drop can be done as asked: the kept
     * capabilities are held (see requireHeld), and a bounding set that stays
     * full is harmless because no_new_privs is on.
     */
    public static void requireDroppable(PrivilegeSpec spec, boolean inNewUserNamespace) throws FeatureUnavailable {
        requireHeld(spec.keep(), inNewUserNamespace);
        if (!spec.noNewPrivs() && !canSetPcap(inNewUserNamespace)) {
            throw new FeatureUnavailable(
                    "empty the capability bounding set",
                    0,
                    "",
                    "it needs"
                            + " CAP_SETPCAP, which the JVM lacks, and the sandbox has no user namespace of its own; with"
                            + " noNewPrivileges(false) a full bounding set would let a setuid program gain every capability");
        }
    }

    private static Set<KernelCapability> effective() {
        Set<KernelCapability> s = effective;
        if (s == null) {
            effective = s = read("CapEff:");
        }
        return s;
    }

    private static Set<KernelCapability> bounding() {
        Set<KernelCapability> s = bounding;
        if (s == null) {
            bounding = s = read("CapBnd:");
        }
        return s;
    }

    private static Set<KernelCapability> read(String field) {
        try {
            return parse(Sys.readFile("/proc/self/status"), field);
        } catch (IOException e) {
            // unreadable /proc: assume nothing is held, so keeping anything is refused with a reason
            return EnumSet.noneOf(KernelCapability.class);
        }
    }

    /** The capabilities in field ("CapEff:") of a /proc/pid/status text; none if it lacks the field. */
    static Set<KernelCapability> parse(String status, String field) {
        Set<KernelCapability> set = EnumSet.noneOf(KernelCapability.class);
        long mask = status.lines()
                .filter(l -> l.startsWith(field))
                .map(l -> Long.parseUnsignedLong(l.substring(field.length()).trim(), 16))
                .findFirst()
                .orElse(0L);
        for (KernelCapability c : KernelCapability.values()) {
            if (c.value() < 64 && (mask & (1L << c.value())) != 0) {
                set.add(c);
            }
        }
        return set;
    }
}
