package io.jiso.cgroup;

import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One driver's part of a leaf: the leaf's directory in the v2 tree
 * ({@link CgroupV2}) or its directories in the v1 hierarchies
 * ({@link CgroupV1}). A {@link CgroupLeaf} has one or both (hybrid) and
 * gives each only the controllers that live in its hierarchy.
 */
sealed interface Cgroup permits CgroupV1, CgroupV2 {
    /**
     * Writes every limit whose controller this driver holds. A limit the
     * driver cannot express is a FeatureUnavailable, never a no-op.
     */
    void apply(CgroupLimits limits) throws SetupFailure;

    /** Adds what this driver measures; fields already set by another driver are kept. */
    void readUsage(UsageBuilder into) throws HostSetupFailure;

    /** Processes in the leaf and its frozen part (their thread-group ids). */
    Set<Integer> pids() throws HostSetupFailure;

    /** Whether any task is still in the leaf. */
    boolean populated() throws HostSetupFailure;

    /** Whether this driver can freeze its leaf (cgroup.freeze, or a v1 freezer directory). */
    boolean canFreeze();

    /** Freezes or thaws the whole leaf, and waits (bounded) until the kernel reports it done. */
    void setFrozen(boolean frozen, long timeoutNanos) throws SetupFailure;

    /** Freezes every process of the leaf but {@code keep} (-1: none), in its {@link FrozenPart}. */
    void freeze(int keep, long timeoutNanos) throws SetupFailure;

    /** Lets what {@link #freeze(int, long)} stopped run again. */
    void thaw(long timeoutNanos) throws SetupFailure;

    /** Moves a running process into the leaf. */
    void attach(int pid) throws HostSetupFailure;

    /** Removes the directories and closes the fds; idempotent. The leaf must be empty. */
    void remove(long timeoutNanos) throws HostSetupFailure;

    /** The directories this driver created. */
    List<Path> dirs();
}
