package io.jiso.user;

import io.jiso.IdMapping;
import io.jiso.nativegen.libc.Libc;
import java.util.List;

/**
 * A JVM that is not root can still isolate: a user namespace comes first, in
 * which the caller's uid and gid are root, and every other namespace is owned
 * by it. The kernel lets an unprivileged process map only its own ids, and
 * only after giving up setgroups in that namespace.
 */
public final class Rootless {
    private Rootless() {
    }

    private static final long EUID = Libc.geteuid();
    private static final long EGID = Libc.getegid();

    /** Whether the JVM runs as root (then jiso needs no user namespace). */
    public static boolean jvmIsRoot() {
        return EUID == 0;
    }

    /** uid_map for a JVM that is not root: 0 inside is the caller outside. */
    public static List<IdMapping> callerAsRootUids() {
        return List.of(new IdMapping(0, EUID, 1));
    }

    /** gid_map likewise. */
    public static List<IdMapping> callerAsRootGids() {
        return List.of(new IdMapping(0, EGID, 1));
    }
}
