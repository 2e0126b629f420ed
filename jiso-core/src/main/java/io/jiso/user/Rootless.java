package io.jiso.user;

import io.jiso.IdMapping;
import io.jiso.nativegen.libc.Libc;
import java.util.List;

/**
 * A JVM that is not root can still isolate: a user namespace comes first, in
 * which the caller's uid and gid are root, and every other namespace is owned
 * by it. The kernel lets an unprivileged process map only its own ids, and
 * only after giving up setgroups in that namespace; more ids take
 * newuidmap and newgidmap (see {@link SubordinateIds}).
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

    /** The maps for a JVM that is not root when nothing else is asked: 0 inside is the caller outside. */
    public static UserNamespaceMaps callerAsRoot() {
        return UserNamespaceMaps.writtenByJvm(List.of(new IdMapping(0, EUID, 1)), List.of(new IdMapping(0, EGID, 1)));
    }

    static long uid() {
        return EUID;
    }

    static long gid() {
        return EGID;
    }

    /** The user's name, as /etc/subuid may name it, or null if the user database has none. */
    static String userName() {
        return UserName.NAME;
    }

    /** Looked up once (the user database may be remote): the name of this JVM's uid does not change. */
    private static final class UserName {
        static final String NAME = lookUp();

        private static String lookUp() {
            com.sun.security.auth.module.UnixSystem user = new com.sun.security.auth.module.UnixSystem();
            return user.getUid() == EUID ? user.getUsername() : null; // it names the real uid
        }
    }
}
