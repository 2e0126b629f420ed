package io.jiso;

import io.jiso.nativegen.Abi;

/**
 * The Linux namespaces an isolated process can get. By default it gets a new
 * PID, MOUNT, UTS, IPC, NET and CGROUP namespace; USER and TIME are created
 * when asked for (a uid map, clock offsets).
 */
public enum Namespace {
    PID("CLONE_NEWPID"),
    MOUNT("CLONE_NEWNS"),
    UTS("CLONE_NEWUTS"),
    IPC("CLONE_NEWIPC"),
    NET("CLONE_NEWNET"),
    CGROUP("CLONE_NEWCGROUP"),
    USER("CLONE_NEWUSER"),
    TIME("CLONE_NEWTIME");

    private final long cloneFlag;

    Namespace(String flagName) {
        this.cloneFlag = Abi.current().longConstant(flagName);
    }

    /** The CLONE_NEW* flag of this namespace. */
    public long cloneFlag() {
        return cloneFlag;
    }
}
