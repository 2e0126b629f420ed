package io.jiso;

import io.jiso.namespace.NamespaceType;

/**
 * The Linux namespaces an isolated process can get. By default it gets a new
 * PID, MOUNT, UTS, IPC, NET and CGROUP namespace; USER and TIME are created
 * when asked for (a uid map, clock offsets).
 */
public enum Namespace {
    PID(NamespaceType.PID),
    MOUNT(NamespaceType.MOUNT),
    UTS(NamespaceType.UTS),
    IPC(NamespaceType.IPC),
    NET(NamespaceType.NET),
    CGROUP(NamespaceType.CGROUP),
    USER(NamespaceType.USER),
    TIME(NamespaceType.TIME);

    private final NamespaceType type;

    Namespace(NamespaceType type) {
        this.type = type;
    }

    /** The CLONE_NEW* flag of this namespace. */
    public long cloneFlag() {
        return type.cloneFlag();
    }

    /** The internals' name of this namespace. */
    NamespaceType type() {
        return type;
    }
}
