package io.jiso.plan;

/**
 * What was asked for cannot be had on this host: the kernel lacks it, a sysctl
 * or LSM forbids it, or a cgroup layout cannot express a limit. The public API
 * reports it as a {@code FeatureUnavailable}.
 */
public final class FeatureUnavailable extends SetupFailure {
    public FeatureUnavailable(String step, int errno, String errnoName, String reason) {
        super(step, errno, errnoName, reason);
    }
}
