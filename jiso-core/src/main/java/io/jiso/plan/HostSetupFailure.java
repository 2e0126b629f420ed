package io.jiso.plan;

/**
 * A step that jiso runs in the JVM's own process failed: creating the child
 * (clone3), a pipe, a cgroup or one of its files, a uid map. The public API
 * reports it as a {@code HostSetupFailure}.
 */
public final class HostSetupFailure extends SetupFailure {
    public HostSetupFailure(String step, int errno, String errnoName, String detail) {
        super(step, errno, errnoName, detail);
    }
}
