package io.jiso.capability;

import io.jiso.Capability;
import io.jiso.FeatureUnavailableException;
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
    private HeldCapabilities() {
    }

    private static volatile Set<Capability> held;

    public static void requireHeld(Set<Capability> wanted) throws FeatureUnavailableException {
        if (wanted.isEmpty()) {
            return;
        }
        Set<Capability> missing = EnumSet.copyOf(wanted);
        missing.removeAll(held());
        if (!missing.isEmpty()) {
            throw new FeatureUnavailableException("keep capabilities " + missing, 0, "",
                    "the JVM itself does not hold them, and a child can keep only what its parent has");
        }
    }

    private static Set<Capability> held() {
        Set<Capability> h = held;
        if (h == null) {
            h = EnumSet.noneOf(Capability.class);
            try {
                long mask = Sys.readFile("/proc/self/status").lines().filter(l -> l.startsWith("CapEff:"))
                        .map(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16)).findFirst().orElse(0L);
                for (Capability c : Capability.values()) {
                    if (c.value() < 64 && (mask & (1L << c.value())) != 0) {
                        h.add(c);
                    }
                }
            } catch (IOException e) {
                // unreadable /proc: assume nothing is held, so keeping anything is refused with a reason
            }
            held = h;
        }
        return h;
    }
}
