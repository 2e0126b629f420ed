package io.jiso.spawn;

import static io.jiso.nativegen.Linux.SIGKILL;
import static io.jiso.nativegen.Linux.SIGTERM;

import io.jiso.cgroup.CgroupLeaf;
import io.jiso.cgroup.Cgroups;
import io.jiso.namespace.NamespaceType;
import io.jiso.net.NetworkNamespacePool;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.FdLimit;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started child as the kernel knows it: its pid and pidfd, and, under
 * jiso-init, the pipe on which init reports the main process's raw wait
 * status. Completes {@link #exit()} when the {@link Reaper} sees the main
 * process end: under jiso-init as soon as init reports it (init then exits
 * and is reaped by the housekeeping thread), otherwise when it is reaped.
 */
public final class ChildProcess {
    /** jiso-init is 1 in its pid namespace and the first process it starts, the main process, is 2. */
    private static final String MAIN_PID_INSIDE = "2";

    /** Exits whose housekeeping has not finished, of every runtime. */
    private static final AtomicInteger PENDING = new AtomicInteger();

    private final int pid;
    private final int pidfd;
    private final int statusFd;
    private final CgroupLeaf cgroup;
    /** The runtime's: its housekeeping thread cleans up after the exit, its pool takes the network back. */
    private final Services services;

    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    /** The child's mount namespace, held so that its teardown follows the exit instead of preceding it. */
    private int mountNamespace = -1;
    /** Guarded by this: once set, pidfd is closed and its number may belong to another file. */
    private boolean reaped;
    /** PID 1's own wait status once reaped (guarded by this). */
    private int ownStatus = -1;
    /** A pooled network namespace to give back after PID 1 is reaped, or -1 (guarded by this). */
    private int network = -1;
    /** Whether another sandbox joined this one's network namespace (guarded by this). */
    private boolean networkJoined;
    /** The JVM's ends of the child's stdio pipes: drained and closed when the exit is reported. */
    private List<FdStreams.Pipe> stdio = List.of();
    /** What jiso-init reported besides the status; null without init, or before its report. */
    private volatile InitReport initReport;
    /** The run's limits, or null if it has none. */
    private LimitWatch limits;

    ChildProcess(Services services, int pid, int pidfd, int statusFd, CgroupLeaf cgroup) {
        this.services = services;
        this.pid = pid;
        this.pidfd = pidfd;
        this.statusFd = statusFd;
        this.cgroup = cgroup;
    }

    /**
     * Takes a reference to the child's mount namespace, before the Reaper
     * watches it. The last process of a namespace unmounts all of it as it
     * exits, and every unmount ends by waiting for an RCU grace period, so
     * the exit would be seen that much later; with this reference the
     * namespace outlives the child and goes when the housekeeping thread
     * drops it, after the exit is reported. A child already gone (its /proc entry a zombie's)
     * is simply not held. Only for a child without jiso-init: init reports the
     * main process's end before it exits, so its unmount delays no report, and
     * opening /proc/&lt;pid&gt;/ns/mnt costs the spawn more than it saves.
     */
    void holdMountNamespace() {
        try {
            mountNamespace = Sys.open("/proc/" + pid + "/ns/mnt", Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
        } catch (IOException alreadyExited) {
            mountNamespace = -1;
        }
    }

    /** Set once, before the Reaper watches the child. */
    void closeAtExit(List<FdStreams.Pipe> pipes) {
        stdio = List.copyOf(pipes);
    }

    /** The child's cgroup leaf; it keeps its last usage reading after the child is gone. */
    public Optional<CgroupLeaf> cgroup() {
        return Optional.ofNullable(cgroup);
    }

    public int pid() {
        return pid;
    }

    /**
     * The host pid of the main process while it runs: the child itself, or,
     * under jiso-init, init's child whose pid in the sandbox is 2 (found in
     * /proc, so only when asked). -1 if it is not (or no longer) there.
     */
    public long mainPid() {
        if (statusFd < 0) {
            return pid;
        }
        try {
            String children = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children"))
                    .strip();
            for (String child : children.isEmpty() ? new String[0] : children.split(" ")) {
                if (pidInside(child).equals(MAIN_PID_INSIDE)) {
                    return Long.parseLong(child);
                }
            }
        } catch (IOException gone) {
            // init has exited, or this kernel has no children file (CONFIG_PROC_CHILDREN)
        }
        return -1;
    }

    /** The innermost pid of a process (the last NSpid field), "" if unknown. */
    private static String pidInside(String hostPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + hostPid + "/status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring(6).strip().split("\\s+");
                    return ids[ids.length - 1];
                }
            }
        } catch (IOException gone) {
            // exited meanwhile
        }
        return "";
    }

    /** Whether {@link #pid()} is jiso-init, PID 1 of the sandbox's own pid namespace. */
    public boolean underInit() {
        return statusFd >= 0;
    }

    /** What turns readable when the main process has ended: init's status pipe, or the pidfd. */
    int exitFd() {
        return statusFd >= 0 ? statusFd : pidfd;
    }

    /** The pidfd for another sandbox to setns through; the process must still run. */
    synchronized int pidfdForJoin(NamespaceType ns) {
        if (reaped || exit.isDone()) {
            throw new IllegalStateException("cannot join the namespaces of process " + pid + ": it has exited");
        }
        if (ns == NamespaceType.NET) {
            networkJoined = true; // the joiner may outlive this sandbox in its network namespace
        }
        return pidfd;
    }

    /**
     * Gives the pooled network namespace this child runs in back to the pool
     * once its housekeeping has reaped PID 1 (every process of the pid
     * namespace is gone by then), unless another sandbox joined it meanwhile.
     */
    synchronized void giveBackNetworkAtEnd(int fd) {
        network = fd;
    }

    private void giveBackNetwork() {
        int fd;
        boolean joined;
        synchronized (this) {
            fd = network;
            joined = networkJoined;
            network = -1;
        }
        if (fd < 0) {
            return;
        }
        if (joined) {
            services.network.discard(fd);
        } else {
            services.network.giveBack(fd);
        }
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

    /**
     * SIGKILL; for PID 1 of a pid namespace this ends every process in it, and
     * with a cgroup leaf every process in the leaf (also those that left the
     * namespace's view, or without a pid namespace).
     */
    public void kill() {
        signal(SIGKILL);
        if (cgroup != null && !isReaped()) {
            try {
                cgroup.killAll();
            } catch (IllegalStateException closedMeanwhile) {
                // reaped meanwhile: the leaf is gone with everything in it
            } catch (IOException e) {
                LOG.warn("could not kill the cgroup of process {}: {}", pid, e.getMessage());
            }
        }
    }

    private synchronized void signal(int signal) {
        if (reaped) {
            return; // the pidfd is closed and its number may have been reused
        }
        try {
            Sys.pidfdSendSignal(pidfd, signal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized boolean isReaped() {
        return reaped;
    }

    /**
     * Reaps PID 1 (blocking until it has exited), marks the child reaped and
     * closes its pidfd, never while a signal is being sent through it.
     * Idempotent; returns PID 1's own wait status, -1 if it could not be had.
     */
    public synchronized int reap() {
        if (!reaped) {
            try {
                ownStatus = Sys.waitPidfd(pidfd, Errno.WEXITED);
            } catch (IOException e) {
                LOG.warn("could not reap process {}: {}", pid, e.getMessage());
            }
            reaped = true;
            Sys.close(pidfd);
        }
        return ownStatus;
    }

    /**
     * Called by the reaper once {@link #exitFd()} is readable. Under jiso-init
     * the main process's status is on the pipe and init is about to exit: the
     * exit is reported now and init reaped afterwards, off this thread. An
     * empty pipe means init itself was killed: it is reaped first, and its
     * own status is the report.
     */
    void exited() {
        int status;
        if (statusFd >= 0) {
            Integer reported = readInitReport();
            Sys.close(statusFd);
            status = reported != null ? reported : reap();
        } else {
            status = reap();
        }
        // As ProcessImpl does at exit, but before the report: after waitFor() the fds are gone.
        for (FdStreams.Pipe pipe : stdio) {
            pipe.processExited();
        }
        PENDING.incrementAndGet(); // before the report: a leak check after waitFor() must see it
        exit.complete(status);
        // The sandbox ends with its main process. What follows the report is housekeeping, on a
        // thread of its own so that it delays no other child's report: init reaped, what is left in
        // the leaf killed and its final usage read (IsolatedProcess.resourceUsage() does that
        // itself if it comes first), the leaf removed (on a v1 host the memory cgroup's rmdir
        // alone takes half a millisecond), the mount namespace unmounted (an RCU grace period).
        services.housekeeping.execute(() -> {
            try {
                reap();
                giveBackNetwork();
                if (cgroup(CgroupLeaf::retire)) {
                    cgroup(CgroupLeaf::remove);
                }
                dropMountNamespace();
            } finally {
                PENDING.decrementAndGet();
            }
        });
    }

    /**
     * Waits while more exits than {@link FdLimit#pendingExits()} await their cleanup, each holding
     * fds (a pidfd, its cgroup leaf's, maybe a network namespace), so that spawns that outrun the
     * housekeeping thread do not pile them up against the JVM's fd limit; at most
     * {@value #BACKLOG_WAIT_MILLIS} ms.
     */
    static void awaitBacklog() {
        if (PENDING.get() < MAX_PENDING) {
            return;
        }
        long deadline = System.nanoTime() + BACKLOG_WAIT_MILLIS * 1_000_000;
        while (PENDING.get() >= MAX_PENDING && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final long MAX_PENDING = FdLimit.pendingExits();
    private static final long BACKLOG_WAIT_MILLIS = 2000;

    /** Waits (at most timeoutMillis) until every reported exit's housekeeping is done; false on timeout. */
    static boolean awaitHousekeeping(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (PENDING.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        return NetworkNamespacePool.awaitIdle(Math.max(left, 0)); // namespaces given back are checked there
    }

    private void dropMountNamespace() {
        if (mountNamespace >= 0) {
            Sys.close(mountNamespace);
            mountNamespace = -1;
        }
    }

    private interface LeafStep {
        void apply(CgroupLeaf leaf) throws IOException;
    }

    /** Applies a step to the leaf, if any; false if it failed (logged: the exit must still complete). */
    private boolean cgroup(LeafStep step) {
        if (cgroup == null) {
            return false;
        }
        try {
            try {
                step.apply(cgroup);
            } catch (SetupFailure e) {
                if (e.errno() != Errno.EMFILE) {
                    throw e;
                }
                // Reading the leaf opens its files: at the fd limit jiso's pools give way, once.
                services.releasePooledFds(true);
                step.apply(cgroup);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            if (!Cgroups.shuttingDown()) { // else the shutdown hook removed it meanwhile
                LOG.warn("could not remove cgroup leaf {}: {}", cgroup.name(), e.getMessage());
            }
            return false;
        }
    }

    /** jiso-init writes its report (the main process's wait status first) before it exits; null if it did not. */
    private Integer readInitReport() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(InitReport.SIZE);
            long n = Sys.read(statusFd, buf, InitReport.SIZE);
            if (n == InitReport.SIZE) {
                initReport = InitReport.read(buf);
            }
            return n >= 4 ? buf.get(ValueLayout.JAVA_INT, 0) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** What jiso-init reported with the exit (limits, wall time, output); null without init or if it was killed. */
    public InitReport initReport() {
        return initReport;
    }

    /** The run's limits, set by the Launcher before the child is watched. */
    void limits(LimitWatch watch) {
        this.limits = watch;
    }

    /** The run's limits and who enforced what; null if it has none. */
    public LimitWatch limits() {
        return limits;
    }

    /** After a failed start: kill, reap and release everything; the child never ran its program. */
    void discard() {
        try {
            Sys.pidfdSendSignal(pidfd, SIGKILL);
        } catch (IOException e) {
            // already gone; reap() collects it
        }
        reap();
        if (statusFd >= 0) {
            Sys.close(statusFd);
        }
        dropMountNamespace();
        giveBackNetwork();
        exit.complete(-1);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
}
