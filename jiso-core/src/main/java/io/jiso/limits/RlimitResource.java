package io.jiso.limits;

import io.jiso.nativegen.Linux;

/**
 * The kernel's per-process resource limits (setrlimit(2)) as the internals
 * name them, with the defaults a sandbox gets. The public
 * {@code io.jiso.ResourceLimit} names one each, with the same name.
 */
public enum RlimitResource {
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

    RlimitResource(int kernelNumber, long defaultSoft, long defaultHard) {
        this.kernelNumber = kernelNumber;
        this.defaultSoft = defaultSoft;
        this.defaultHard = defaultHard;
    }

    /** The soft limit a sandbox gets unless the caller sets one. */
    public long defaultSoft() {
        return defaultSoft;
    }

    /** The hard limit a sandbox gets unless the caller sets one. */
    public long defaultHard() {
        return defaultHard;
    }

    /** The kernel's RLIMIT_* number on this architecture. */
    public int kernelNumber() {
        return kernelNumber;
    }
}
