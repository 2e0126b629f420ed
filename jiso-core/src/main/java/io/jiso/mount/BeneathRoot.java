package io.jiso.mount;

import static io.jiso.plan.Syscalls.AT_FDCWD;
import static io.jiso.plan.Syscalls.EEXIST;
import static io.jiso.plan.Syscalls.MKDIRAT;
import static io.jiso.plan.Syscalls.OPENAT;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.open_how;
import io.jiso.plan.StepList;
import io.jiso.plan.StepList.Step;
import java.lang.foreign.MemorySegment;

/**
 * Paths resolved the way a sandbox's own files cannot redirect: beneath an fd
 * of the new root, one component at a time where something must be made,
 * with openat2's RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS. A symbolic link
 * where a mount point must be (planted by an earlier sandbox in a directory
 * it could write, now bound here) fails with ELOOP and is never followed;
 * nothing is made outside the root. Each path is resolved when its mount is
 * made, so it crosses the earlier mounts as they are then.
 */
final class BeneathRoot {
    private static final int OPENAT2 = Linux.__NR_openat2;
    private static final long O_PATH = Linux.O_PATH;
    private static final long O_DIRECTORY = Linux.O_DIRECTORY;
    private static final long O_CLOEXEC = Linux.O_CLOEXEC;
    private static final long O_RDONLY = Linux.O_RDONLY;
    private static final long O_CREAT = Linux.O_CREAT;
    private static final long O_NONBLOCK = Linux.O_NONBLOCK;
    private static final long O_NOCTTY = Linux.O_NOCTTY;
    private static final long RESOLVE_BENEATH = Linux.RESOLVE_BENEATH;
    private static final long RESOLVE_NO_SYMLINKS = Linux.RESOLVE_NO_SYMLINKS;
    /** A file mount point: created if missing; O_NONBLOCK so that a FIFO found there does not block the open. */
    private static final long FILE_FLAGS = O_RDONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

    private static final long DIRECTORY_FLAGS = O_PATH | O_DIRECTORY | O_CLOEXEC;

    private final StepList steps;
    private Step root;

    BeneathRoot(StepList steps) {
        this.steps = steps;
    }

    /** The fd of "/" as it is now (the new root), opened on first use. */
    private Step root() {
        if (root == null) {
            root = steps.call("open the new root", OPENAT, AT_FDCWD, steps.cStringAddress("/"), DIRECTORY_FLAGS);
        }
        return root;
    }

    /**
     * The fd of mount point path, made as a directory (or an empty file)
     * with its missing parents when absent. existing is path or one of its
     * parents that is known to exist ("/" at least): it is opened in one
     * step, the rest one component at a time.
     */
    Step mountPoint(String existing, String path, boolean file) {
        if (existing.equals(path)) {
            return open(root(), path.substring(1), path, file ? O_PATH | O_CLOEXEC : DIRECTORY_FLAGS, 0);
        }
        Step dir = existing.equals("/") ? root() : open(root(), existing.substring(1), existing, DIRECTORY_FLAGS, 0);
        String done = existing.equals("/") ? "" : existing;
        String[] rest = path.substring(done.length() + 1).split("/");
        for (int i = 0; i < rest.length; i++) {
            String name = rest[i];
            done = done + "/" + name;
            if (file && i == rest.length - 1) {
                return open(dir, name, done, FILE_FLAGS, 0644);
            }
            steps.call("create directory " + done, MKDIRAT, 0, steps.cStringAddress(name), 0755)
                    .argFromStep(0, dir)
                    .tolerate(EEXIST);
            dir = open(dir, name, done, DIRECTORY_FLAGS, 0);
        }
        return dir;
    }

    private Step open(Step dir, String relative, String shown, long flags, long mode) {
        return steps.call(
                        "open " + shown + " beneath the root, following no symlink",
                        OPENAT2,
                        0,
                        steps.cStringAddress(relative),
                        how(flags, mode, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS).address(),
                        open_how.sizeof())
                .argFromStep(0, dir);
    }

    /**
     * A path of the host without a symbolic link in any component: a link
     * there (planted since the JVM resolved the path) fails with ELOOP.
     */
    static Step openHostPath(StepList steps, String absolutePath, String what) {
        return steps.call(
                what,
                OPENAT2,
                AT_FDCWD,
                steps.cStringAddress(absolutePath),
                how(steps, O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS).address(),
                open_how.sizeof());
    }

    private MemorySegment how(long flags, long mode, long resolve) {
        return how(steps, flags, mode, resolve);
    }

    private static MemorySegment how(StepList steps, long flags, long mode, long resolve) {
        MemorySegment how = steps.allocate(open_how.layout());
        open_how.flags(how, flags);
        open_how.mode(how, mode);
        open_how.resolve(how, resolve);
        return how;
    }
}
