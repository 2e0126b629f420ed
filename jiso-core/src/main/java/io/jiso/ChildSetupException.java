package io.jiso;

/**
 * A step that runs in the new child before it executes its program failed
 * (a mount, setting the hostname, the execve itself). The child is gone and
 * nothing it created is left behind.
 */
public final class ChildSetupException extends IsolationException {
    public ChildSetupException(String step, int errno, String errnoName, String detail) {
        super(step, errno, errnoName, detail);
    }
}
