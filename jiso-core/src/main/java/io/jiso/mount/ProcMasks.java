package io.jiso.mount;

import java.util.List;

/**
 * What a sandbox must not see or change in /proc: the same paths runc and
 * Docker mask, for the same reasons (kernel memory, keyrings, timers that
 * leak host activity, and the knobs of the whole machine).
 */
final class ProcMasks {
    private ProcMasks() {}

    /** Covered with /dev/null. */
    static final List<String> HIDDEN_FILES = List.of(
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug");
    /** Covered with an empty read-only tmpfs. */
    static final List<String> HIDDEN_DIRECTORIES = List.of("/proc/acpi", "/proc/scsi");
    /** Bound read-only onto themselves. */
    static final List<String> READ_ONLY =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
}
