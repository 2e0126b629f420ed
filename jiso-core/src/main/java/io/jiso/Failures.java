package io.jiso;

import io.jiso.plan.ChildSetupFailure;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import java.io.UncheckedIOException;

/**
 * Where the internals' {@link SetupFailure} becomes the public
 * {@link IsolationException} of the same kind: every public method that runs
 * internals translates here what they throw. The public exception is the one
 * the internals would have thrown themselves: same class, step, errno and
 * message, with the failure's cause, suppressed exceptions and stack trace.
 */
final class Failures {
    private Failures() {}

    /**
     * Translates a failure of each kind, which loads every class translating needs: it runs at
     * the fd limit too (EMFILE), where loading a class from a directory takes an fd.
     */
    static void preload() {
        toPublic(new HostSetupFailure("", 0, "", null));
        toPublic(new ChildSetupFailure("", 0, "", null));
        toPublic(new FeatureUnavailable("", 0, "", null));
    }

    /** The public exception of the failure's kind, step, errno and message. */
    static IsolationException toPublic(SetupFailure f) {
        IsolationException e = switch (f) {
            case HostSetupFailure h -> new HostSetupException(h.step(), h.errno(), h.errnoName(), h.detail());
            case ChildSetupFailure c -> new ChildSetupException(c.step(), c.errno(), c.errnoName(), c.detail());
            case FeatureUnavailable u ->
                new FeatureUnavailableException(u.step(), u.errno(), u.errnoName(), u.detail());
        };
        e.initCause(publicCause(f.getCause()));
        e.setStackTrace(f.getStackTrace());
        for (Throwable s : f.getSuppressed()) {
            e.addSuppressed(publicCause(s));
        }
        return e;
    }

    /** An exception an internal one carries (cause, suppressed), with the failures in it made public. */
    private static Throwable publicCause(Throwable t) {
        return t instanceof SetupFailure f ? toPublic(f) : t;
    }

    /** An unchecked wrapper of a failure (a signal that could not be sent), with the failure made public. */
    static UncheckedIOException toPublic(UncheckedIOException u) {
        if (!(u.getCause() instanceof SetupFailure f)) {
            return u;
        }
        IsolationException p = toPublic(f);
        // new UncheckedIOException(cause) takes the cause's toString() as its message, which names its class
        String message = f.toString().equals(u.getMessage()) ? p.toString() : u.getMessage();
        UncheckedIOException e = new UncheckedIOException(message, p);
        e.setStackTrace(u.getStackTrace());
        return e;
    }
}
