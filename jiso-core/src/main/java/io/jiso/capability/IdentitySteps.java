package io.jiso.capability;

import io.jiso.nativegen.Linux;
import io.jiso.plan.StepList;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The child takes on its uid, gid and supplementary groups: setgroups, then
 * setresgid, then setresuid, all three ids of each (real, effective, saved),
 * so that nothing can switch back. Groups and gid go first because changing
 * them needs CAP_SETGID, which a non-root uid loses unless capabilities are
 * kept. The ids are those of the child's user namespace and must be mapped in
 * it (EINVAL otherwise).
 */
final class IdentitySteps {
    private IdentitySteps() {}

    private static final int SETGROUPS = Linux.__NR_setgroups;
    private static final int SETRESGID = Linux.__NR_setresgid;
    private static final int SETRESUID = Linux.__NR_setresuid;

    /**
     * Adds the steps. With {@code setGroups} false the supplementary groups
     * are left alone: in a user namespace whose /proc/pid/setgroups is "deny"
     * (required when an unprivileged parent writes gid_map) setgroups fails
     * with EPERM, and the groups the child has are then the overflow gid.
     */
    public static void change(StepList steps, long uid, long gid, List<Long> groups, boolean setGroups) {
        if (setGroups) {
            MemorySegment list = steps.memory().allocate(ValueLayout.JAVA_INT, Math.max(1, groups.size()));
            for (int i = 0; i < groups.size(); i++) {
                list.setAtIndex(ValueLayout.JAVA_INT, i, (int) (long) groups.get(i)); // gid_t, 32 bits
            }
            steps.call("set supplementary groups to " + groups, SETGROUPS, groups.size(), list.address());
        }
        steps.call("set gid to " + gid, SETRESGID, gid, gid, gid);
        steps.call("set uid to " + uid, SETRESUID, uid, uid, uid);
    }
}
