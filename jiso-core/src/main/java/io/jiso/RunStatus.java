package io.jiso;

/**
 * How a run ended, for a judge. When several apply, the first of this
 * precedence is the verdict (see {@link RunReport}):
 * <ol>
 * <li>the limit jiso killed the sandbox for, CPU time, wall time or output:
 * the first limit it saw exceeded, whose kill explains how every process
 * then ended (OOM kills and signals that come with it included);
 * <li>{@link #CPU_TIME_EXCEEDED} when more than the CPU time limit was used
 * though the run ended before the kill, or the main process died of SIGXCPU;
 * then {@link #WALL_TIME_EXCEEDED} likewise;
 * <li>{@link #MEMORY_EXCEEDED}: the kernel's OOM killer killed a process of
 * the sandbox (not necessarily the main one);
 * <li>{@link #OUTPUT_EXCEEDED}: the main process died of SIGXFSZ (a file
 * write beyond RLIMIT_FSIZE);
 * <li>{@link #SIGNALED}, {@link #RUNTIME_ERROR}, {@link #OK}: how the main
 * process ended.
 * </ol>
 */
public enum RunStatus {
    /** Exit code 0, no limit exceeded. */
    OK,
    /** A non-zero exit code. */
    RUNTIME_ERROR,
    /** The main process was killed by a signal that no limit explains. */
    SIGNALED,
    /** The sandbox used more CPU time, all its processes together, than its limit. */
    CPU_TIME_EXCEEDED,
    /** The run lasted longer than its wall time limit. */
    WALL_TIME_EXCEEDED,
    /** The kernel's OOM killer killed a process of the sandbox (memoryMax). */
    MEMORY_EXCEEDED,
    /** Output beyond the output limit, or a file write beyond RLIMIT_FSIZE. */
    OUTPUT_EXCEEDED
}
