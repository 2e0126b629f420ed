package io.jiso.capability;

import io.jiso.nativegen.Linux;

/**
 * Linux capabilities by their kernel names and numbers (linux/capability.h),
 * as the internals name them. The public {@code io.jiso.Capability} names one
 * each, with the same name.
 */
public enum KernelCapability {
    CAP_CHOWN(Linux.CAP_CHOWN),
    CAP_DAC_OVERRIDE(Linux.CAP_DAC_OVERRIDE),
    CAP_DAC_READ_SEARCH(Linux.CAP_DAC_READ_SEARCH),
    CAP_FOWNER(Linux.CAP_FOWNER),
    CAP_FSETID(Linux.CAP_FSETID),
    CAP_KILL(Linux.CAP_KILL),
    CAP_SETGID(Linux.CAP_SETGID),
    CAP_SETUID(Linux.CAP_SETUID),
    CAP_SETPCAP(Linux.CAP_SETPCAP),
    CAP_LINUX_IMMUTABLE(Linux.CAP_LINUX_IMMUTABLE),
    CAP_NET_BIND_SERVICE(Linux.CAP_NET_BIND_SERVICE),
    CAP_NET_BROADCAST(Linux.CAP_NET_BROADCAST),
    CAP_NET_ADMIN(Linux.CAP_NET_ADMIN),
    CAP_NET_RAW(Linux.CAP_NET_RAW),
    CAP_IPC_LOCK(Linux.CAP_IPC_LOCK),
    CAP_IPC_OWNER(Linux.CAP_IPC_OWNER),
    CAP_SYS_MODULE(Linux.CAP_SYS_MODULE),
    CAP_SYS_RAWIO(Linux.CAP_SYS_RAWIO),
    CAP_SYS_CHROOT(Linux.CAP_SYS_CHROOT),
    CAP_SYS_PTRACE(Linux.CAP_SYS_PTRACE),
    CAP_SYS_PACCT(Linux.CAP_SYS_PACCT),
    CAP_SYS_ADMIN(Linux.CAP_SYS_ADMIN),
    CAP_SYS_BOOT(Linux.CAP_SYS_BOOT),
    CAP_SYS_NICE(Linux.CAP_SYS_NICE),
    CAP_SYS_RESOURCE(Linux.CAP_SYS_RESOURCE),
    CAP_SYS_TIME(Linux.CAP_SYS_TIME),
    CAP_SYS_TTY_CONFIG(Linux.CAP_SYS_TTY_CONFIG),
    CAP_MKNOD(Linux.CAP_MKNOD),
    CAP_LEASE(Linux.CAP_LEASE),
    CAP_AUDIT_WRITE(Linux.CAP_AUDIT_WRITE),
    CAP_AUDIT_CONTROL(Linux.CAP_AUDIT_CONTROL),
    CAP_SETFCAP(Linux.CAP_SETFCAP),
    CAP_MAC_OVERRIDE(Linux.CAP_MAC_OVERRIDE),
    CAP_MAC_ADMIN(Linux.CAP_MAC_ADMIN),
    CAP_SYSLOG(Linux.CAP_SYSLOG),
    CAP_WAKE_ALARM(Linux.CAP_WAKE_ALARM),
    CAP_BLOCK_SUSPEND(Linux.CAP_BLOCK_SUSPEND),
    CAP_AUDIT_READ(Linux.CAP_AUDIT_READ),
    CAP_PERFMON(Linux.CAP_PERFMON),
    CAP_BPF(Linux.CAP_BPF),
    CAP_CHECKPOINT_RESTORE(Linux.CAP_CHECKPOINT_RESTORE);

    private final int value;

    KernelCapability(int value) {
        this.value = value;
    }

    /** The kernel's number of this capability. */
    public int value() {
        return value;
    }
}
