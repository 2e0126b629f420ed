package io.jiso.spawn;

import io.jiso.cgroup.LeafHierarchies;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/** Test support: the steps of a spec's child plan, in words, without running it. */
public final class PlanSize {
    private PlanSize() {}

    /**
     * The steps of spec's child, with a ready-made network namespace, and a
     * root template (the way of a root JVM) or the host's namespace to build
     * the root from.
     */
    public static List<String> steps(SandboxSpec spec, boolean fromTemplate) {
        return steps(spec, fromTemplate, null);
    }

    /** As above, with a leaf in the hierarchies given (null: no leaf) for a spec that mounts its cgroup. */
    public static List<String> steps(SandboxSpec spec, boolean fromTemplate, LeafHierarchies cgroups) {
        try (Arena arena = Arena.ofConfined()) {
            StepList steps = new StepList(arena);
            ChildSteps.plan(
                    spec,
                    new ChildSteps.Fds(-1, -1, -1, 10, 11, fromTemplate ? 12 : -1, null),
                    ChildSteps.V1Leaf.NONE,
                    cgroups,
                    steps);
            List<String> described = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                described.add(steps.describe(i));
            }
            return described;
        }
    }
}
