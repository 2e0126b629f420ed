package io.jiso;

/**
 * What was asked for cannot be had on this host: the kernel lacks it, a sysctl
 * or LSM forbids it, or a cgroup layout cannot express a limit. The message
 * says which and why; nothing is silently dropped.
 */
public final class FeatureUnavailableException extends IsolationException {
    public FeatureUnavailableException(String step, int errno, String errnoName, String reason) {
        super(step, errno, errnoName, reason);
    }
}
