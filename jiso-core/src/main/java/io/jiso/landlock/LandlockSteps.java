package io.jiso.landlock;

import static io.jiso.nativegen.Linux.AT_FDCWD;
import static io.jiso.nativegen.Linux.EINVAL;
import static io.jiso.nativegen.Linux.O_CLOEXEC;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.landlock_path_beneath_attr;
import io.jiso.nativegen.libc.landlock_ruleset_attr;
import io.jiso.plan.StepList;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies {@link LandlockRules} in the child: create a ruleset handling every
 * file system right the kernel and jiso's headers both know, add one
 * path-beneath rule per path, and restrict the child to it. Needs
 * no_new_privs (or CAP_SYS_ADMIN), so it comes after CapabilitySteps; and it
 * comes before the seccomp filter, which may not allow landlock_*.
 *
 * <p>A path-beneath rule names its directory by an fd inside the rule's
 * struct, and a plan can pass an earlier step's result only as an argument,
 * never into memory. So each path is opened (O_PATH) and dup'ed onto the
 * fixed number {@code scratchFd} that the struct already holds. scratchFd is
 * taken first (by an O_PATH fd of "/"), so that no open can return it.
 */
public final class LandlockSteps {
    private LandlockSteps() {}

    private static final int CREATE_RULESET = Linux.__NR_landlock_create_ruleset;
    private static final int ADD_RULE = Linux.__NR_landlock_add_rule;
    private static final int RESTRICT_SELF = Linux.__NR_landlock_restrict_self;
    private static final int OPENAT = Linux.__NR_openat;
    private static final int DUP3 = Linux.__NR_dup3;
    private static final int CLOSE = Linux.__NR_close;
    private static final int O_PATH_CLOEXEC = Linux.O_PATH | Linux.O_CLOEXEC;
    private static final int RULE_PATH_BENEATH = Linux.LANDLOCK_RULE_PATH_BENEATH;

    // Rights a rule on a regular file may carry; directory rights on a file are EINVAL.
    private static final long FILE_READ = Linux.LANDLOCK_ACCESS_FS_READ_FILE;
    private static final long FILE_WRITE = Linux.LANDLOCK_ACCESS_FS_WRITE_FILE;
    private static final long EXECUTE = Linux.LANDLOCK_ACCESS_FS_EXECUTE;
    private static final long READ_DIR = Linux.LANDLOCK_ACCESS_FS_READ_DIR;
    /** What ABI 1 handles (Linux 5.13). */
    private static final long ABI_1 = FILE_READ
            | FILE_WRITE
            | EXECUTE
            | READ_DIR
            | Linux.LANDLOCK_ACCESS_FS_REMOVE_DIR
            | Linux.LANDLOCK_ACCESS_FS_REMOVE_FILE
            | Linux.LANDLOCK_ACCESS_FS_MAKE_CHAR
            | Linux.LANDLOCK_ACCESS_FS_MAKE_DIR
            | Linux.LANDLOCK_ACCESS_FS_MAKE_REG
            | Linux.LANDLOCK_ACCESS_FS_MAKE_SOCK
            | Linux.LANDLOCK_ACCESS_FS_MAKE_FIFO
            | Linux.LANDLOCK_ACCESS_FS_MAKE_BLOCK
            | Linux.LANDLOCK_ACCESS_FS_MAKE_SYM;
    /** ABI 2 (5.19) adds REFER: linking and renaming across directories. */
    private static final long ABI_2 = ABI_1 | Linux.LANDLOCK_ACCESS_FS_REFER;
    // ABI 3 (TRUNCATE), 5 (IOCTL_DEV) and the network rights of ABI 4 are missing from the
    // generated headers (Linux 6.1 UAPI); until they are regenerated from newer headers,
    // truncate(2) and device ioctls stay outside Landlock's control.

    /** The rights jiso can ask for on a kernel with this Landlock ABI version (0: none). */
    public static long handledRights(int abiVersion) {
        return abiVersion <= 0 ? 0 : abiVersion == 1 ? ABI_1 : ABI_2;
    }

