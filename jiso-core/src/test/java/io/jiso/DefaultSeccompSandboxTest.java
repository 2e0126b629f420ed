package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.nativegen.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The default policy's denials beyond plain namespaces, in a default sandbox: the calls
 * Docker's profile refuses and jiso once allowed get EPERM from the kernel, and the socket
 * families programs use still work end to end.
 */
@KernelTest
class DefaultSeccompSandboxTest {
    private static final String PYTHON = "/usr/bin/python3";

    /**
     * Raw calls that would succeed without the filter: pidfd_getfd copies the sandbox's own
     * stdout, process_madvise gives its own memory an empty WILLNEED hint, socket makes each family
     * (AF_ALG and AF_VSOCK where the host has them; EPERM comes before the kernel looks).
     */
    private static final String CALLS = """
            import ctypes, errno, mmap, os, socket, sys
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            nr_getfd, nr_madvise, nr_socket = (int(x) for x in sys.argv[1:4])
            def call(what, nr, *args):
                r = libc.syscall(nr, *(ctypes.c_long(a) for a in args))
                print(what + ': ' + ('ok' if r >= 0 else errno.errorcode[ctypes.get_errno()]))
            pidfd = os.pidfd_open(os.getpid())
            call('pidfd_getfd', nr_getfd, pidfd, 1, 0)
            call('process_madvise', nr_madvise, pidfd, 0, 0, mmap.MADV_WILLNEED, 0)
            for spec in sys.argv[4:]:
                name, family, kind = spec.split(',')
                call(name, nr_socket, int(family, 0), int(kind), 0)
            a, b = socket.socketpair(socket.AF_UNIX)
            a.sendall(b'unix'); print(b.recv(4).decode())
            server = socket.create_server(('127.0.0.1', 0))
            client = socket.create_connection(server.getsockname())
            client.sendall(b'inet'); print(server.accept()[0].recv(4).decode())
            """;

    @Test
    void dockersDenialsGetEpermAndUnixAndInetSocketsWork() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "needs " + PYTHON);
        int seqpacket = Linux.SOCK_SEQPACKET;
        int stream = Linux.SOCK_STREAM;
        long alg = Linux.AF_ALG;
        long vsock = Linux.AF_VSOCK;
        Run r = Run.of(new IsolatedProcessBuilder(
                        PYTHON,
                        "-c",
                        CALLS,
                        "" + Linux.__NR_pidfd_getfd,
                        "" + Linux.__NR_process_madvise,
                        "" + Linux.__NR_socket,
                        "alg," + alg + "," + seqpacket,
                        "vsock," + vsock + "," + stream,
                        // the kernel reads the family as an int: garbage above it must not get past
                        "vsock-high," + (vsock | 1L << 32) + "," + stream,
                        "unix," + Linux.AF_UNIX + "," + stream,
                        "inet," + Linux.AF_INET + "," + stream))
                .ok();
        assertEquals("""
                pidfd_getfd: EPERM
                process_madvise: EPERM
                alg: EPERM
                vsock: EPERM
                vsock-high: EPERM
                unix: ok
                inet: ok
                unix
                inet
                """, r.out(), r.err());
    }
}
