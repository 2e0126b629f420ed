package io.jiso.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jiso.HostSetupException;
import io.jiso.nativegen.libc.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The libc calls jiso makes in the JVM's own process, each reading errno
 * through FFM call-state capture (never through __errno_location afterwards,
 * which another call on the same thread may already have overwritten). A
 * failure becomes a {@link HostSetupException} naming the call and its
 * argument, e.g. "open /sys/fs/cgroup/pids/jiso/pids.max: EACCES".
 */
public final class Sys {
    private Sys() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle OPENAT = variadic(Libc.openat.address(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
    private static final MethodHandle FCNTL = variadic(Libc.fcntl.address(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle CLOSE = capturing(Libc.close$address(), Libc.close$descriptor());
    private static final MethodHandle READ = capturing(Libc.read$address(), Libc.read$descriptor());
    private static final MethodHandle WRITE = capturing(Libc.write$address(), Libc.write$descriptor());
    private static final MethodHandle PIPE2 = capturing(Libc.pipe2$address(), Libc.pipe2$descriptor());
    private static final MethodHandle MKDIRAT = capturing(Libc.mkdirat$address(), Libc.mkdirat$descriptor());
    private static final MethodHandle UNLINKAT = capturing(Libc.unlinkat$address(), Libc.unlinkat$descriptor());
    private static final MethodHandle PIDFD_OPEN = capturing(Libc.pidfd_open$address(), Libc.pidfd_open$descriptor());
    private static final MethodHandle PIDFD_SEND_SIGNAL =
            capturing(Libc.pidfd_send_signal$address(), Libc.pidfd_send_signal$descriptor());
    private static final MethodHandle WAITID = capturing(Libc.waitid$address(), Libc.waitid$descriptor());
    private static final MethodHandle POLL = capturing(Libc.poll$address(), Libc.poll$descriptor());
    private static final MethodHandle EVENTFD = capturing(Libc.eventfd$address(), Libc.eventfd$descriptor());
    private static final MethodHandle UNSHARE = capturing(Libc.unshare$address(), Libc.unshare$descriptor());
    private static final MethodHandle SETNS = capturing(Libc.setns$address(), Libc.setns$descriptor());
    private static final MethodHandle SOCKET = capturing(Libc.socket$address(), Libc.socket$descriptor());
    private static final MethodHandle IOCTL = variadic(Libc.ioctl.address(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle MEMFD_CREATE =
            capturing(Libc.memfd_create$address(), Libc.memfd_create$descriptor());

    public static final int EINTR = Errno.EINTR;

    private static MethodHandle capturing(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle variadic(MemorySegment address, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(address, descriptor,
                Linker.Option.firstVariadicArg(firstVariadic), Linker.Option.captureCallState("errno"));
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static HostSetupException failure(String step, int errno) {
        return new HostSetupException(step, errno, Errno.name(errno), null);
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** openat(2); dirfd may be {@link Errno#AT_FDCWD}. Returns the new fd. */
    public static int openat(int dirfd, String path, int flags, int mode) throws HostSetupException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            while (true) {
                int fd = (int) OPENAT.invokeExact(state, dirfd, p, flags, mode);
                if (fd >= 0) {
                    return fd;
                }
                int e = errno(state);
                if (e != EINTR) {
                    throw failure("open " + path, e);
                }
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** open(2) of an absolute or cwd-relative path. */
    public static int open(String path, int flags, int mode) throws HostSetupException {
        return openat(Errno.AT_FDCWD, path, flags, mode);
    }

    /** fcntl(2) with an int argument. */
    public static int fcntl(int fd, int cmd, int arg) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            int r = (int) FCNTL.invokeExact(state, fd, cmd, arg);
            if (r < 0) {
                throw failure("fcntl " + fd + " " + cmd, errno(state));
            }
            return r;
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** close(2); an fd jiso owns is closed exactly once, so errors are only reported, never retried. */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int r = (int) CLOSE.invokeExact(STATE.get(), fd);
            assert r == 0 || errno(STATE.get()) != Errno.EBADF : "closed fd " + fd + " twice";
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** read(2), retrying EINTR. Returns the byte count, 0 at end of file. */
    public static long read(int fd, MemorySegment buffer, long count) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            while (true) {
                long n = (long) READ.invokeExact(state, fd, buffer, count);
                if (n >= 0) {
                    return n;
                }
                int e = errno(state);
                if (e != EINTR) {
                    throw failure("read fd " + fd, e);
                }
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** write(2), retrying EINTR and short writes until all count bytes are written. */
    public static void writeFully(int fd, MemorySegment buffer, long count, String what) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            long done = 0;
            while (done < count) {
                long n = (long) WRITE.invokeExact(state, fd, buffer.asSlice(done), count - done);
                if (n < 0) {
                    int e = errno(state);
                    if (e == EINTR) {
                        continue;
                    }
                    throw failure(what, e);
                }
                done += n;
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Writes a whole file in one write(2), as cgroup and /proc files expect. */
    public static void writeFile(String path, String content) throws HostSetupException {
        int fd = open(path, Errno.O_WRONLY | Errno.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            writeFully(fd, buf, bytes.length, "write \"" + content.strip() + "\" to " + path);
        } finally {
            close(fd);
        }
    }

    /** Reads a whole (small) file, such as a cgroup or /proc file. */
    public static String readFile(String path) throws HostSetupException {
        int fd = open(path, Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            long size = 16384;
            MemorySegment buf = arena.allocate(size);
            long total = 0;
            while (true) {
                if (total == size) {
                    MemorySegment bigger = arena.allocate(size * 2);
                    MemorySegment.copy(buf, 0, bigger, 0, size);
                    buf = bigger;
                    size *= 2;
                }
                long n = read(fd, buf.asSlice(total), size - total);
                if (n == 0) {
                    break;
                }
                total += n;
            }
            return new String(buf.asSlice(0, total).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            close(fd);
        }
    }

    /** pipe2(2): returns {read end, write end}. */
    public static int[] pipe2(int flags) throws HostSetupException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = (int) PIPE2.invokeExact(state, fds, flags);
            if (r != 0) {
                throw failure("pipe2", errno(state));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** mkdirat(2). Returns false if it already existed and existingOk. */
    public static boolean mkdirat(int dirfd, String path, int mode, boolean existingOk) throws HostSetupException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) MKDIRAT.invokeExact(state, dirfd, arena.allocateFrom(path), mode);
            if (r == 0) {
                return true;
            }
            int e = errno(state);
            if (e == Errno.EEXIST && existingOk) {
                return false;
            }
            throw failure("mkdir " + path, e);
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** unlinkat(2); flags may be AT_REMOVEDIR (rmdir). Returns false if it did not exist and missingOk. */
    public static boolean unlinkat(int dirfd, String path, int flags, boolean missingOk) throws HostSetupException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) UNLINKAT.invokeExact(state, dirfd, arena.allocateFrom(path), flags);
            if (r == 0) {
                return true;
            }
            int e = errno(state);
            if (e == Errno.ENOENT && missingOk) {
                return false;
            }
            throw failure((flags & Errno.AT_REMOVEDIR) != 0 ? "rmdir " + path : "unlink " + path, e);
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pidfd_open(2). */
    public static int pidfdOpen(int pid) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            int fd = (int) PIDFD_OPEN.invokeExact(state, pid, 0);
            if (fd < 0) {
                throw failure("pidfd_open " + pid, errno(state));
            }
            return fd;
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * pidfd_send_signal(2). Returns false if the process has already exited
     * (ESRCH): signalling a process that is gone is not an error for a caller
     * that only wants it gone.
     */
    public static boolean pidfdSendSignal(int pidfd, int signal) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            int r = (int) PIDFD_SEND_SIGNAL.invokeExact(state, pidfd, signal, MemorySegment.NULL, 0);
            if (r == 0) {
                return true;
            }
            int e = errno(state);
            if (e == Errno.ESRCH) {
                return false;
            }
            throw failure("pidfd_send_signal " + signal, e);
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * waitid(2) on a pidfd. Returns the raw wait status (as waitpid reports
     * it), or -1 if the child has not exited and WNOHANG was given.
     */
    public static int waitPidfd(int pidfd, int options) throws HostSetupException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(io.jiso.nativegen.libc.siginfo_t.layout());
            while (true) {
                int r = (int) WAITID.invokeExact(state, Errno.P_PIDFD, pidfd, info, options);
                if (r == 0) {
                    return WaitStatus.fromSiginfo(info);
                }
                int e = errno(state);
                if (e != EINTR) {
                    throw failure("waitid pidfd " + pidfd, e);
                }
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** poll(2), retrying EINTR. */
    public static int poll(MemorySegment fds, long count, int timeoutMillis) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            while (true) {
                int r = (int) POLL.invokeExact(state, fds, count, timeoutMillis);
                if (r >= 0) {
                    return r;
                }
                int e = errno(state);
                if (e != EINTR) {
                    throw failure("poll", e);
                }
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** eventfd(2). */
    public static int eventfd(int initial, int flags) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            int fd = (int) EVENTFD.invokeExact(state, initial, flags);
            if (fd < 0) {
                throw failure("eventfd", errno(state));
            }
            return fd;
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** memfd_create(2). */
    public static int memfdCreate(String name, int flags) throws HostSetupException {
        MemorySegment state = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), flags);
            if (fd < 0) {
                throw failure("memfd_create " + name, errno(state));
            }
            return fd;
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** unshare(2) for the calling thread. */
    public static void unshare(long flags) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            if ((int) UNSHARE.invokeExact(state, (int) flags) != 0) {
                throw failure("unshare " + flags, errno(state));
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** setns(2) for the calling thread. */
    public static void setns(int fd, long nstype) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            if ((int) SETNS.invokeExact(state, fd, (int) nstype) != 0) {
                throw failure("setns " + nstype, errno(state));
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            int fd = (int) SOCKET.invokeExact(state, domain, type, protocol);
            if (fd < 0) {
                throw failure("socket", errno(state));
            }
            return fd;
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl(2) with a pointer argument. */
    public static void ioctl(int fd, long request, MemorySegment arg, String what) throws HostSetupException {
        MemorySegment state = STATE.get();
        try {
            if ((int) IOCTL.invokeExact(state, fd, request, arg) < 0) {
                throw failure(what, errno(state));
            }
        } catch (HostSetupException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
