package io.jiso.spawn;

import io.jiso.cgroup.CgroupLeaf;
import io.jiso.limits.RunLimits;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits of a run as the JVM knows them, and their enforcement by the
 * JVM where no jiso-init can do it: a sandbox without a pid namespace. That
 * fallback is a timer thread of the JVM, so a JVM that does not run (a long
 * GC pause) lets the sandbox run on; jiso-init does not depend on the JVM.
 */
public final class LimitWatch {
    private static final long MIN_CHECK_NANOS = 1_000_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "jiso-limits");
        t.setDaemon(true);
        return t;
    });

    private final RunLimits limits;
    private final ChildProcess child;
    private volatile int killedFor = InitReport.KILLED_NONE;
    private volatile ScheduledFuture<?> wall;
    private volatile ScheduledFuture<?> cpu;
    private final int cpus;
    private final long startNanos = System.nanoTime();

    private LimitWatch(RunLimits limits, ChildProcess child, int cpus) {
        this.limits = limits;
        this.child = child;
        this.cpus = cpus;
    }

    /** System.nanoTime() when the watch began, just after the main program's execve: where wall time starts. */
    public long startNanos() {
        return startNanos;
    }

    public RunLimits limits() {
        return limits;
    }

    /** Why the JVM killed the sandbox (an InitReport.KILLED_* value); KILLED_NONE if it did not. */
    public int killedFor() {
        return killedFor;
    }

    /** Records the limits; enforces the time limits from this JVM when enforceHere (no jiso-init). */
    static LimitWatch start(RunLimits limits, ChildProcess child, int cpus, boolean enforceHere) {
        LimitWatch w = new LimitWatch(limits, child, cpus);
        if (enforceHere) {
            if (limits.wallTime() != null) {
                w.wall = TIMER.schedule(
                        () -> w.kill(InitReport.KILLED_WALL), limits.wallTime().toNanos(), TimeUnit.NANOSECONDS);
            }
            if (limits.cpuTime() != null && child.cgroup().isPresent()) {
                w.scheduleCpuCheck(limits.cpuTime().toNanos() / cpus);
            }
            child.exit().whenComplete((status, error) -> w.cancel());
        }
        return w;
    }

    private void scheduleCpuCheck(long delayNanos) {
        cpu = TIMER.schedule(this::checkCpu, Math.max(delayNanos, MIN_CHECK_NANOS), TimeUnit.NANOSECONDS);
    }

    private void checkCpu() {
        if (!child.isAlive() || killedFor != InitReport.KILLED_NONE) {
            return;
        }
        CgroupLeaf leaf = child.cgroup().orElseThrow();
        try {
            long left = limits.cpuTime().toNanos() - leaf.usage().cpuTotal().toNanos();
            if (left <= 0) {
                kill(InitReport.KILLED_CPU);
            } else {
                scheduleCpuCheck(left / cpus);
            }
        } catch (Exception e) { // the leaf closed meanwhile: the run has ended
            LOG.debug("CPU time check of process {} stopped: {}", child.pid(), e.getMessage());
        }
    }

    private synchronized void kill(int why) {
        if (killedFor != InitReport.KILLED_NONE || !child.isAlive()) {
            return;
        }
        killedFor = why;
        child.kill();
    }

    private void cancel() {
        ScheduledFuture<?> w = wall;
        ScheduledFuture<?> c = cpu;
        if (w != null) {
            w.cancel(false);
        }
        if (c != null) {
            c.cancel(false);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LimitWatch.class);
}
