package io.jiso.plan;

import io.jiso.nativegen.Abi;
import io.jiso.plan.StepList.Step;

/**
 * System calls that several child-side concerns use, with their numbers for
 * the running architecture, and the few multi-step idioms built from them.
 */
public final class Syscalls {
    private Syscalls() {
    }

    private static final Abi ABI = Abi.current();
    public static final int OPENAT = ABI.syscall("openat");
    public static final int CLOSE = ABI.syscall("close");
    public static final int WRITE = ABI.syscall("write");
    public static final int MKDIRAT = ABI.syscall("mkdirat");
    public static final int SYMLINKAT = ABI.syscall("symlinkat");
    public static final int UNLINKAT = ABI.syscall("unlinkat");
    public static final int CHDIR = ABI.syscall("chdir");
    public static final int PRCTL = ABI.syscall("prctl");
    public static final int DUP3 = ABI.syscall("dup3");
    public static final int FCNTL = ABI.syscall("fcntl");
    public static final int CLOSE_RANGE = ABI.syscall("close_range");
    public static final int RT_SIGPROCMASK = ABI.syscall("rt_sigprocmask");
    public static final int EXECVE = ABI.syscall("execve");
    public static final int EXECVEAT = ABI.syscall("execveat");
    public static final int SETSID = ABI.syscall("setsid");

    public static final int AT_FDCWD = ABI.intConstant("AT_FDCWD");
    public static final int EEXIST = ABI.intConstant("EEXIST");
    private static final int O_WRONLY = ABI.intConstant("O_WRONLY");
    private static final int O_CREAT = ABI.intConstant("O_CREAT");
    private static final int O_CLOEXEC = ABI.intConstant("O_CLOEXEC");

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
        Step open = steps.call("create file " + path, OPENAT, AT_FDCWD, steps.cStringAddress(path),
                O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        steps.call("close " + path, CLOSE, 0).argFromStep(0, open);
    }

    /** Writes content to an existing file in one write(2), as /proc files want. */
    public static void writeFile(StepList steps, String path, String content) {
        Step open = steps.call("open " + path, OPENAT, AT_FDCWD, steps.cStringAddress(path), O_WRONLY | O_CLOEXEC, 0);
        var data = steps.cString(content);
        steps.call("write " + path, WRITE, 0, data.address(), data.byteSize() - 1).argFromStep(0, open);
        steps.call("close " + path, CLOSE, 0).argFromStep(0, open);
    }

    /** symlink target at path. */
    public static void symlink(StepList steps, String target, String path) {
        steps.call("symlink " + path + " -> " + target, SYMLINKAT, steps.cStringAddress(target), AT_FDCWD,
                steps.cStringAddress(path)).tolerate(EEXIST);
    }
}
