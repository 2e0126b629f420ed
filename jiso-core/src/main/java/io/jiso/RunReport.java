package io.jiso;

import java.time.Duration;

/**
 * How a run ended and what it used, for a judge: {@link IsolatedProcess#report()}.
 * The {@link #status()} follows the precedence of {@link RunStatus}.
 *
 * @param status          the verdict
 * @param exitCode        the main process's exit code; -1 if a signal ended it
 * @param signal          the signal that ended the main process; 0 if none did
 * @param cpuTime         CPU time of every process of the sandbox together (its cgroup);
 *                        {@link ResourceUsage#UNKNOWN_TIME} without a cgroup leaf
 * @param wallTime        from the main program's start to its end (measured by jiso-init
 *                        with a pid namespace, by the JVM from start() to the exit report without one)
 * @param memoryPeakBytes the sandbox's memory peak; {@link ResourceUsage#UNKNOWN} where the host has none
 * @param outputBytes     bytes written to stdout and stderr together, as counted under an output
 *                        limit (past it too) or collected by run(); {@link ResourceUsage#UNKNOWN} otherwise
 * @param killedByJiso    whether jiso killed the sandbox for one of its limits (CPU, wall, output)
 * @param message         one line for people, e.g. "Time limit exceeded (CPU 1.004 s > 1.000 s)"
 */
public record RunReport(
        RunStatus status,
        int exitCode,
        int signal,
        Duration cpuTime,
        Duration wallTime,
        long memoryPeakBytes,
        long outputBytes,
        boolean killedByJiso,
        String message) {}
