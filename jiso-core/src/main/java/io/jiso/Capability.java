package io.jiso;

import io.jiso.capability.KernelCapability;

/**
 * Linux capabilities by their kernel names (see capabilities(7)). A sandboxed
 * process has none unless asked for; a kept capability is in its bounding,
 * permitted, effective, inheritable and ambient sets, so that it survives the
 * execve of an ordinary (non-root, non-file-capability) program.
 */
public enum Capability {
    CAP_CHOWN(KernelCapability.CAP_CHOWN),
    CAP_DAC_OVERRIDE(KernelCapability.CAP_DAC_OVERRIDE),
    CAP_DAC_READ_SEARCH(KernelCapability.CAP_DAC_READ_SEARCH),
    CAP_FOWNER(KernelCapability.CAP_FOWNER),
    CAP_FSETID(KernelCapability.CAP_FSETID),
    CAP_KILL(KernelCapability.CAP_KILL),
    CAP_SETGID(KernelCapability.CAP_SETGID),
    CAP_SETUID(KernelCapability.CAP_SETUID),
    CAP_SETPCAP(KernelCapability.CAP_SETPCAP),
    CAP_LINUX_IMMUTABLE(KernelCapability.CAP_LINUX_IMMUTABLE),
    CAP_NET_BIND_SERVICE(KernelCapability.CAP_NET_BIND_SERVICE),
    CAP_NET_BROADCAST(KernelCapability.CAP_NET_BROADCAST),
    CAP_NET_ADMIN(KernelCapability.CAP_NET_ADMIN),
    CAP_NET_RAW(KernelCapability.CAP_NET_RAW),
    CAP_IPC_LOCK(KernelCapability.CAP_IPC_LOCK),
    CAP_IPC_OWNER(KernelCapability.CAP_IPC_OWNER),
    CAP_SYS_MODULE(KernelCapability.CAP_SYS_MODULE),
    CAP_SYS_RAWIO(KernelCapability.CAP_SYS_RAWIO),
    CAP_SYS_CHROOT(KernelCapability.CAP_SYS_CHROOT),
    CAP_SYS_PTRACE(KernelCapability.CAP_SYS_PTRACE),
    CAP_SYS_PACCT(KernelCapability.CAP_SYS_PACCT),
    CAP_SYS_ADMIN(KernelCapability.CAP_SYS_ADMIN),
    CAP_SYS_BOOT(KernelCapability.CAP_SYS_BOOT),
    CAP_SYS_NICE(KernelCapability.CAP_SYS_NICE),
    CAP_SYS_RESOURCE(KernelCapability.CAP_SYS_RESOURCE),
    CAP_SYS_TIME(KernelCapability.CAP_SYS_TIME),
    CAP_SYS_TTY_CONFIG(KernelCapability.CAP_SYS_TTY_CONFIG),
    CAP_MKNOD(KernelCapability.CAP_MKNOD),
    CAP_LEASE(KernelCapability.CAP_LEASE),
    CAP_AUDIT_WRITE(KernelCapability.CAP_AUDIT_WRITE),
    CAP_AUDIT_CONTROL(KernelCapability.CAP_AUDIT_CONTROL),
    CAP_SETFCAP(KernelCapability.CAP_SETFCAP),
    CAP_MAC_OVERRIDE(KernelCapability.CAP_MAC_OVERRIDE),
    CAP_MAC_ADMIN(KernelCapability.CAP_MAC_ADMIN),
    CAP_SYSLOG(KernelCapability.CAP_SYSLOG),
    CAP_WAKE_ALARM(KernelCapability.CAP_WAKE_ALARM),
    CAP_BLOCK_SUSPEND(KernelCapability.CAP_BLOCK_SUSPEND),
    CAP_AUDIT_READ(KernelCapability.CAP_AUDIT_READ),
    CAP_PERFMON(KernelCapability.CAP_PERFMON),
    CAP_BPF(KernelCapability.CAP_BPF),
    CAP_CHECKPOINT_RESTORE(KernelCapability.CAP_CHECKPOINT_RESTORE);

    private final KernelCapability kernel;

    Capability(KernelCapability kernel) {
        this.kernel = kernel;
    }

    /** The kernel's number of this capability, from linux/capability.h. */
    public int value() {
        return kernel.value();
    }

    /** The internals' name of this capability. */
    KernelCapability kernel() {
        return kernel;
    }
}
