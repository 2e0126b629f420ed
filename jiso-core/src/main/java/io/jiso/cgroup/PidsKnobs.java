package io.jiso.cgroup;

import java.util.List;

/** The pids controller's limit: pids.max in both versions. */
final class PidsKnobs {
    static final Knob<Long> MAX = Knob.<Long>declare("pidsMax", "pidsMax", Controller.PIDS, "tasks")
            .unlimited()
            .rule(">= 1", v -> v >= 1)
            .v2File("pids.max", String::valueOf)
            .v1File("pids.max", String::valueOf)
            .done();

    static final Knobs.Group GROUP = new Knobs.Group(Controller.PIDS, List.of(MAX));

    private PidsKnobs() {}
}
