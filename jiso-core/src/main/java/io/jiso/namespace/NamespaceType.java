package io.jiso.namespace;

import io.jiso.nativegen.Linux;

/**
 * The kinds of Linux namespace a sandbox gets or joins, by their clone flags
 * (the nstype of setns(2)). The public {@code io.jiso.Namespace} names one
 * each, with the same name.
 */
public enum NamespaceType {
    PID(Linux.CLONE_NEWPID),
    MOUNT(Linux.CLONE_NEWNS),
    UTS(Linux.CLONE_NEWUTS),
    IPC(Linux.CLONE_NEWIPC),
    NET(Linux.CLONE_NEWNET),
    CGROUP(Linux.CLONE_NEWCGROUP),
    USER(Linux.CLONE_NEWUSER),
    TIME(Linux.CLONE_NEWTIME);

    private final long cloneFlag;

    NamespaceType(long cloneFlag) {
        this.cloneFlag = cloneFlag;
    }

    /** The CLONE_NEW* flag of this namespace. */
    public long cloneFlag() {
        return cloneFlag;
    }
}