    /**
     * Adds the steps. abiVersion is the kernel's (Sys.landlockAbiVersion(),
     * checked by the caller: 0 means no Landlock, and nothing may be added).
     * scratchFd must be a number the child may overwrite (not 0..2, below its
     * RLIMIT_NOFILE); the child has its own fd table, so 3 is fine.
     */
    public static void restrict(StepList steps, LandlockRules rules, int abiVersion, int scratchFd) {
        long handled = handledRights(abiVersion);
        if (handled == 0) {
            throw new IllegalArgumentException("Landlock is not available (ABI version " + abiVersion + ")");
        }
        if (scratchFd <= 2) {
            throw new IllegalArgumentException("scratch fd " + scratchFd + " would replace a standard stream");
        }
        // Occupy scratchFd. If the open returns scratchFd itself, dup3 says EINVAL and it is
        // occupied all the same; the other fd is close-on-exec and left alone.
        StepList.Step root = steps.call(
                "open / to reserve fd " + scratchFd + " for Landlock",
                OPENAT,
                AT_FDCWD,
                steps.cStringAddress("/"),
                O_PATH_CLOEXEC);
        steps.call("reserve fd " + scratchFd + " for Landlock", DUP3, 0, scratchFd, O_CLOEXEC)
                .argFromStep(0, root)
                .tolerate(EINVAL);
        MemorySegment attr = steps.allocate(landlock_ruleset_attr.layout());
        landlock_ruleset_attr.handled_access_fs(attr, handled);
        StepList.Step ruleset = steps.call(
                "create the Landlock ruleset", CREATE_RULESET, attr.address(), landlock_ruleset_attr.sizeof(), 0);
        for (Map.Entry<String, Long> e : rightsByPath(rules, handled).entrySet()) {
            addPath(steps, ruleset, e.getKey(), e.getValue(), scratchFd);
        }
        steps.call("close " + scratchFd, CLOSE, scratchFd);
        steps.call("restrict to the Landlock ruleset", RESTRICT_SELF, 0, 0).argFromStep(0, ruleset);
        steps.call("close the Landlock ruleset", CLOSE, 0).argFromStep(0, ruleset);
    }

    /** One entry per path, its rights the union of the lists it is in. */
    static Map<String, Long> rightsByPath(LandlockRules rules, long handled) {
        Map<String, Long> rights = new LinkedHashMap<>();
        long read = FILE_READ | READ_DIR;
        add(rights, rules.readOnly(), read);
        add(rights, rules.executable(), read | EXECUTE);
        add(rights, rules.readWrite(), handled & ~EXECUTE);
        rights.replaceAll((path, r) -> r & handled);
        return rights;
    }

    private static void add(Map<String, Long> rights, List<String> paths, long access) {
        paths.forEach(p -> rights.merge(p, access, (a, b) -> a | b));
    }

    private static void addPath(StepList steps, StepList.Step ruleset, String path, long access, int scratchFd) {
        StepList.Step open = steps.call(
                "open " + path + " for Landlock", OPENAT, AT_FDCWD, steps.cStringAddress(path), O_PATH_CLOEXEC);
        steps.call("move the fd of " + path + " to " + scratchFd, DUP3, 0, scratchFd, O_CLOEXEC)
                .argFromStep(0, open);
        // The path may be a directory (every right) or a file (file rights only, else EINVAL):
        // try all, then the file rights, which either repeat or replace the first.
        long fileOnly = access & (FILE_READ | FILE_WRITE | EXECUTE);
        if (access != fileOnly) {
            steps.call(
                            "allow " + path + " in Landlock",
                            ADD_RULE,
                            0,
                            RULE_PATH_BENEATH,
                            beneath(steps, access, scratchFd),
                            0)
                    .argFromStep(0, ruleset)
                    .tolerate(EINVAL);
        }
        steps.call(
                        "allow " + path + " (as a file) in Landlock",
                        ADD_RULE,
                        0,
                        RULE_PATH_BENEATH,
                        beneath(steps, fileOnly, scratchFd),
                        0)
                .argFromStep(0, ruleset);
        steps.call("close " + path, CLOSE, 0).argFromStep(0, open);
    }

    private static long beneath(StepList steps, long access, int fd) {
        MemorySegment attr = steps.allocate(landlock_path_beneath_attr.layout());
        landlock_path_beneath_attr.allowed_access(attr, access);
        landlock_path_beneath_attr.parent_fd(attr, fd);
        return attr.address();
    }
}
