package io.jiso;

import io.jiso.nativegen.Abi;

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
    AS(-1, -1),
    CORE(0, 0),
    CPU(-1, -1),
    DATA(-1, -1),
    FSIZE(-1, -1),
    LOCKS(-1, -1),
    MEMLOCK(8L << 20, 8L << 20),
    MSGQUEUE(819_200, 819_200),
    NICE(0, 0),
    NOFILE(1024, 1024),
    NPROC(-1, -1),
    RSS(-1, -1),
    RTPRIO(0, 0),
    RTTIME(-1, -1),
    SIGPENDING(16_384, 16_384),
    STACK(8L << 20, -1);

    /** RLIM_INFINITY: no limit. */
    public static final long UNLIMITED = -1;

    private final long defaultSoft;
    private final long defaultHard;

    ResourceLimit(long defaultSoft, long defaultHard) {
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
        return Abi.current().intConstant("RLIMIT_" + name());
    }

    /** Whether soft &lt;= hard, with {@link #UNLIMITED} above every number. */
    static boolean ordered(long soft, long hard) {
        return hard == UNLIMITED || (soft != UNLIMITED && soft <= hard);
    }
}
