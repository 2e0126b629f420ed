package io.jiso.spawn;

import io.jiso.capability.HeldCapabilities;
import io.jiso.landlock.LandlockSupport;
import io.jiso.lsm.LsmSupport;
import io.jiso.namespace.NamespaceType;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.user.Rootless;

/**
 * What the host and the JVM's privileges allow, checked before the spawn: a
 * refusal then names the missing feature or privilege instead of arriving as
 * an errno from a step in the child.
 */
final class Preflight {
    private Preflight() {}

    static void check(SandboxSpec spec) throws FeatureUnavailable {
        if (spec.landlock() != null) {
            LandlockSupport.require();
        }
        if (spec.appArmorProfile() != null) {
            LsmSupport.requireAppArmor();
        }
        if (spec.selinuxLabel() != null) {
            LsmSupport.requireSelinux();
        }
        boolean ownUsers = spec.creates(NamespaceType.USER);
        HeldCapabilities.requireDroppable(spec.privileges(), ownUsers);
        if (!Rootless.jvmIsRoot() && !ownUsers) {
            Rootless.requireJvmIdentity(spec.privileges());
        }
        requireJoinable(spec);
    }

    /**
     * Another sandbox's namespace belongs to the user namespace that sandbox
     * was made in, and entering it needs CAP_SYS_ADMIN there; a child with a
     * user namespace of its own is root only in that one, so setns would fail
     * with EPERM.
     */
    private static void requireJoinable(SandboxSpec spec) throws FeatureUnavailable {
        if (spec.joined().isEmpty() || !spec.creates(NamespaceType.USER)) {
            return;
        }
        String step = "join the " + spec.joined().keySet() + " namespace of process "
                + spec.joined().values().iterator().next().pid();
        String why = ", and is root only in that: entering another sandbox's namespace needs CAP_SYS_ADMIN in the"
                + " user namespace it belongs to";
        if (Rootless.jvmIsRoot()) {
            throw new IllegalStateException(
                    step + ": userNamespace(..) gives this sandbox a user namespace of its" + " own" + why);
        }
        throw new FeatureUnavailable(
                step, 0, "", "the JVM is not root, so this sandbox gets a user" + " namespace of its own" + why);
    }
}
