package io.jiso.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.Libc;
import io.jiso.nativegen.libc.siginfo_t;
import io.jiso.plan.HostSetupFailure;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The libc calls jiso makes in the JVM's own process, each reading errno
 * through FFM call-state capture (never through __errno_location afterwards,
 * which another call on the same thread may already have overwritten). A
 * failure becomes a {@link HostSetupFailure} naming the call and its
 * argument, e.g. "open /sys/fs/cgroup/pids/jiso/pids.max: EACCES".
 */
public final class Sys {
    private Sys() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle OPENAT =
            variadic(Libc.openat.address(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
    private static final MethodHandle FCNTL =
            variadic(Libc.fcntl.address(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle IOCTL =
            variadic(Libc.ioctl.address(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
    private static final MethodHandle SYSCALL_PTR_LONG_INT = variadic(
            Libc.syscall.address(), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT), 1);
    private static final MethodHandle SYSCALL_INT_PTR_INT = variadic(
            Libc.syscall.address(), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), 1);
    private static final MethodHandle SYSCALL_INT_INT =
            variadic(Libc.syscall.address(), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), 1);
    private static final MethodHandle CLOSE = capturing(Libc.close$address(), Libc.close$descriptor());
    private static final MethodHandle READ = capturing(Libc.read$address(), Libc.read$descriptor());
    private static final MethodHandle WRITE = capturing(Libc.write$address(), Libc.write$descriptor());
    private static final MethodHandle PIPE2 = capturing(Libc.pipe2$address(), Libc.pipe2$descriptor());
    private static final MethodHandle MKDIRAT = capturing(Libc.mkdirat$address(), Libc.mkdirat$descriptor());
    private static final MethodHandle UNLINKAT = capturing(Libc.unlinkat$address(), Libc.unlinkat$descriptor());
    private static final MethodHandle KILL = capturing(Libc.kill$address(), Libc.kill$descriptor());
    private static final MethodHandle PIDFD_SEND_SIGNAL =
            capturing(Libc.pidfd_send_signal$address(), Libc.pidfd_send_signal$descriptor());
    private static final MethodHandle WAITID = capturing(Libc.waitid$address(), Libc.waitid$descriptor());
    private static final MethodHandle EPOLL_CREATE1 =
            capturing(Libc.epoll_create1$address(), Libc.epoll_create1$descriptor());
    private static final MethodHandle EPOLL_CTL = capturing(Libc.epoll_ctl$address(), Libc.epoll_ctl$descriptor());
    private static final MethodHandle EPOLL_WAIT = capturing(Libc.epoll_wait$address(), Libc.epoll_wait$descriptor());
    /** struct epoll_event, packed on x86_64 only: its size and where its data field is, per architecture. */
    public static final int EPOLL_EVENT_SIZE = Linux.JISO_EPOLL_EVENT_SIZE;

    private static final int EPOLL_EVENT_DATA = Linux.JISO_EPOLL_EVENT_DATA;
    private static final MethodHandle MEMFD_CREATE =
            capturing(Libc.memfd_create$address(), Libc.memfd_create$descriptor());
    private static final MethodHandle UNSHARE = capturing(Libc.unshare$address(), Libc.unshare$descriptor());
    private static final MethodHandle SETNS = capturing(Libc.setns$address(), Libc.setns$descriptor());
    private static final MethodHandle SOCKET = capturing(Libc.socket$address(), Libc.socket$descriptor());
    private static final MethodHandle GETXATTR = capturing(Libc.getxattr$address(), Libc.getxattr$descriptor());

    static {
        // A failure is named by its errno, and near the fd limit it may be EMFILE itself, when
        // loading a class from a directory (one fd each) fails too: what names it is loaded now.
        new HostSetupFailure("", Errno.EMFILE, Errno.name(Errno.EMFILE), null).getMessage();
    }

    private static MethodHandle capturing(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle variadic(MemorySegment address, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(
                address,
                descriptor,
                Linker.Option.firstVariadicArg(firstVariadic),
                Linker.Option.captureCallState("errno"));
    }

    /** One downcall; state is where it captures errno. */
    @FunctionalInterface
    private interface Call {
        long invoke(MemorySegment state) throws Throwable;
    }

    /**
     * Makes a call, retrying EINTR. A negative result is a failure named by
     * what, unless its errno is tolerated: then -errno is returned.
     */
    private static long call(String what, int tolerated, Call call) throws HostSetupFailure {
        MemorySegment state = STATE.get();
        while (true) {
            long r;
            try {
                r = call.invoke(state);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (r >= 0) {
                return r;
            }
            int e = (int) ERRNO.get(state, 0L);
            if (e == tolerated) {
                return -e;
            }
            if (e != Errno.EINTR) {
                throw new HostSetupFailure(what, e, Errno.name(e), null);
            }
        }
    }

    private static long call(String what, Call call) throws HostSetupFailure {
        return call(what, 0, call);
    }

    /** openat(2); dirfd may be {@link Errno#AT_FDCWD}. Returns the new fd. */
    public static int openat(int dirfd, String path, int flags, int mode) throws HostSetupFailure {
        return openat(dirfd, path, flags, mode, path);
    }

    /** As above; a failure names the file as {@code shown} (its full path when path is relative to dirfd). */
    private static int openat(int dirfd, String path, int flags, int mode, String shown) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            return (int) call("open " + shown, s -> (int) OPENAT.invokeExact(s, dirfd, p, flags, mode));
        }
    }

    /** open(2) of an absolute or cwd-relative path. */
    public static int open(String path, int flags, int mode) throws HostSetupFailure {
        return openat(Errno.AT_FDCWD, path, flags, mode);
    }

    /** fcntl(2) with an int argument. */
    public static int fcntl(int fd, int cmd, int arg) throws HostSetupFailure {
        return (int) call("fcntl " + fd + " " + cmd, s -> (int) FCNTL.invokeExact(s, fd, cmd, arg));
    }

    /** close(2), once: on Linux the fd is gone even when close reports EINTR, so it is never retried. */
    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** read(2), retrying EINTR. Returns the byte count, 0 at end of file. */
    public static long read(int fd, MemorySegment buffer, long count) throws HostSetupFailure {
        return call("read", s -> (long) READ.invokeExact(s, fd, buffer, count));
    }

    /**
     * read(2) of an fd set O_NONBLOCK: the byte count, 0 at end of file, or -1
     * when nothing is there to read now (EAGAIN).
     */
    public static long readNow(int fd, MemorySegment buffer, long count) throws HostSetupFailure {
        long n = call("read", Errno.EAGAIN, s -> (long) READ.invokeExact(s, fd, buffer, count));
        return n < 0 ? -1 : n;
    }

    /** write(2), retrying EINTR and short writes until all count bytes are written. */
    public static void writeFully(int fd, MemorySegment buffer, long count, String what) throws HostSetupFailure {
        long done = 0;
        while (done < count) {
            MemorySegment rest = buffer.asSlice(done);
            long left = count - done;
            done += call(what, s -> (long) WRITE.invokeExact(s, fd, rest, left));
        }
    }

    /** Writes a string to an open fd in one write(2), as cgroup files expect (e.g. a pid to cgroup.procs). */
    public static void writeString(int fd, String content, String what) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
            writeFully(fd, buf, bytes.length, what);
        }
    }

    /** Writes a whole file in one write(2), as cgroup and /proc files expect. */
    public static void writeFile(String path, String content) throws HostSetupFailure {
        writeFileAt(Errno.AT_FDCWD, path, path, content);
    }

    /** As {@link #writeFile}, for name relative to dirfd; failures name the file as {@code path}. */
    public static void writeFileAt(int dirfd, String name, String path, String content) throws HostSetupFailure {
        int fd = openat(dirfd, name, Errno.O_WRONLY | Errno.O_CLOEXEC, 0, path);
        try {
            writeString(fd, content, "write \"" + content.strip() + "\" to " + path);
        } finally {
            close(fd);
        }
    }

    /** Reads a whole (small) file, such as a cgroup or /proc file. */
    public static String readFile(String path) throws HostSetupFailure {
        return readFileAt(Errno.AT_FDCWD, path, path);
    }

    /** As {@link #readFile}, for name relative to dirfd; failures name the file as {@code path}. */
    public static String readFileAt(int dirfd, String name, String path) throws HostSetupFailure {
        int fd = openat(dirfd, name, Errno.O_RDONLY | Errno.O_CLOEXEC, 0, path);
        try (Arena arena = Arena.ofConfined()) {
            long size = 16384;
            MemorySegment buf = arena.allocate(size);
            long total = 0;
            long n;
            while ((n = read(fd, buf.asSlice(total), size - total)) > 0) {
                total += n;
                if (total == size) {
                    MemorySegment bigger = arena.allocate(size * 2);
                    MemorySegment.copy(buf, 0, bigger, 0, size);
                    buf = bigger;
                    size *= 2;
                }
            }
            return new String(buf.asSlice(0, total).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            close(fd);
        }
    }

    /** pipe2(2): returns {read end, write end}. */
    public static int[] pipe2(int flags) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            call("pipe2", s -> (int) PIPE2.invokeExact(s, fds, flags));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** mkdirat(2). Returns false if it already existed and existingOk. */
    public static boolean mkdirat(int dirfd, String path, int mode, boolean existingOk) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            return call("mkdir " + path, existingOk ? Errno.EEXIST : 0, s ->
                            (int) MKDIRAT.invokeExact(s, dirfd, p, mode))
                    == 0;
        }
    }

