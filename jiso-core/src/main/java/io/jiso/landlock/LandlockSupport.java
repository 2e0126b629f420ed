package io.jiso.landlock;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.Sys;

/** The running kernel's Landlock ABI version, asked once per JVM. */
public final class LandlockSupport {
    private LandlockSupport() {}

    private static volatile int version = -1;

    /** The ABI version, 0 if the kernel has no Landlock. */
    public static int abiVersion() {
        int v = version;
        if (v < 0) {
            try {
                v = Sys.landlockAbiVersion();
            } catch (HostSetupFailure e) {
                v = 0;
            }
            version = v;
        }
        return v;
    }

    /** Throws unless the kernel enforces Landlock. */
    public static void require() throws FeatureUnavailable {
        if (abiVersion() == 0) {
            throw new FeatureUnavailable(
                    "apply Landlock rules",
                    0,
                    "",
                    "this kernel has no Landlock (CONFIG_SECURITY_LANDLOCK, or 'landlock' missing from lsm=)");
        }
    }
}
