package io.jiso;

import io.jiso.nativegen.Linux;

/**
 * The kernel's per-process resource limits (setrlimit(2)), set on the
 * sandbox's main process with {@link IsolatedProcessBuilder#rlimit} and
 * inherited by everything it starts. Values are in the kernel's units: bytes
 * (AS, CORE, DATA, FSIZE, MEMLOCK, MSGQUEUE, RSS, STACK), seconds (CPU),
 * microseconds (RTTIME), a count (LOCKS, NOFILE, NPROC, SIGPENDING), or a
 * priority (NICE: 20 - nice value, RTPRIO). {@link #UNLIMITED} is
 * RLIM_INFINITY.
 *
 * <p>Defaults (each overridable) do not copy the JVM's limits: see
 * {@link #defaultSoft()} and {@link #defaultHard()}.
 */
public enum ResourceLimit {
    AS(Linux.RLIMIT_AS, -1, -1),
    CORE(Linux.RLIMIT_CORE, 0, 0),
    CPU(Linux.RLIMIT_CPU, -1, -1),
    DATA(Linux.RLIMIT_DATA, -1, -1),
    FSIZE(Linux.RLIMIT_FSIZE, -1, -1),
    LOCKS(Linux.RLIMIT_LOCKS, -1, -1),
    MEMLOCK(Linux.RLIMIT_MEMLOCK, 8L << 20, 8L << 20),
    MSGQUEUE(Linux.RLIMIT_MSGQUEUE, 819_200, 819_200),
    NICE(Linux.RLIMIT_NICE, 0, 0),
    NOFILE(Linux.RLIMIT_NOFILE, 1024, 1024),
    NPROC(Linux.RLIMIT_NPROC, -1, -1),
    RSS(Linux.RLIMIT_RSS, -1, -1),
    RTPRIO(Linux.RLIMIT_RTPRIO, 0, 0),
    RTTIME(Linux.RLIMIT_RTTIME, -1, -1),
    SIGPENDING(Linux.RLIMIT_SIGPENDING, 16_384, 16_384),
    STACK(Linux.RLIMIT_STACK, 8L << 20, -1);

    /** RLIM_INFINITY: no limit. */
    public static final long UNLIMITED = -1;

    private final int kernelNumber;
    private final long defaultSoft;
    private final long defaultHard;

    ResourceLimit(int kernelNumber, long defaultSoft, long defaultHard) {
        this.kernelNumber = kernelNumber;
        this.defaultSoft = defaultSoft;
        this.defaultHard = defaultHard;
    }

    /** The soft limit a sandbox gets unless {@code rlimit(..)} says otherwise. */
    public long defaultSoft() {
        return defaultSoft;
    }

    /** The hard limit a sandbox gets unless {@code rlimit(..)} says otherwise. */
    public long defaultHard() {
        return defaultHard;
    }

    /** The kernel's RLIMIT_* number on this architecture. */
    public int kernelNumber() {
        return kernelNumber;
    }

    /** Whether soft &lt;= hard, with {@link #UNLIMITED} above every number. */
    static boolean ordered(long soft, long hard) {
        return hard == UNLIMITED || (soft != UNLIMITED && soft <= hard);
    }
}
