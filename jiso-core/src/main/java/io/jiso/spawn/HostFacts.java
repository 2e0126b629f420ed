package io.jiso.spawn;

import io.jiso.capability.HeldCapabilities;
import io.jiso.capability.KernelCapability;
import io.jiso.landlock.LandlockSupport;
import io.jiso.limits.RlimitResource;
import io.jiso.limits.Rlimits;
import io.jiso.mount.HostLayout;
import io.jiso.user.Rootless;
import java.util.Map;

/**
 * What a spawn's plan depends on besides the caller's choices: who the JVM is
 * and what the host has. A spec is made under one set of facts and carries
 * them, so its plan is a function of the spec and the fds of the spawn alone.
 * The running JVM's facts ({@link #current()}) are read once; other facts plan
 * as another JVM or host would, without being one (the golden plan tests).
 *
 * @param jvmIsRoot          the JVM's effective uid is 0 (else every sandbox gets a user namespace first)
 * @param jvmUid             the JVM's effective uid
 * @param jvmGid             the JVM's effective gid
 * @param jvmHoldsSetPcap    CAP_SETPCAP is in the JVM's effective set (to empty a bounding set without a user
 *                           namespace)
 * @param jvmMayRaiseRlimits the JVM may raise a hard resource limit above its own
 * @param jvmHardLimits      the JVM's own hard resource limits, the ceiling of a sandbox's otherwise
 * @param landlockAbi        the kernel's Landlock ABI version, 0 without Landlock
 * @param layout             the host's system directories
 */
public record HostFacts(
        boolean jvmIsRoot,
        long jvmUid,
        long jvmGid,
        boolean jvmHoldsSetPcap,
        boolean jvmMayRaiseRlimits,
        Map<RlimitResource, Long> jvmHardLimits,
        int landlockAbi,
        HostLayout layout) {

    public HostFacts {
        jvmHardLimits = Map.copyOf(jvmHardLimits);
    }

    /** The running JVM's and host's facts, read on first use. */
    public static HostFacts current() {
        return Current.FACTS;
    }

    private static final class Current {
        static final HostFacts FACTS = new HostFacts(
                Rootless.jvmIsRoot(),
                Rootless.jvmUid(),
                Rootless.jvmGid(),
                HeldCapabilities.held(KernelCapability.CAP_SETPCAP),
                Rlimits.jvmMayRaise(),
                Rlimits.jvmHardLimits(),
                LandlockSupport.abiVersion(),
                HostLayout.current());
    }
}
