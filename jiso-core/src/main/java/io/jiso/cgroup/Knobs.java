package io.jiso.cgroup;

import io.jiso.plan.SetupFailure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Function;

/**
 * Every cgroup limit, per controller. A controller's knobs are listed in the
 * order reports show them, and, where it matters, in the order each driver
 * writes them (v1's memory.memsw.limit_in_bytes must not be below
 * memory.limit_in_bytes, so memoryMax goes first there).
 */
final class Knobs {
    /** One controller's knobs: declaration (report) order, v2 write order, v1 write order. */
    record Group(Controller controller, List<Knob<?>> knobs, List<Knob<?>> v2Order, List<Knob<?>> v1Order) {
        Group {
            if (!new HashSet<>(knobs).equals(new HashSet<>(v2Order))
                    || !new HashSet<>(knobs).equals(new HashSet<>(v1Order))
                    || knobs.size() != v2Order.size()
                    || knobs.size() != v1Order.size()) {
                throw new IllegalStateException(controller + ": the write orders must list each knob once");
            }
            for (Knob<?> k : knobs) {
                if (k.controller != controller) {
                    throw new IllegalStateException(
                            k.name + " is declared with " + controller + " but needs " + k.controller);
                }
            }
        }

        Group(Controller controller, List<Knob<?>> knobs) {
            this(controller, knobs, knobs, knobs);
        }

        /**
         * Writes the set knobs into dir. On v1, a value v1 cannot express
         * fails first, before any file of the controller is written.
         */
        void apply(boolean onV1, Path dir, LeafFiles files, CgroupLimits l) throws SetupFailure {
            List<Knob<?>> order = onV1 ? v1Order : v2Order;
            if (onV1) {
                for (Knob<?> k : order) {
                    k.refuseOnV1(l);
                }
            }
            for (Knob<?> k : order) {
                k.write(onV1, dir, files, l);
            }
        }
    }

    /** In the order the drivers apply them. */
    static final List<Group> GROUPS = List.of(
            MemoryKnobs.GROUP, CpuKnobs.GROUP, CpusetKnobs.GROUP, IoKnobs.GROUP, PidsKnobs.GROUP, HugetlbKnobs.GROUP);

    /** Every knob, in report order. */
    static final List<Knob<?>> ALL = all();

    private Knobs() {}

    private static List<Knob<?>> all() {
        List<Knob<?>> all = new ArrayList<>();
        for (Group g : GROUPS) {
            all.addAll(g.knobs());
        }
        return List.copyOf(all);
    }

    /**
     * Writes every limit whose controller has a directory: dirFor gives the
     * leaf directory holding a controller's files, or null where this driver
     * does not hold it.
     */
    static void apply(boolean onV1, Function<Controller, Path> dirFor, LeafFiles files, CgroupLimits l)
            throws SetupFailure {
        for (Group g : GROUPS) {
            Path dir = dirFor.apply(g.controller());
            if (dir != null) {
                g.apply(onV1, dir, files, l);
            }
        }
    }
}
