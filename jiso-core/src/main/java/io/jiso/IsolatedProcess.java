package io.jiso;

import io.jiso.cgroup.CgroupLeaf;
import io.jiso.cgroup.LeafUsage;
import io.jiso.limits.RunLimits;
import io.jiso.nativegen.Macros;
import io.jiso.plan.SetupFailure;
import io.jiso.spawn.ChildProcess;
import io.jiso.spawn.InitReport;
import io.jiso.spawn.Launcher;
import io.jiso.spawn.LimitWatch;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process started by {@link IsolatedProcessBuilder}: a {@link Process} like
 * any other (streams, waitFor, exitValue, destroy, onExit), plus what a
 * sandbox knows about why it stopped.
 *
 * <p>{@link #pid()} is the pid as the host sees it. With a new pid namespace
 * that is jiso-init, the sandbox's PID 1, which passes signals on to the main
 * process and exits with its status; {@link #destroyForcibly()} then ends
 * every process of the sandbox. {@link #toHandle()}, {@link #info()},
 * {@link #children()} and {@link #descendants()} are about the user's
 * program, not jiso-init.
 */
public final class IsolatedProcess extends Process {
    private final ChildProcess child;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    /**
     * Made at the first onExit(): until then nothing the reaper holds refers to
     * this process, so a process the caller dropped while it runs becomes
     * unreachable and the Cleaner closes its streams.
     */
    private CompletableFuture<Process> onExit;

    private final String whyNoCgroup;
    private final List<String> command;
    /** The main process's handle, once toHandle() found it while it ran. */
    private volatile ProcessHandle mainHandle;
    /** When start() returned and when the exit was reported: the wall time where no jiso-init measures it. */
    private final long startNanos;

    private final AtomicLong exitNanos = new AtomicLong();

    IsolatedProcess(Launcher.Started started, List<String> command) {
        this.child = started.child();
        this.command = command;
        this.whyNoCgroup = started.whyNoCgroup();
        this.stdin = new BufferedOutputStream(started.stdin());
        this.stdout = new BufferedInputStream(started.stdout());
        this.stderr = new BufferedInputStream(started.stderr());
        this.startNanos = System.nanoTime();
        AtomicLong exitAt = exitNanos; // not this: what the reaper holds must not keep the process reachable
        child.exit().thenRun(() -> exitAt.set(System.nanoTime()));
    }

    ChildProcess child() {
        return child;
    }

    /**
     * The program's standard input, buffered as ProcessBuilder's is. As with
     * ProcessBuilder, it is closed when the process exits: a write that
     * reaches the pipe after that throws IOException ("Stream closed").
     */
    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    /**
     * The program's standard output, with the life cycle of ProcessBuilder's:
     * when the process exits, what it wrote and nobody has read yet (what the
     * pipe holds at that moment, without waiting for more) moves to a heap
     * buffer and the pipe and its fd are released; reading goes on through
     * those bytes to EOF. So {@code start().waitFor()} without touching the
     * streams leaks nothing, and output is still readable after waitFor().
     * A reader blocked in read() at the exit keeps the pipe until its read
     * returns, then the rest is buffered the same way. Processes of the
     * sandbox that outlive the main process (possible without a pid
     * namespace) may keep writing: what they write after the exit is lost,
     * as with ProcessBuilder. Until the exit, output is not buffered: a
     * program that fills the pipe (64 KiB) waits for a reader, and has then
     * not exited. close() drops the buffered bytes; a stream that becomes
     * unreachable is closed by a Cleaner.
     */
    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    /** The program's standard error, with the life cycle of {@link #getInputStream()}. */
    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            child.exit().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return exitValue();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            child.exit().get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The exit status as ProcessBuilder reports it: the exit code, or 128 + the signal that killed it. */
    @Override
    public int exitValue() {
        Integer status = child.exit().getNow(null);
        if (status == null) {
            throw new IllegalThreadStateException("process " + pid() + " has not exited");
        }
        return Macros.wifSignaled(status) ? 128 + Macros.wtermSig(status) : Macros.wexitStatus(status);
    }

    /** The signal that killed the main process, if one did; empty while it runs or after a normal exit. */
    public Optional<Integer> terminationSignal() {
        Integer status = child.exit().getNow(null);
        return status != null && Macros.wifSignaled(status) ? Optional.of(Macros.wtermSig(status)) : Optional.empty();
    }

    // ---- a judged run --------------------------------------------------------------------------

    /**
     * Waits for the end and says how the run went: the verdict (with the
     * precedence of {@link RunStatus}), exit code or signal, CPU and wall
     * time, memory peak, output, and whether jiso killed it for a limit.
     */
    public RunReport report() throws InterruptedException, IsolationException {
        int status;
        try {
            status = child.exit().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        LimitWatch watch = child.limits();
        RunLimits limits = watch == null ? null : watch.limits();
        InitReport init = child.initReport();
        int killedFor = init != null && init.killedFor() != InitReport.KILLED_NONE
                ? init.killedFor()
                : watch != null ? watch.killedFor() : InitReport.KILLED_NONE;
        long exitAt = exitNanos.get();
        long end = exitAt == 0 ? System.nanoTime() : exitAt;
        long start = watch != null ? watch.startNanos() : startNanos;
        Duration wall = init != null ? Duration.ofNanos(init.wallNanos()) : Duration.ofNanos(end - start);
        ResourceUsage usage = child.cgroup().isPresent() ? resourceUsage() : null;
        return Verdicts.judge(new Verdicts.Facts(
                status,
                killedFor,
                usage == null ? ResourceUsage.UNKNOWN_TIME : usage.cpuTotal(),
                limits == null ? null : limits.cpuTime(),
                wall,
                limits == null ? null : limits.wallTime(),
                usage == null ? ResourceUsage.UNKNOWN : usage.oomKills(),
                usage == null ? ResourceUsage.UNKNOWN : usage.memoryPeakBytes(),
                init == null ? ResourceUsage.UNKNOWN : init.outputBytes(),
                limits == null ? -1 : limits.outputBytes()));
    }

    // ---- the cgroup leaf ----------------------------------------------------------------------

    private CgroupLeaf leaf(String what) {
        return child.cgroup()
                .orElseThrow(() -> new IllegalStateException(
                        what + " needs a cgroup leaf, and this process has none: " + whyNoCgroup));
    }

    /**
     * What the process and everything it started used, read from its cgroup:
     * CPU time, memory and swap peaks, OOM events, pids, io. After exit, the
     * final reading: taken once, when what was left in the leaf has been
     * killed, by the reaper thread or by this call, whichever comes first.
     */
    public ResourceUsage resourceUsage() throws IsolationException {
        try {
            return ResourceUsage.of(finalOnceExited(leaf("resourceUsage()")).usage());
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    /** Whether the kernel's OOM killer killed a process of this sandbox. */
    public boolean oomKilled() throws IsolationException {
        try {
            return finalOnceExited(leaf("oomKilled()")).oomKilled();
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    private CgroupLeaf finalOnceExited(CgroupLeaf leaf) throws SetupFailure {
        if (!isAlive()) {
            child.reap(); // PID 1 may still be on its way out after reporting the main process's end
            leaf.retire();
        }
        return leaf;
    }

    /**
     * Stops every process of the sandbox (cgroup.freeze, or the v1 freezer)
     * but jiso-init, which keeps watching the JVM: on cgroup v2 a frozen
     * sandbox still dies with the JVM. {@link #destroyForcibly()} and
     * {@link #killAll()} end a frozen sandbox at once; the SIGTERM of
     * {@link #destroy()} reaches the program when it is thawed.
     */
    public void freeze() throws IsolationException {
        try {
            leaf("freeze()").freeze(child.underInit() ? child.pid() : -1);
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    /** Resumes what {@link #freeze()} stopped. */
    public void thaw() throws IsolationException {
        try {
            leaf("thaw()").thaw();
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    /** SIGKILL to every process in the sandbox's cgroup at once, also those that daemonized. */
    public void killAll() throws IsolationException {
        CgroupLeaf leaf = leaf("killAll()");
        try {
            leaf.killAll();
        } catch (IllegalStateException closed) {
            // the sandbox has ended: nothing is left to kill, as with destroyForcibly() after exit
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    /** Asks the kernel to reclaim this many bytes from the sandbox (memory.reclaim); false if it could not. */
    public boolean reclaim(long bytes) throws IsolationException {
        try {
            return leaf("reclaim()").reclaim(bytes);
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    /** Memory, CPU and io pressure (PSI) of the sandbox, where the kernel has it. */
    public Map<String, ResourceUsage.Pressure> pressure() throws IsolationException {
        Map<String, LeafUsage.Pressure> read;
        try {
            read = leaf("pressure()").pressure();
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
        Map<String, ResourceUsage.Pressure> pressure = new LinkedHashMap<>();
        read.forEach((resource, p) -> pressure.put(resource, ResourceUsage.Pressure.of(p)));
        return pressure;
    }

    /** The name of the sandbox's cgroup leaf (the same in every hierarchy), if it has one. */
    public Optional<String> cgroupName() {
        return child.cgroup().map(CgroupLeaf::name);
    }

    /** SIGTERM to the main process (through jiso-init when it is PID 1 of the sandbox). */
    @Override
    public void destroy() {
        try {
            child.terminate();
        } catch (UncheckedIOException u) {
            throw Failures.toPublic(u);
        }
    }

    /** SIGKILL to every process of the sandbox at once (its pid namespace, and its cgroup). */
    @Override
    public Process destroyForcibly() {
        try {
            child.kill();
        } catch (UncheckedIOException u) {
            throw Failures.toPublic(u);
        }
        return this;
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public boolean isAlive() {
        return child.isAlive();
    }

    @Override
    public long pid() {
        return child.pid();
    }

    @Override
    public synchronized CompletableFuture<Process> onExit() {
        if (onExit == null) {
            onExit = child.exit().thenApply(status -> this);
        }
        return onExit;
    }

    /**
     * The handle of the user's program, as ProcessBuilder's process gives the
     * handle of its program; so {@link #info()}, {@link #children()} and
     * {@link #descendants()} (which go through it) describe the program and
     * what it started, never jiso-init. While the program runs this is the
     * host's handle of its main process (under jiso-init, init's child: its
     * pid is then not {@link #pid()}); after the exit a handle that is not
     * alive, with no children, whose pid is the main process's if a handle
     * was asked for while it ran (else {@link #pid()}), and whose info() has
     * only the command and arguments given to the builder.
     */
    @Override
    public ProcessHandle toHandle() {
        ProcessHandle h = mainHandle;
        if (h == null && isAlive()) {
            long main = child.mainPid();
            h = main < 0 ? null : ProcessHandle.of(main).orElse(null);
            mainHandle = h;
        }
        if (h != null && h.isAlive() && isAlive()) {
            return h;
        }
        return new ExitedHandle(h != null ? h.pid() : pid(), command);
    }

    @Override
    public String toString() {
        Integer status = child.exit().getNow(null);
        return "IsolatedProcess[pid=" + pid() + (status == null ? ", alive" : ", exitValue=" + exitValue()) + "]";
    }
}
