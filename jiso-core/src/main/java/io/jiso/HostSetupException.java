package io.jiso;

/**
 * A step that jiso runs in the JVM's own process failed: creating the child
 * (clone3), a pipe, a cgroup or one of its files, a uid map.
 */
public final class HostSetupException extends IsolationException {
    public HostSetupException(String step, int errno, String errnoName, String detail) {
        super(step, errno, errnoName, detail);
    }
}
