package io.jiso.sys;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.libc.Libc;
import java.lang.foreign.MemorySegment;

/**
 * Errno values and the few libc constants the parent side uses everywhere,
 * read from the generated headers of the running architecture.
 */
public final class Errno {
    private Errno() {
    }

    private static final Abi ABI = Abi.current();

    public static final int EPERM = ABI.intConstant("EPERM");
    public static final int ENOENT = ABI.intConstant("ENOENT");
    public static final int ESRCH = ABI.intConstant("ESRCH");
    public static final int EINTR = ABI.intConstant("EINTR");
    public static final int EAGAIN = ABI.intConstant("EAGAIN");
    public static final int EMFILE = ABI.intConstant("EMFILE");
    public static final int EACCES = ABI.intConstant("EACCES");
    public static final int EBADF = ABI.intConstant("EBADF");
    public static final int EBUSY = ABI.intConstant("EBUSY");
    public static final int EEXIST = ABI.intConstant("EEXIST");
    public static final int ENOTDIR = ABI.intConstant("ENOTDIR");
    public static final int EINVAL = ABI.intConstant("EINVAL");
    public static final int ENOSPC = ABI.intConstant("ENOSPC");
    public static final int ENODEV = ABI.intConstant("ENODEV");
    public static final int ENOSYS = ABI.intConstant("ENOSYS");
    public static final int ENOTEMPTY = ABI.intConstant("ENOTEMPTY");
    public static final int EOPNOTSUPP = ABI.intConstant("EOPNOTSUPP");
    public static final int ENODATA = ABI.intConstant("ENODATA");
    public static final int ELOOP = ABI.intConstant("ELOOP");

    public static final int AT_FDCWD = ABI.intConstant("AT_FDCWD");
    public static final int AT_REMOVEDIR = ABI.intConstant("AT_REMOVEDIR");
    public static final int AT_EMPTY_PATH = ABI.intConstant("AT_EMPTY_PATH");
    public static final int O_RDONLY = ABI.intConstant("O_RDONLY");
    public static final int O_WRONLY = ABI.intConstant("O_WRONLY");
    public static final int O_RDWR = ABI.intConstant("O_RDWR");
    public static final int O_CREAT = ABI.intConstant("O_CREAT");
    public static final int O_TRUNC = ABI.intConstant("O_TRUNC");
    public static final int O_APPEND = ABI.intConstant("O_APPEND");
    public static final int O_CLOEXEC = ABI.intConstant("O_CLOEXEC");
    public static final int O_DIRECTORY = ABI.intConstant("O_DIRECTORY");
    public static final int O_NONBLOCK = ABI.intConstant("O_NONBLOCK");
    public static final int O_PATH = ABI.intConstant("O_PATH");
    public static final int O_EXCL = ABI.intConstant("O_EXCL");
    public static final int O_NOFOLLOW = ABI.intConstant("O_NOFOLLOW");
    public static final int P_PIDFD = ABI.intConstant("P_PIDFD");
    public static final int WEXITED = ABI.intConstant("WEXITED");
    public static final int WNOHANG = ABI.intConstant("WNOHANG");

    /** The symbolic name of an errno, e.g. "EPERM" (strerrorname_np). */
    public static String name(int errno) {
        if (errno == 0) {
            return "";
        }
        MemorySegment s = Libc.strerrorname_np(errno);
        return s.equals(MemorySegment.NULL) ? "errno " + errno : s.reinterpret(64).getString(0);
    }
}
