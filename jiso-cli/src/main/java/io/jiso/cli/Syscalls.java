package io.jiso.cli;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few system calls jiso check asks the kernel directly, through libc's
 * syscall(2): whether a call exists is known only by calling it. The
 * numbers of these newer calls are the same on x86_64 and aarch64.
 */
final class Syscalls {
    private Syscalls() {}

    static final long PIDFD_OPEN = 434;
    static final long CLONE3 = 435;
    static final long LANDLOCK_CREATE_RULESET = 444;
    static final int LANDLOCK_CREATE_RULESET_VERSION = 1;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(StructLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** The call's result, or minus its errno. */
    static long call(long number, long a, long b, long c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            long r = (long) SYSCALL.invokeExact(state, number, a, b, c);
            return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable e) {
            throw new IllegalStateException("syscall " + number, e);
        }
    }

    static void close(long fd) {
        try {
            int ignored = (int) CLOSE.invokeExact((int) fd);
        } catch (Throwable e) {
            throw new IllegalStateException("close", e);
        }
    }
}
