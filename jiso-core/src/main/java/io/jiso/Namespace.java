package io.jiso;

import io.jiso.nativegen.Linux;

/**
 * The Linux namespaces an isolated process can get. By default it gets a new
 * PID, MOUNT, UTS, IPC, NET and CGROUP namespace; USER and TIME are created
 * when asked for (a uid map, clock offsets).
 */
public enum Namespace {
    PID(Linux.CLONE_NEWPID),
    MOUNT(Linux.CLONE_NEWNS),
    UTS(Linux.CLONE_NEWUTS),
    IPC(Linux.CLONE_NEWIPC),
    NET(Linux.CLONE_NEWNET),
    CGROUP(Linux.CLONE_NEWCGROUP),
    USER(Linux.CLONE_NEWUSER),
    TIME(Linux.CLONE_NEWTIME);

    private final long cloneFlag;

    Namespace(long cloneFlag) {
        this.cloneFlag = cloneFlag;
    }

    /** The CLONE_NEW* flag of this namespace. */
    public long cloneFlag() {
        return cloneFlag;
    }
}
