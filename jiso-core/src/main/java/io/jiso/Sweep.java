package io.jiso;

import io.jiso.cgroup.Cgroups;
import io.jiso.plan.SetupFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Removes what JVMs that died without their shutdown hook (SIGKILL, a crash,
 * the OOM killer) left: the cgroup leaves recorded in jiso's run-state
 * directory ({@code /run/jiso} for root, else {@code $XDG_RUNTIME_DIR/jiso}
 * or {@code /tmp/jiso-UID}), killing whatever still runs in them. A JVM
 * that is still running (the same pid and start time) keeps its leaves.
 * Every JVM does this by itself at its first cgroup leaf; this is for a
 * command line tool or an operator.
 */
public final class Sweep {
    private Sweep() {}

    /** One cgroup leaf removed: the JVM that made it, its name, its directories, the processes killed in it. */
    public record Removed(long jvmPid, String leaf, List<Path> directories, Set<Integer> killedPids) {}

    /**
     * Removes the leaves of JVMs of this user that are gone and returns what
     * was removed. A leaf that could not be removed (a task that would not
     * die) is logged and keeps its record for the next sweep.
     *
     * @throws IsolationException if the run-state directory cannot be used (e.g. another user owns it)
     */
    public static List<Removed> deadJvms() throws IsolationException {
        try {
            return Cgroups.sweepDead().stream()
                    .map(r -> new Removed(r.jvmPid(), r.leaf(), List.copyOf(r.directories()), Set.copyOf(r.killed())))
                    .toList();
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }
}
