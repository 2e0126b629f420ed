package io.jiso;

import io.jiso.limits.RlimitResource;

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
    AS(RlimitResource.AS),
    CORE(RlimitResource.CORE),
    CPU(RlimitResource.CPU),
    DATA(RlimitResource.DATA),
    FSIZE(RlimitResource.FSIZE),
    LOCKS(RlimitResource.LOCKS),
    MEMLOCK(RlimitResource.MEMLOCK),
    MSGQUEUE(RlimitResource.MSGQUEUE),
    NICE(RlimitResource.NICE),
    NOFILE(RlimitResource.NOFILE),
    NPROC(RlimitResource.NPROC),
    RSS(RlimitResource.RSS),
    RTPRIO(RlimitResource.RTPRIO),
    RTTIME(RlimitResource.RTTIME),
    SIGPENDING(RlimitResource.SIGPENDING),
    STACK(RlimitResource.STACK);

    /** RLIM_INFINITY: no limit. */
    public static final long UNLIMITED = RlimitResource.UNLIMITED;

    private final RlimitResource resource;

    ResourceLimit(RlimitResource resource) {
        this.resource = resource;
    }

    /** The soft limit a sandbox gets unless {@code rlimit(..)} says otherwise. */
    public long defaultSoft() {
        return resource.defaultSoft();
    }

    /** The hard limit a sandbox gets unless {@code rlimit(..)} says otherwise. */
    public long defaultHard() {
        return resource.defaultHard();
    }

    /** The kernel's RLIMIT_* number on this architecture. */
    public int kernelNumber() {
        return resource.kernelNumber();
    }

    /** The internals' name of this limit. */
    RlimitResource resource() {
        return resource;
    }

    /** Whether soft &lt;= hard, with {@link #UNLIMITED} above every number. */
    static boolean ordered(long soft, long hard) {
        return hard == UNLIMITED || (soft != UNLIMITED && soft <= hard);
    }
}
