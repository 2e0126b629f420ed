package io.jiso.examples.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiso.IsolatedProcessBuilder;
import io.jiso.RunReport;
import io.jiso.RunStatus;
import java.time.Duration;
import java.util.Locale;

/**
 * How much slower than a development machine this host runs programs, and the judge's time
 * limits grown by that much for the tests. The judge's limits fit a real machine: under software
 * emulation (the pure cgroup v2 guest, 20-40 times slower) a JVM's start alone takes more than
 * the 2 s of CPU time a run gets, and javac more than the 10 s a compile gets.
 *
 * <p>The factor is measured once, by a shell loop in a sandbox: the CPU time the kernel
 * accounts to its cgroup, against what the loop takes on a development machine. Under twice
 * that, the host counts as one and the limits stay exactly the judge's. Time limits only: the
 * programs that must exceed them never end (endless loops, an endless sleep), so a longer limit
 * changes when they are stopped, not their verdict; memory and output limits stay as they are.
 */
final class HostSpeed {
    /** Interpreted work, like most of a compiler's, an interpreter's or a JVM's start. */
    private static final String CALIBRATION = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";
    /** The loop's CPU time on a development machine (x86-64, dash as /bin/sh). */
    private static final Duration REFERENCE = Duration.ofMillis(300);
    /** Slower than this, limits grow; faster, the host is as fast as a development machine. */
    private static final double SLOW = 2;

    private static volatile Long factor;

    private HostSpeed() {}

    /** How many times the time limits grow here: 1 on a development machine. Needs cgroup leaves. */
    static long factor() {
        if (factor == null) {
            synchronized (HostSpeed.class) {
                if (factor == null) {
                    factor = measure();
                }
            }
        }
        return factor;
    }

    private static long measure() {
        RunReport report;
        try {
            // the CPU limit gives the loop its own cgroup leaf, whose CPU time the report gives
            report = new IsolatedProcessBuilder("/bin/sh", "-c", CALIBRATION)
                    .cpuTimeLimit(Duration.ofMinutes(10))
                    .run(new byte[0])
                    .report();
        } catch (Exception e) {
            throw new AssertionError("the calibration loop did not run", e);
        }
        assertEquals(RunStatus.OK, report.status(), "the calibration loop: " + report);
        double ratio = (double) report.cpuTime().toNanos() / REFERENCE.toNanos();
        long f = ratio < SLOW ? 1 : (long) Math.ceil(ratio);
        System.out.printf(
                Locale.ROOT,
                "HostSpeed: the calibration loop took %.3f s of CPU time, %.1f times a"
                        + " development machine's; the judge's time limits are multiplied by %d%n",
                report.cpuTime().toNanos() / 1e9,
                ratio,
                f);
        return f;
    }

    /** A duration of a development machine's, here. */
    static Duration scaled(Duration d) {
        return d.multipliedBy(factor());
    }

    /** The same limits with CPU and wall time grown by {@link #factor()}. */
    static Judge.Limits scaled(Judge.Limits l) {
        return new Judge.Limits(
                scaled(l.cpu()), scaled(l.wall()), l.memoryBytes(), l.pids(), l.outputBytes(), l.stackBytes());
    }
}
