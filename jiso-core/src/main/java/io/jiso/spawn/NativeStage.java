package io.jiso.spawn;

import static io.jiso.nativegen.Linux.F_ADD_SEALS;
import static io.jiso.nativegen.Linux.MFD_ALLOW_SEALING;
import static io.jiso.nativegen.Linux.MFD_CLOEXEC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The native part of jiso, loaded once per JVM from this architecture's
 * resources into memfds (no temporary files): the spawn stage libjiso.so,
 * found with SymbolLookup.libraryLookup (by name: the Path variant would resolve /proc/self/fd/N to the memfd's unopenable name), and jiso-init, the PID 1 of every new
 * pid namespace, which a child executes straight from its memfd.
 */
final class NativeStage {
    private NativeStage() {}

    private static final Abi ABI = Abi.current();
    // By name: MFD_EXEC (Linux 6.3) is newer than the headers the constants are generated from.
    private static final int MFD_EXEC = ABI.hasConstant("MFD_EXEC") ? ABI.intConstant("MFD_EXEC") : 0;
    private static final int ALL_SEALS =
            Linux.F_SEAL_SEAL | Linux.F_SEAL_SHRINK | Linux.F_SEAL_GROW | Linux.F_SEAL_WRITE;

    /** int jiso_spawn(const struct jiso_plan *, struct jiso_result *). */
    static final MethodHandle SPAWN;
    /** A close-on-exec memfd holding jiso-init, kept open for the JVM's life. */
    static final int INIT_FD;
    /**
     * A pidfd of the JVM itself, kept open for its life: jiso-init's lifeline.
     * It turns readable when the JVM has exited, and init then ends its sandbox.
     */
    static final int JVM_PIDFD;

    static {
        try {
            int lib = memfdWith("libjiso.so", true); // mapped executable by dlopen
            try {
                SymbolLookup stage = SymbolLookup.libraryLookup("/proc/self/fd/" + lib, Arena.global());
                SPAWN = Linker.nativeLinker()
                        .downcallHandle(
                                stage.findOrThrow("jiso_spawn"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            } finally {
                Sys.close(lib); // the mapping outlives the fd
            }
            INIT_FD = memfdWith("jiso-init", true);
            JVM_PIDFD = Sys.pidfdOpen(ProcessHandle.current().pid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load jiso's native stage for " + ABI.arch(), e);
        }
    }

    private static int memfdWith(String resource, boolean executable) throws IOException {
        byte[] bytes;
        try (InputStream in = ABI.nativeResource(resource)) {
            if (in == null) {
                throw new IOException("this jiso build has no " + resource + " for " + ABI.arch());
            }
            bytes = in.readAllBytes();
        }
        int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
        int fd;
        try {
            fd = Sys.memfdCreate(resource, flags | (executable ? MFD_EXEC : 0));
        } catch (HostSetupFailure e) {
            if (e.errno() != Errno.EINVAL || !executable) {
                throw e;
            }
            fd = Sys.memfdCreate(resource, flags); // kernels before 6.3 know no MFD_EXEC
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
            Sys.writeFully(fd, buf, bytes.length, "write " + resource + " to its memfd");
            Sys.fcntl(fd, F_ADD_SEALS, ALL_SEALS); // nobody may change what children execute
            return fd;
        } catch (IOException | RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
    }
}
