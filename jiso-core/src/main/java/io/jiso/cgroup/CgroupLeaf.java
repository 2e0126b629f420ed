package io.jiso.cgroup;

import static io.jiso.nativegen.Linux.SIGKILL;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The cgroup of one isolated process and everything it starts: a v2 leaf, v1
 * leaves, or both (hybrid). Made by {@link Cgroups#create}; {@link #close()}
 * kills what is left, waits until the leaf is empty and removes it.
 *
 * <p>Placement (the spawn path): clone3 with CLONE_INTO_CGROUP and
 * {@link #cloneIntoFd()} when it is not -1, and the child writing "0" into
 * each of {@link #tasksFds()} before anything else; both on a hybrid host.
 * {@link #attach} does the same for a process that is already running
 * (tests, ProcessBuilder children).
 *
 * <p>Thread-safe; every method but close() may be called from any thread
 * while another one is in close() and then sees the leaf closed.
 */
public final class CgroupLeaf implements AutoCloseable {
    private static final long FREEZE_TIMEOUT = TimeUnit.SECONDS.toNanos(10);
    /** How long close() waits for killed tasks to exit; tasks in uninterruptible sleep can take a while. */
    static final long CLOSE_TIMEOUT = TimeUnit.SECONDS.toNanos(20);

    private final String name;
    private final CgroupV2 v2;
    private final CgroupV1 v1;
    private LeafUsage last;
    private boolean closed;
    private boolean removed;

    CgroupLeaf(String name, CgroupV2 v2, CgroupV1 v1) {
        this.name = name;
        this.v2 = v2;
        this.v1 = v1;
    }

    /** The fds the leaf holds while it exists: two per hierarchy (see {@link Cgroups#fdsPerLeaf}). */
    int fds() {
        return Cgroups.fdsPerLeaf((v2 == null ? 0 : 1) + (v1 == null ? 0 : v1.tasksFdCount()));
    }

    /** The leaf's directory name, jiso-PID-N, the same in every hierarchy. */
    public String name() {
        return name;
    }

    /** An O_DIRECTORY|O_CLOEXEC fd of the v2 leaf for CLONE_INTO_CGROUP, or -1 without a v2 tree. Owned by the leaf. */
    public synchronized int cloneIntoFd() {
        open();
        return v2 == null ? -1 : v2.fd();
    }

    /** The hierarchies runtimes read their limits from that the leaf is in (see LeafHierarchies). */
    public synchronized LeafHierarchies runtimeHierarchies() {
        open();
        return new LeafHierarchies(v2 != null, v1 == null ? List.of() : v1.runtimeHierarchies());
    }

    /** Whether jiso-init may run real-time in the leaf without getting in the tree's way (see CgroupV2). */
    public synchronized boolean realtimeHarmless() {
        open();
        return v2 == null || v2.realtimeHarmless();
    }

    /**
     * Open O_WRONLY|O_CLOEXEC fds of each v1 leaf's tasks file, into which
     * the single-threaded child writes "0" to move itself before it does
     * anything else; empty on pure v2. Owned by the leaf (a copy of the array).
     */
    public synchronized int[] tasksFds() {
        open();
        return v1 == null ? new int[0] : v1.tasksFds();
    }

    /** Moves a running process (and its future children) into the leaf, in every hierarchy. */
    public synchronized void attach(long pid) throws SetupFailure {
        open();
        if (v2 != null) {
            v2.attach(Math.toIntExact(pid));
        }
        if (v1 != null) {
            v1.attach(Math.toIntExact(pid));
        }
    }

    /** A fresh reading while the leaf exists; after {@link #close()} the last one, taken just before removal. */
    public synchronized LeafUsage usage() throws SetupFailure {
        return closed ? last : read();
    }

    private LeafUsage read() throws HostSetupFailure {
        UsageBuilder u = new UsageBuilder();
        if (v2 != null) {
            v2.readUsage(u);
        }
        if (v1 != null) {
            v1.readUsage(u);
        }
        return u.build();
    }

    /**
     * The leaf's CPU time counter, for jiso-init to read: kind 2, the v2
     * cpu.stat (its first line is usage_usec, there even without the cpu
     * controller); kind 1, the v1 cpuacct.usage (nanoseconds). The fd is
     * O_RDONLY|O_CLOEXEC and the caller's to close.
     */
    public record CpuCounter(int fd, int kind) {}

    /** Opens the leaf's CPU time counter; null where the layout has none. */
    public synchronized CpuCounter openCpuCounter() throws HostSetupFailure {
        open();
        if (v2 != null) {
            return new CpuCounter(Sys.openat(v2.fd(), "cpu.stat", Errno.O_RDONLY | Errno.O_CLOEXEC, 0), 2);
        }
        Path acct = v1 == null ? null : v1.dirFor(Controller.CPUACCT);
        return acct == null
                ? null
                : new CpuCounter(
                        Sys.open(acct.resolve("cpuacct.usage").toString(), Errno.O_RDONLY | Errno.O_CLOEXEC, 0), 1);
    }

    /** Whether an OOM killer (the cgroup's or the system's) killed a process of this leaf. False where unknown. */
    public boolean oomKilled() throws SetupFailure {
        return usage().oomKills() > 0;
    }

    /** Whether any task is still in the leaf. */
    public synchronized boolean populated() throws SetupFailure {
        return !closed && isPopulated();
    }

    private boolean isPopulated() throws HostSetupFailure {
        return (v2 != null && v2.populated()) || (v1 != null && v1.populated());
    }

    /** Stops every task in the leaf and waits until they are stopped; as {@link #freeze(long)} with no exception. */
    public synchronized void freeze() throws SetupFailure {
        freeze(-1);
    }

    /**
     * Stops every task in the leaf but {@code keepRunning} (-1 for none), and
     * waits until they are stopped: cgroup.freeze, or the v1 freezer, of a
     * child cgroup of the leaf that they move into (see FrozenPart). A
     * sandbox's jiso-init is kept running, so that it still ends the sandbox
     * when the JVM dies. Stopped tasks still die of SIGKILL on cgroup v2; on
     * v1 only once thawed, which {@link #killAll()} does.
     */
    public synchronized void freeze(long keepRunning) throws SetupFailure {
        open();
        freezer("freeze").freeze(Math.toIntExact(keepRunning), FREEZE_TIMEOUT);
    }

    /** Lets frozen tasks run again. */
    public synchronized void thaw() throws SetupFailure {
        open();
        freezer("thaw").thaw(FREEZE_TIMEOUT);
    }

    private Cgroup freezer(String what) throws FeatureUnavailable {
        if (v2 != null && v2.canFreeze()) {
            return v2;
        }
        if (v1 != null && v1.canFreeze()) {
            return v1;
        }
        throw new FeatureUnavailable(
                what + " " + name,
                0,
                "",
                "neither cgroup.freeze (cgroup v2, Linux 5.2) nor a v1 freezer hierarchy is available");
    }

    /**
     * SIGKILL to every task in the leaf, so that nothing forks away: cgroup.kill
     * (Linux 5.14) where there is one, else freeze, kill each pid, thaw. Does
     * not wait for the tasks to exit.
     */
    public synchronized void killAll() throws SetupFailure {
        open();
        killRemaining();
    }

    private void killRemaining() throws SetupFailure {
        if (v2 != null && v2.canKill()) {
            v2.kill();
        } else if ((v2 != null && v2.canFreeze()) || (v1 != null && v1.canFreeze())) {
            Cgroup f = freezer("kill");
            f.setFrozen(true, FREEZE_TIMEOUT);
            try {
                killEach(pids());
            } finally {
                f.setFrozen(false, FREEZE_TIMEOUT); // v1 frozen tasks act on SIGKILL only once thawed
                f.thaw(FREEZE_TIMEOUT); // and those in the frozen part too
            }
        } else {
            // No freezer at all: a forking task can escape a round, so repeat while pids remain.
            for (int round = 0; round < 100 && !pids().isEmpty(); round++) {
                killEach(pids());
            }
        }
        if (v1 != null && v2 != null) {
            killEach(v1.pids()); // a task placed only in v1 (not the spawn contract, but possible) must not survive
        }
    }

    private Set<Integer> pids() throws HostSetupFailure {
        Set<Integer> pids = v2 != null ? v2.pids() : new HashSet<>();
        if (v1 != null) {
            pids.addAll(v1.pids());
        }
        return pids;
    }

    private static void killEach(Set<Integer> pids) throws HostSetupFailure {
        for (int pid : pids) {
            Sys.kill(pid, SIGKILL);
        }
    }

    /**
     * Asks the kernel to reclaim this much memory from the leaf (memory.reclaim,
     * v2, Linux 5.19). False if it could not reclaim all of it.
     */
    public synchronized boolean reclaim(long bytes) throws SetupFailure {
        open();
        if (bytes <= 0) {
            throw new IllegalArgumentException("reclaim bytes must be > 0, was " + bytes);
        }
        if (v2 == null) {
            throw new FeatureUnavailable(
                    "reclaim " + bytes + " bytes from " + name, 0, "", "memory.reclaim exists only on cgroup v2");
        }
        return v2.reclaim(bytes);
    }

    /** Pressure stall information per resource ("cpu", "memory", "io", "irq"), where the kernel has PSI. */
    public synchronized Map<String, LeafUsage.Pressure> pressure() throws SetupFailure {
        open();
        Map<String, LeafUsage.Pressure> p = v2 == null ? Map.of() : v2.pressure();
        if (p.isEmpty()) {
            throw new FeatureUnavailable(
                    "read pressure of " + name,
                    0,
                    "",
                    v2 == null
                            ? "PSI exists only in the cgroup v2 tree"
                            : "the kernel has no PSI (CONFIG_PSI, or psi=0)");
        }
        return p;
    }

    /**
     * Kills what remains, waits (bounded) until the leaf is empty, keeps the
     * last usage reading, removes the leaf's directories and closes its fds.
     * Idempotent. If tasks outlive the wait the leaf stays open and this
     * throws; the shutdown hook and the next JVM's sweep try again.
     */
    @Override
    public synchronized void close() throws SetupFailure {
        close(CLOSE_TIMEOUT);
    }

    synchronized void close(long timeoutNanos) throws SetupFailure {
        retire(timeoutNanos);
        remove(timeoutNanos);
    }

    /**
     * The first half of {@link #close()}: kills what remains, waits until the
     * leaf is empty and takes the last usage reading; the leaf is closed from
     * then on, but its directories stay until {@link #remove}. Idempotent.
     */
    public synchronized void retire() throws SetupFailure {
        retire(CLOSE_TIMEOUT);
    }

    private void retire(long timeoutNanos) throws SetupFailure {
        if (closed) {
            return;
        }
        if (isPopulated()) {
            killRemaining();
            if (!CgroupFs.await(() -> !isPopulated(), timeoutNanos)) {
                throw new HostSetupFailure(
                        "remove cgroup leaf " + name,
                        0,
                        "",
                        "tasks " + pids() + " still there " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                                + " ms after SIGKILL");
            }
        }
        last = read();
        closed = true;
    }

    /** The second half of {@link #close()}: removes the retired leaf's directories and closes its fds. */
    public synchronized void remove() throws SetupFailure {
        remove(CLOSE_TIMEOUT);
    }

    private void remove(long timeoutNanos) throws SetupFailure {
        if (!closed || removed) {
            return;
        }
        removed = true;
        Cgroups.closed(this);
        List<HostSetupFailure> errors = new ArrayList<>();
        for (Cgroup c : parts()) {
            try {
                c.remove(timeoutNanos);
            } catch (HostSetupFailure e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            errors.subList(1, errors.size()).forEach(errors.get(0)::addSuppressed);
            throw errors.get(0); // the record stays: the shutdown hook, or the next JVM's sweep, tries again
        }
        Cgroups.removed(name);
    }

    private List<Cgroup> parts() {
        List<Cgroup> p = new ArrayList<>(2);
        if (v2 != null) {
            p.add(v2);
        }
        if (v1 != null) {
            p.add(v1);
        }
        return p;
    }

    /** The directories of this leaf (for tests and diagnostics). */
    List<Path> dirs() {
        List<Path> d = new ArrayList<>();
        parts().forEach(c -> d.addAll(c.dirs()));
        return d;
    }

    /** The directory holding this controller's files (v1 leaf, else the v2 leaf), for tests. */
    Path dirFor(Controller c) {
        Path d = v1 == null ? null : v1.dirFor(c);
        return d != null ? d : v2 == null ? null : v2.dir();
    }

    /** Writes limits into every part; before any process is placed. */
    void apply(CgroupLimits limits) throws SetupFailure {
        if (v2 != null) {
            v2.apply(limits);
        }
        if (v1 != null) {
            v1.apply(limits);
        }
    }

    /** Undoes a leaf in which no process was ever placed (half made, or made ahead and not used), and its record. */
    void discard() {
        if (discardParts()) {
            Cgroups.removed(name);
        }
    }

    /** Removes the parts; false if one could not be (its record then stays for the sweep). */
    boolean discardParts() {
        closed = true;
        removed = true;
        boolean all = true;
        for (Cgroup c : parts()) {
            try {
                c.remove(0);
            } catch (HostSetupFailure e) {
                all = false;
            }
        }
        return all;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("cgroup leaf " + name + " is closed");
        }
    }

    @Override
    public String toString() {
        return "CgroupLeaf[" + name + (closed ? ", closed" : "") + ", " + dirs() + "]";
    }
}
