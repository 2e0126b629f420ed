package io.jiso;

import io.jiso.plan.SetupFailure;
import java.io.IOException;

/**
 * Setting up an isolated process failed. Says which step failed and, where the
 * kernel gave one, the errno. Subclasses tell where the step ran.
 */
public sealed class IsolationException extends IOException
        permits ChildSetupException, HostSetupException, FeatureUnavailableException {
    private final String step;
    private final int errno;
    private final String errnoName;

    IsolationException(String step, int errno, String errnoName, String detail) {
        super(SetupFailure.message(step, errno, errnoName, detail));
        this.step = step;
        this.errno = errno;
        this.errnoName = errnoName;
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
}