    /** unlinkat(2); flags may be AT_REMOVEDIR (rmdir). Returns false if it did not exist and missingOk. */
    public static boolean unlinkat(int dirfd, String path, int flags, boolean missingOk) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            String what = ((flags & Errno.AT_REMOVEDIR) != 0 ? "rmdir " : "unlink ") + path;
            return call(what, missingOk ? Errno.ENOENT : 0, s -> (int) UNLINKAT.invokeExact(s, dirfd, p, flags)) == 0;
        }
    }

    /**
     * kill(2). Returns false if the process does not exist (ESRCH): a caller
     * killing the members of a cgroup races with their exit, which is fine.
     */
    public static boolean kill(int pid, int signal) throws HostSetupFailure {
        return call("kill " + pid + " " + signal, Errno.ESRCH, s -> (int) KILL.invokeExact(s, pid, signal)) == 0;
    }

    /**
     * pidfd_send_signal(2). Returns false if the process has already exited
     * (ESRCH): signalling a process that is gone is not an error for a caller
     * that only wants it gone.
     */
    public static boolean pidfdSendSignal(int pidfd, int signal) throws HostSetupFailure {
        return call("pidfd_send_signal " + signal, Errno.ESRCH, s ->
                        (int) PIDFD_SEND_SIGNAL.invokeExact(s, pidfd, signal, MemorySegment.NULL, 0))
                == 0;
    }

    /**
     * waitid(2) on a pidfd. Returns the raw wait status (as waitpid reports
     * it), or -1 if the child has not exited and WNOHANG was given.
     */
    public static int waitPidfd(int pidfd, int options) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(siginfo_t.layout());
            call("waitid pidfd", s -> (int) WAITID.invokeExact(s, Errno.P_PIDFD, pidfd, info, options));
            return WaitStatus.fromSiginfo(info);
        }
    }

    /** epoll_create1(2). */
    public static int epollCreate(int flags) throws HostSetupFailure {
        return (int) call("epoll_create1", s -> (int) EPOLL_CREATE1.invokeExact(s, flags));
    }

    /** epoll_ctl(2) with one event: these events, this 64-bit data (both ignored by EPOLL_CTL_DEL). */
    public static void epollCtl(int epfd, int op, int fd, int events, long data) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(EPOLL_EVENT_SIZE, 8);
            event.set(JAVA_INT, 0, events);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA, data);
            call("epoll_ctl " + op + " of fd " + fd, s -> (int) EPOLL_CTL.invokeExact(s, epfd, op, fd, event));
        }
    }

    /** epoll_wait(2), retrying EINTR; events has room for max events. Returns how many are ready. */
    public static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) throws HostSetupFailure {
        return (int) call("epoll_wait", s -> (int) EPOLL_WAIT.invokeExact(s, epfd, events, max, timeoutMillis));
    }

    /** The data of ready event i of an epoll_wait array. */
    public static long epollEventData(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA);
    }

    /** memfd_create(2). */
    public static int memfdCreate(String name, int flags) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocateFrom(name);
            return (int) call("memfd_create " + name, s -> (int) MEMFD_CREATE.invokeExact(s, n, flags));
        }
    }

    /** unshare(2) for the calling thread. */
    public static void unshare(long flags) throws HostSetupFailure {
        call("unshare " + flags, s -> (int) UNSHARE.invokeExact(s, (int) flags));
    }

    /** setns(2) for the calling thread. */
    public static void setns(int fd, long nstype) throws HostSetupFailure {
        call("setns " + nstype, s -> (int) SETNS.invokeExact(s, fd, (int) nstype));
    }

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) throws HostSetupFailure {
        return (int) call("socket", s -> (int) SOCKET.invokeExact(s, domain, type, protocol));
    }

    /**
     * Whether a file has a non-empty extended attribute, e.g.
     * "security.capability" (getxattr(2) asking only for its size). A file
     * system without extended attributes has none.
     */
    public static boolean hasXattr(String path, String name) throws HostSetupFailure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            MemorySegment n = arena.allocateFrom(name);
            long size;
            try {
                size = call("getxattr " + path + " " + name, Errno.ENODATA, s ->
                        (long) GETXATTR.invokeExact(s, p, n, MemorySegment.NULL, 0L));
            } catch (HostSetupFailure e) {
                if (e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                size = 0;
            }
            return size > 0;
        }
    }

    /** ioctl(2) with a pointer argument. */
    public static void ioctl(int fd, long request, MemorySegment arg, String what) throws HostSetupFailure {
        call(what, s -> (int) IOCTL.invokeExact(s, fd, request, arg));
    }

    /** pidfd_open(2): a close-on-exec pidfd of process pid. */
    public static int pidfdOpen(long pid) throws HostSetupFailure {
        long nr = Linux.__NR_pidfd_open;
        int p = Math.toIntExact(pid);
        return (int) call("pidfd_open " + pid, s -> (long) SYSCALL_INT_INT.invokeExact(s, nr, p, 0));
    }

    /** bpf(2): cmd on attr (a union bpf_attr). Returns the result, e.g. a program fd. */
    public static long bpf(int cmd, MemorySegment attr, String what) throws HostSetupFailure {
        long nr = Linux.__NR_bpf;
        int size = (int) attr.byteSize();
        return call(what, s -> (long) SYSCALL_INT_PTR_INT.invokeExact(s, nr, cmd, attr, size));
    }

    /**
     * The Landlock ABI version of the running kernel
     * (landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)), or 0
     * if the kernel has no Landlock (ENOSYS) or it is disabled at boot
     * (EOPNOTSUPP).
     */
    public static int landlockAbiVersion() throws HostSetupFailure {
        long nr = Linux.__NR_landlock_create_ruleset;
        int flags = Linux.LANDLOCK_CREATE_RULESET_VERSION;
        MemorySegment state = STATE.get();
        try {
            long r = (long) SYSCALL_PTR_LONG_INT.invokeExact(state, nr, MemorySegment.NULL, 0L, flags);
            if (r >= 0) {
                return (int) r;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        int e = (int) ERRNO.get(state, 0L);
        if (e == Errno.ENOSYS || e == Errno.EOPNOTSUPP) {
            return 0;
        }
        throw new HostSetupFailure("landlock_create_ruleset (version)", e, Errno.name(e), null);
    }
}
