package io.jiso.plan;

/**
 * A step that runs in the new child before it executes its program failed
 * (a mount, setting the hostname, the execve itself). The public API reports
 * it as a {@code ChildSetupFailure}.
 */
public final class ChildSetupFailure extends SetupFailure {
    public ChildSetupFailure(String step, int errno, String errnoName, String detail) {
        super(step, errno, errnoName, detail);
    }
}
