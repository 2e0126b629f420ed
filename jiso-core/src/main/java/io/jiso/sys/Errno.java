package io.jiso.sys;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.Libc;
import java.lang.foreign.MemorySegment;

/**
 * Errno values and the few libc constants the parent side uses everywhere,
 * read from the generated headers of the running architecture.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = Linux.EPERM;
    public static final int ENOENT = Linux.ENOENT;
    public static final int ESRCH = Linux.ESRCH;
    public static final int EINTR = Linux.EINTR;
    public static final int EAGAIN = Linux.EAGAIN;
    public static final int EMFILE = Linux.EMFILE;
    public static final int EACCES = Linux.EACCES;
    public static final int EBADF = Linux.EBADF;
    public static final int EBUSY = Linux.EBUSY;
    public static final int EEXIST = Linux.EEXIST;
    public static final int ENOTDIR = Linux.ENOTDIR;
    public static final int EINVAL = Linux.EINVAL;
    public static final int ENOSPC = Linux.ENOSPC;
    public static final int ENODEV = Linux.ENODEV;
    public static final int ENOSYS = Linux.ENOSYS;
    public static final int ENOTEMPTY = Linux.ENOTEMPTY;
    public static final int EOPNOTSUPP = Linux.EOPNOTSUPP;
    public static final int ENODATA = Linux.ENODATA;
    public static final int ELOOP = Linux.ELOOP;

    public static final int AT_FDCWD = Linux.AT_FDCWD;
    public static final int AT_REMOVEDIR = Linux.AT_REMOVEDIR;
    public static final int AT_EMPTY_PATH = Linux.AT_EMPTY_PATH;
    public static final int O_RDONLY = Linux.O_RDONLY;
    public static final int O_WRONLY = Linux.O_WRONLY;
    public static final int O_RDWR = Linux.O_RDWR;
    public static final int O_CREAT = Linux.O_CREAT;
    public static final int O_TRUNC = Linux.O_TRUNC;
    public static final int O_APPEND = Linux.O_APPEND;
    public static final int O_CLOEXEC = Linux.O_CLOEXEC;
    public static final int O_DIRECTORY = Linux.O_DIRECTORY;
    public static final int O_NONBLOCK = Linux.O_NONBLOCK;
    public static final int O_PATH = Linux.O_PATH;
    public static final int O_EXCL = Linux.O_EXCL;
    public static final int O_NOFOLLOW = Linux.O_NOFOLLOW;
    public static final int P_PIDFD = Linux.P_PIDFD;
    public static final int WEXITED = Linux.WEXITED;
    public static final int WNOHANG = Linux.WNOHANG;

    /** The symbolic name of an errno, e.g. "EPERM" (strerrorname_np). */
    public static String name(int errno) {
        if (errno == 0) {
            return "";
        }
        MemorySegment s = Libc.strerrorname_np(errno);
        return s.equals(MemorySegment.NULL)
                ? "errno " + errno
                : s.reinterpret(64).getString(0);
    }
}
