package io.jiso.spawn;

import io.jiso.FeatureUnavailableException;
import io.jiso.Namespace;
import io.jiso.capability.HeldCapabilities;
import io.jiso.landlock.LandlockSupport;
import io.jiso.user.Rootless;

/**
 * What the host and the JVM's privileges allow, checked before the spawn: a
 * refusal then names the missing feature or privilege instead of arriving as
 * an errno from a step in the child.
 */
final class Preflight {
    private Preflight() {
    }

    static void check(SandboxSpec spec) throws FeatureUnavailableException {
        if (spec.landlock() != null) {
            LandlockSupport.require();
        }
        boolean ownUsers = spec.creates(Namespace.USER);
        HeldCapabilities.requireDroppable(spec.privileges(), ownUsers);
        if (!Rootless.jvmIsRoot() && !ownUsers) {
            Rootless.requireJvmIdentity(spec.privileges());
        }
    }
}
