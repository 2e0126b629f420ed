package io.jiso.plan;

import java.io.IOException;

/**
 * Setting up an isolated process failed: which step and, where the kernel
 * gave one, the errno. What the internals throw; the public API turns it into
 * the {@code io.jiso.SetupFailure} of the same kind, step, errno and
 * message where it hands it to a caller, so that no package below the API
 * names it. Subclasses tell where the step ran.
 */
public abstract sealed class SetupFailure extends IOException
        permits HostSetupFailure, ChildSetupFailure, FeatureUnavailable {
    private final String step;
    private final int errno;
    private final String errnoName;
    private final String detail;

    SetupFailure(String step, int errno, String errnoName, String detail) {
        super(message(step, errno, errnoName, detail));
        this.step = step;
        this.errno = errno;
        this.errnoName = errnoName;
        this.detail = detail;
    }

    /**
     * "step: ERRNO (detail)", without the parts that are missing; the public IsolationException's
     * message too, so that a failure and its public form read the same.
     */
    public static String message(String step, int errno, String errnoName, String detail) {
        return step
                + (errno != 0 ? ": " + errnoName : "")
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }

    /** The step that failed, in words, e.g. "mount proc on /proc". */
    public String step() {
        return step;
    }

    /** The errno the kernel returned, or 0 when the failure has none. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno, e.g. "EPERM", or "" when errno is 0. */
    public String errnoName() {
        return errnoName;
    }

    /** What the message adds in parentheses after the step and errno; null or empty for nothing. */
    public String detail() {
        return detail;
    }
}
