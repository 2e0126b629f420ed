package io.jiso.spawn;

import io.jiso.nativegen.Abi;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;

/**
 * A started child as the kernel knows it: its pid and pidfd, and, under
 * jiso-init, the pipe on which init reports the main process's raw wait
 * status. Completes {@link #exit()} when the {@link Reaper} has reaped it.
 */
public final class ChildProcess {
    private static final int SIGTERM = Abi.current().intConstant("SIGTERM");
    private static final int SIGKILL = Abi.current().intConstant("SIGKILL");

    private final int pid;
    private final int pidfd;
    private final int statusFd;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean reaped;

    ChildProcess(int pid, int pidfd, int statusFd) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.statusFd = statusFd;
    }

    public int pid() {
        return pid;
    }

    int pidfd() {
        return pidfd;
    }

    /** The pidfd for another sandbox to setns through; the process must still run. */
    int pidfdForJoin() {
        if (reaped) {
            throw new IllegalStateException("cannot join the namespaces of process " + pid + ": it has exited");
        }
        return pidfd;
    }

    /**
     * Completes with the main process's raw wait status (as waitpid gives it)
     * once the child has been reaped.
     */
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    public boolean isAlive() {
        return !exit.isDone();
    }

    /** SIGTERM, which jiso-init passes on to the main process. */
    public void terminate() {
        signal(SIGTERM);
    }

    /** SIGKILL; for PID 1 of a pid namespace this ends every process in it. */
    public void kill() {
        signal(SIGKILL);
    }

    private void signal(int signal) {
        if (reaped) {
            return; // the pid may belong to someone else by now; the pidfd is closed
        }
        try {
            Sys.pidfdSendSignal(pidfd, signal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Called by the reaper with init's (or the main process's) own wait status. */
    void reaped(int ownStatus) {
        int status = ownStatus;
        if (statusFd >= 0) {
            status = readInitReport(ownStatus);
            Sys.close(statusFd);
        }
        reaped = true;
        Sys.close(pidfd);
        exit.complete(status);
    }

    /** jiso-init writes the main process's 4-byte wait status before it exits. */
    private int readInitReport(int fallback) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ValueLayout.JAVA_INT);
            return Sys.read(statusFd, buf, 4) == 4 ? buf.get(ValueLayout.JAVA_INT, 0) : fallback;
        } catch (IOException e) {
            return fallback;
        }
    }

    /** After a failed start: kill, reap and release everything; the child never ran its program. */
    void discard() {
        try {
            Sys.pidfdSendSignal(pidfd, SIGKILL);
            Sys.waitPidfd(pidfd, Errno.WEXITED);
        } catch (IOException e) {
            // already reaped or gone; nothing else to release
        }
        if (statusFd >= 0) {
            Sys.close(statusFd);
        }
        Sys.close(pidfd);
        reaped = true;
        exit.complete(-1);
    }
}
