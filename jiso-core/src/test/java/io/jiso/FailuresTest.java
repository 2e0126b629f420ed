package io.jiso;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jiso.plan.ChildSetupFailure;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** The internals' failures reach callers as the public exception of the same kind, step, errno and message. */
class FailuresTest {

    @Test
    void eachKindBecomesItsPublicException() {
        assertSame(
                HostSetupException.class,
                Failures.toPublic(new HostSetupFailure("s", 0, "", null)).getClass());
        assertSame(
                ChildSetupException.class,
                Failures.toPublic(new ChildSetupFailure("s", 0, "", null)).getClass());
        assertSame(
                FeatureUnavailableException.class,
                Failures.toPublic(new FeatureUnavailable("s", 0, "", null)).getClass());
    }

    @Test
    void stepErrnoMessageCauseAndStackAreKept() {
        IOException cause = new IOException("underneath");
        SetupFailure f = new HostSetupFailure("mount proc on /proc", Errno.EPERM, "EPERM", "in a user namespace");
        f.initCause(cause);
        f.addSuppressed(new ChildSetupFailure("close", Errno.EBADF, "EBADF", null));
        IsolationException e = Failures.toPublic(f);
        assertEquals("mount proc on /proc", e.step());
        assertEquals(Errno.EPERM, e.errno());
        assertEquals("EPERM", e.errnoName());
        assertEquals("mount proc on /proc: EPERM (in a user namespace)", e.getMessage());
        assertEquals(f.getMessage(), e.getMessage());
        assertSame(cause, e.getCause());
        assertArrayEquals(f.getStackTrace(), e.getStackTrace());
        ChildSetupException suppressed = assertInstanceOf(ChildSetupException.class, e.getSuppressed()[0]);
        assertEquals("close: EBADF", suppressed.getMessage());
    }

    @Test
    void aFailureWithoutErrnoOrDetailHasTheSameMessage() {
        IsolationException e = Failures.toPublic(new FeatureUnavailable("enforce cpuTimeLimit", 0, "", ""));
        assertEquals("enforce cpuTimeLimit", e.getMessage());
        assertEquals(0, e.errno());
        assertNull(e.getCause());
    }

    @Test
    void anUncheckedWrapperGetsThePublicCauseAndTheMessageItWouldHaveHad() {
        SetupFailure f = new HostSetupFailure("pidfd_send_signal", Errno.EPERM, "EPERM", null);
        UncheckedIOException u = Failures.toPublic(new UncheckedIOException(f));
        HostSetupException e = assertInstanceOf(HostSetupException.class, u.getCause());
        assertEquals(new UncheckedIOException(e).getMessage(), u.getMessage());
        UncheckedIOException named = Failures.toPublic(new UncheckedIOException("create the reaper's epoll set", f));
        assertEquals("create the reaper's epoll set", named.getMessage());
        UncheckedIOException other = new UncheckedIOException(new IOException("plain"));
        assertSame(other, Failures.toPublic(other));
    }
}
