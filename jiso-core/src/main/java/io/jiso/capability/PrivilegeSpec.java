package io.jiso.capability;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Who the sandboxed program runs as and what privileges it keeps.
 *
 * @param uid        the uid inside the sandbox (in its user namespace, if it has one)
 * @param gid        the primary gid
 * @param groups     supplementary gids; replace whatever was inherited (see CapabilitySteps on setgroups)
 * @param keep       capabilities kept in every set; empty by default
 * @param noNewPrivs PR_SET_NO_NEW_PRIVS: execve can never grant privileges (setuid bits, file
 *                   capabilities); required by the seccomp filter unless CAP_SYS_ADMIN is kept
 */
public record PrivilegeSpec(long uid, long gid, List<Long> groups, Set<KernelCapability> keep, boolean noNewPrivs) {
    /** The traditional "nobody": the default identity of a sandboxed program. */
    public static final long NOBODY = 65534;

    private static final long MAX_ID = 0xFFFF_FFFEL; // (uid_t) -1 means "unchanged" to setresuid

    public PrivilegeSpec {
        checkId(uid);
        checkId(gid);
        groups = List.copyOf(groups);
        groups.forEach(PrivilegeSpec::checkId);
        keep = keep.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(keep));
    }

    private static void checkId(long id) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("not a valid uid/gid: " + id);
        }
    }

    /** nobody:nogroup (65534), no supplementary groups, no capabilities, no_new_privs. */
    public static PrivilegeSpec unprivileged() {
        return new PrivilegeSpec(NOBODY, NOBODY, List.of(), Set.of(), true);
    }

    /** root (0:0) of the sandbox, with no capabilities at all and no_new_privs. */
    public static PrivilegeSpec root() {
        return new PrivilegeSpec(0, 0, List.of(), Set.of(), true);
    }

    public PrivilegeSpec withIdentity(long uid, long gid, List<Long> groups) {
        return new PrivilegeSpec(uid, gid, groups, keep, noNewPrivs);
    }

    public PrivilegeSpec keeping(Set<KernelCapability> capabilities) {
        return new PrivilegeSpec(uid, gid, groups, capabilities, noNewPrivs);
    }
}
