package io.jiso.cgroup;

import io.jiso.plan.StepList;
import io.jiso.plan.Syscalls;
import java.lang.foreign.MemorySegment;

/** The child's own part of joining its leaf on v1, where clone3 cannot place it (no CLONE_INTO_CGROUP). */
public final class CgroupSteps {
    private CgroupSteps() {}

    /**
     * Writes "0" (this thread) into each of {@link CgroupLeaf#tasksFds()}.
     * The child has one thread and has not run anything yet, so this moves
     * all of it, and everything it starts is born in the leaf.
     */
    public static void moveSelfInto(StepList steps, String leafName, int[] tasksFds) {
        MemorySegment self = steps.cString("0");
        for (int fd : tasksFds) {
            steps.call(
                    "move into cgroup " + leafName + " (write 0 to a v1 tasks file)",
                    Syscalls.WRITE,
                    fd,
                    self.address(),
                    1);
        }
    }
}
