package io.jiso.plan;

import static io.jiso.nativegen.Linux.O_CLOEXEC;
import static io.jiso.nativegen.Linux.O_CREAT;
import static io.jiso.nativegen.Linux.O_WRONLY;

import io.jiso.nativegen.Linux;
import io.jiso.plan.StepList.Step;

/**
 * System calls that several child-side concerns use, with their numbers for
 * the running architecture, and the few multi-step idioms built from them.
 */
public final class Syscalls {
    private Syscalls() {}

    public static final int OPENAT = Linux.__NR_openat;
    public static final int CLOSE = Linux.__NR_close;
    public static final int WRITE = Linux.__NR_write;
    public static final int MKDIRAT = Linux.__NR_mkdirat;
    public static final int SYMLINKAT = Linux.__NR_symlinkat;
    public static final int UNLINKAT = Linux.__NR_unlinkat;
    public static final int CHDIR = Linux.__NR_chdir;
    public static final int PRCTL = Linux.__NR_prctl;
    public static final int DUP3 = Linux.__NR_dup3;
    public static final int FCNTL = Linux.__NR_fcntl;
    public static final int CLOSE_RANGE = Linux.__NR_close_range;
    public static final int RT_SIGPROCMASK = Linux.__NR_rt_sigprocmask;
    public static final int EXECVE = Linux.__NR_execve;
    public static final int EXECVEAT = Linux.__NR_execveat;
    public static final int SETSID = Linux.__NR_setsid;

    public static final int AT_FDCWD = Linux.AT_FDCWD;
    public static final int EEXIST = Linux.EEXIST;

    /** mkdir path; an existing directory is fine. */
    public static Step mkdir(StepList steps, String path, int mode) {
        return steps.call("create directory " + path, MKDIRAT, AT_FDCWD, steps.cStringAddress(path), mode)
                .tolerate(EEXIST);
    }

    /** mkdir -p: every component of an absolute path. */
    public static void mkdirs(StepList steps, String absolutePath, int mode) {
        int slash = 0;
        while ((slash = absolutePath.indexOf('/', slash + 1)) > 0) {
            mkdir(steps, absolutePath.substring(0, slash), mode);
        }
        mkdir(steps, absolutePath, mode);
    }

    /** An empty file at path (a mount point for a file bind); an existing one is kept. */
    public static void createFile(StepList steps, String path) {
        Step open = steps.call(
                "create file " + path,
                OPENAT,
                AT_FDCWD,
                steps.cStringAddress(path),
                O_WRONLY | O_CREAT | O_CLOEXEC,
                0644);
        steps.call("close " + path, CLOSE, 0).argFromStep(0, open);
    }

    /** Writes content to an existing file in one write(2), as /proc files want. */
    public static void writeFile(StepList steps, String path, String content) {
        Step open = steps.call("open " + path, OPENAT, AT_FDCWD, steps.cStringAddress(path), O_WRONLY | O_CLOEXEC, 0);
        var data = steps.cString(content);
        steps.call("write " + path, WRITE, 0, data.address(), data.byteSize() - 1)
                .argFromStep(0, open);
        steps.call("close " + path, CLOSE, 0).argFromStep(0, open);
    }

    /** symlink target at path. */
    public static void symlink(StepList steps, String target, String path) {
        steps.call(
                        "symlink " + path + " -> " + target,
                        SYMLINKAT,
                        steps.cStringAddress(target),
                        AT_FDCWD,
                        steps.cStringAddress(path))
                .tolerate(EEXIST);
    }
}
