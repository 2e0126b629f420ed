package io.jiso.user;

import com.sun.security.auth.module.UnixSystem;
import io.jiso.capability.PrivilegeSpec;
import io.jiso.nativegen.libc.Libc;
import io.jiso.plan.FeatureUnavailable;
import java.util.List;

/**
 * A JVM that is not root can still isolate: a user namespace comes first, in
 * which the caller's uid and gid are root, and every other namespace is owned
 * by it. The kernel lets an unprivileged process map only its own ids, and
 * only after giving up setgroups in that namespace; more ids take
 * newuidmap and newgidmap (see {@link SubordinateIds}).
 */
public final class Rootless {
    private Rootless() {}

    private static final long EUID = Libc.geteuid();
    private static final long EGID = Libc.getegid();

    /** Whether the JVM runs as root (then jiso needs no user namespace). */
    public static boolean jvmIsRoot() {
        return EUID == 0;
    }

    /** The maps for a JVM that is not root when nothing else is asked: 0 inside is the caller outside. */
    public static UserNamespaceMaps callerAsRoot() {
        return callerAsRoot(EUID, EGID);
    }

    /** As {@link #callerAsRoot()}, for a JVM running as uid and gid. */
    public static UserNamespaceMaps callerAsRoot(long uid, long gid) {
        return UserNamespaceMaps.writtenByJvm(List.of(new IdMapLine(0, uid, 1)), List.of(new IdMapLine(0, gid, 1)));
    }

    /**
     * Throws unless spec keeps the JVM's own identity. A child of a JVM that is
     * not root, without a user namespace of its own, cannot change its uid or
     * gid (CAP_SETUID, CAP_SETGID) nor set supplementary groups; it keeps the
     * JVM's, which only root could drop.
     */
    public static void requireJvmIdentity(PrivilegeSpec spec) throws FeatureUnavailable {
        if (spec.uid() != EUID || spec.gid() != EGID || !spec.groups().isEmpty()) {
            throw new FeatureUnavailable(
                    "run as uid " + spec.uid() + ", gid " + spec.gid()
                            + (spec.groups().isEmpty() ? "" : ", groups " + spec.groups()),
                    0,
                    "",
                    "the JVM is not root"
                            + " and the sandbox shares its user namespace, so the program can only run as the JVM's own uid "
                            + EUID + " and gid " + EGID
                            + "; a sandbox with a namespace of its own gets a user namespace"
                            + " in which it is root");
        }
    }

    /** The JVM's effective uid: who a child without a user namespace of its own runs as, when it is not root. */
    public static long jvmUid() {
        return EUID;
    }

    /** The JVM's effective gid, likewise. */
    public static long jvmGid() {
        return EGID;
    }

    /** Why the kernel refused a uid_map or gid_map that a JVM which is not root wrote. */
    public static String whyMappingRefused() {
        return "the JVM is not root, and without root it can write a map of only its own uid " + EUID
                + " and gid " + EGID + ", one id each (jiso maps them to 0 by itself when it is not root); ids"
                + " beyond those need subordinate ranges in /etc/subuid and /etc/subgid (mapSubordinateIds())";
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
            UnixSystem user = new UnixSystem();
            return user.getUid() == EUID ? user.getUsername() : null; // it names the real uid
        }
    }
}
