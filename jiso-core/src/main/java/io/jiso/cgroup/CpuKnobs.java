package io.jiso.cgroup;

import java.util.List;

/** The cpu controller's limits: cpu.max and cpu.weight on v2, CFS bandwidth and cpu.shares on v1. */
final class CpuKnobs {
    /** cpu.max's two numbers. */
    record Max(long quotaMicros, long periodMicros) {}

    static final Knob<Max> MAX = Knob.<Max>declare("cpuMax", "cpuMaxMicros", Controller.CPU, "microseconds")
            // The kernel's bounds (kernel/sched/core.c): period 1 ms..1 s, quota at least 1 ms.
            .rule("period in 1000..1000000 microseconds, quota >= 1000 microseconds", (name, v) -> {
                if (v.periodMicros() < 1000 || v.periodMicros() > 1_000_000) {
                    throw new IllegalArgumentException(
                            name + " period must be in 1000..1000000 microseconds, was " + v.periodMicros());
                }
                if (v.quotaMicros() < 1000) {
                    throw new IllegalArgumentException(
                            name + " quota must be >= 1000 microseconds, was " + v.quotaMicros());
                }
                return v;
            })
            .v2File("cpu.max", v -> v.quotaMicros() + " " + v.periodMicros())
            .v1("cpu.cfs_period_us, cpu.cfs_quota_us", (leaf, v, all) -> {
                leaf.write("cpu.cfs_period_us", Long.toString(v.periodMicros()), leaf.field() + " period");
                leaf.write("cpu.cfs_quota_us", Long.toString(v.quotaMicros()), leaf.field() + " quota");
            })
            .show(v -> v.quotaMicros() + "/" + v.periodMicros() + "us")
            .done();

    static final Knob<Integer> WEIGHT = Knob.<Integer>declare("cpuWeight", "cpuWeight", Controller.CPU, "")
            .range(1, 10000)
            .v2File("cpu.weight", String::valueOf)
            .v1File("cpu.shares", v -> Long.toString(shares(v)))
            .done();

    static final Knobs.Group GROUP = new Knobs.Group(Controller.CPU, List.of(MAX, WEIGHT));

    private CpuKnobs() {}

    /** runc's cpu.shares to cpu.weight conversion, inverted: weight 100 is about 1024 shares. */
    static long shares(int weight) {
        return 2 + ((weight - 1L) * 262142) / 9999;
    }
}
