package io.jiso.namespace;

import io.jiso.nativegen.Linux;
import io.jiso.plan.StepList;
import io.jiso.plan.Syscalls;
import java.time.Duration;
import java.util.Map;

/**
 * Namespace steps that are not a clone flag: joining another sandbox's
 * namespaces, the UTS hostname, and the clock offsets of a time namespace.
 */
public final class NamespaceSteps {
    private NamespaceSteps() {}

    private static final int SETNS = Linux.__NR_setns;
    private static final int UNSHARE = Linux.__NR_unshare;
    private static final int SETHOSTNAME = Linux.__NR_sethostname;
    private static final int SETGROUPS = Linux.__NR_setgroups;
    private static final int SETRESGID = Linux.__NR_setresgid;
    private static final int SETRESUID = Linux.__NR_setresuid;

    /**
     * In a new user namespace the child still has the host's ids, which the new
     * namespace does not map: files it creates would have no owner there
     * (EOVERFLOW). It becomes the namespace's root (uid and gid 0 inside,
     * which the maps must contain) before any setup.
     */
    public static void becomeRootOfUserNamespace(StepList steps, boolean canSetGroups) {
        if (canSetGroups) {
            steps.call("drop supplementary groups in the user namespace", SETGROUPS, 0, 0);
        }
        steps.call("become gid 0 of the user namespace", SETRESGID, 0, 0, 0);
        steps.call("become uid 0 of the user namespace", SETRESUID, 0, 0, 0);
    }

    /**
     * setns into the namespaces of other sandboxes, through their pidfds (the
     * way {@code docker run --net container:X} shares a network).
     */
    public static void join(StepList steps, Map<NamespaceType, Integer> pidfds) {
        for (Map.Entry<NamespaceType, Integer> e : pidfds.entrySet()) {
            steps.call(
                    "join the " + e.getKey().name().toLowerCase() + " namespace of another sandbox",
                    SETNS,
                    e.getValue(),
                    e.getKey().cloneFlag());
        }
    }

    /** setns into a new namespace made ahead of this spawn (see NetworkNamespacePool). */
    public static void joinFresh(StepList steps, int fd, NamespaceType ns) {
        steps.call("enter a new " + ns.name().toLowerCase() + " namespace", SETNS, fd, ns.cloneFlag());
    }

    /** unshare(2) of one namespace, for the processes of the plan from here on. */
    public static void unshare(StepList steps, NamespaceType ns) {
        steps.call("create a " + ns.name().toLowerCase() + " namespace", UNSHARE, ns.cloneFlag());
    }

    /** sethostname, in the new UTS namespace. */
    public static void hostname(StepList steps, String hostname) {
        var name = steps.cString(hostname);
        steps.call("set hostname " + hostname, SETHOSTNAME, name.address(), name.byteSize() - 1);
    }

    /**
     * A new time namespace for the processes created after this step, with its
     * offsets written before any of them exists (the kernel refuses them
     * later). Needs the sandbox's own /proc.
     */
    public static void timeNamespace(StepList steps, Duration monotonicOffset, Duration boottimeOffset) {
        unshare(steps, NamespaceType.TIME);
        Syscalls.writeFile(
                steps,
                "/proc/self/timens_offsets",
                "monotonic " + offset(monotonicOffset) + "\nboottime " + offset(boottimeOffset) + "\n");
    }

    private static String offset(Duration d) {
        return d.getSeconds() + " " + d.getNano();
    }
}
