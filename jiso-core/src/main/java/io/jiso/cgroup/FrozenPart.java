package io.jiso.cgroup;

import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link CgroupLeaf#freeze} stops: a child cgroup named {@value #NAME}
 * of the leaf's freezer directory, made by the first freeze (the spawn path
 * never pays for it). Every process of the leaf but one, jiso-init, moves
 * into it, so that PID 1 keeps running while the program is frozen and still
 * sees its lifeline: when the JVM dies init exits, and the kernel SIGKILLs
 * the rest of the pid namespace, which kills cgroup v2-frozen tasks. A v1
 * freezer holds a killed task until it is thawed, so there the lifeline does
 * not end a frozen sandbox (the next JVM's sweep does).
 *
 * <p>The move is atomic with respect to forks: the part is frozen while
 * empty, then the leaf, then every process but init moves (frozen, into a
 * frozen cgroup), then the leaf is thawed and only init runs again. The part
 * holds no controller of its own (on v2 the leaf's cgroup.subtree_control
 * stays empty, so the leaf may keep init), and the leaf's limits and counters
 * cover it: every v2 counter jiso reads is hierarchical, and on v1 only the
 * freezer hierarchy gets the part. Once moved, processes stay in the part;
 * {@link #thaw} thaws it.
 */
final class FrozenPart {
    static final String NAME = "frozen";

    /** How a driver freezes or thaws one directory and waits for it. */
    interface Freezer {
        void setFrozen(Path dir, boolean frozen, long timeoutNanos) throws SetupFailure;
    }

    private final Path leaf;
    private final Path dir;
    private boolean made;

    FrozenPart(Path leaf) {
        this.leaf = leaf;
        this.dir = leaf.resolve(NAME);
    }

    /** Freezes every process of the leaf but {@code keep} (-1: all of them). */
    void freeze(Freezer f, int keep, long timeoutNanos) throws SetupFailure {
        if (!made) {
            CgroupFs.mkdir(dir);
            made = true;
        }
        f.setFrozen(dir, true, timeoutNanos);
        if (!othersIn(keep)) {
            return;
        }
        f.setFrozen(leaf, true, timeoutNanos);
        try {
            for (int pid : CgroupFs.pids(leaf.resolve("cgroup.procs"))) {
                if (pid != keep) {
                    move(pid);
                }
            }
        } finally {
            f.setFrozen(leaf, false, timeoutNanos);
        }
    }

    private boolean othersIn(int keep) throws HostSetupFailure {
        for (int pid : CgroupFs.pids(leaf.resolve("cgroup.procs"))) {
            if (pid != keep) {
                return true;
            }
        }
        return false;
    }

    private void move(int pid) throws HostSetupFailure {
        try {
            CgroupFs.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
        } catch (HostSetupFailure e) {
            if (e.errno() != Errno.ESRCH) { // killed meanwhile (a frozen task still dies of SIGKILL on v2)
                throw e;
            }
        }
    }

    /** Thaws the part (and the leaf, in case a freeze was interrupted). */
    void thaw(Freezer f, long timeoutNanos) throws SetupFailure {
        f.setFrozen(leaf, false, timeoutNanos);
        if (made) {
            f.setFrozen(dir, false, timeoutNanos);
        }
    }

    /** Whether the part exists (a freeze made it). */
    boolean made() {
        return made;
    }

    /** The processes in the part. */
    List<Integer> pids() throws HostSetupFailure {
        return made ? CgroupFs.pids(dir.resolve("cgroup.procs")) : List.of();
    }

    /** Removes the part; it must be empty. Before the leaf itself. */
    void remove(long timeoutNanos) throws HostSetupFailure {
        if (made) {
            CgroupFs.rmdir(dir, timeoutNanos);
            made = false;
        }
    }
}
