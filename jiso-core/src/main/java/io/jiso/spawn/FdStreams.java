package io.jiso.spawn;

import static io.jiso.nativegen.Linux.F_SETFL;

import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Streams over the JVM's end of a child's pipe, with the life cycle of the
 * streams of {@code java.lang.ProcessImpl}: when the child exits, what is left
 * in a stdout or stderr pipe moves to a heap buffer and the pipe is closed;
 * stdin is closed. Readers then read the buffered bytes to EOF, writers get
 * "Stream closed". java.io cannot wrap a raw fd without reaching into JDK
 * internals, so the pipe is read and written through FFM.
 *
 * <p>The exit never waits for a reader or writer: if one is inside read(2) or
 * write(2) at that moment (a sandbox's descendants may keep the other end
 * open), the fd is released when that call returns, by its own thread; the
 * JDK's reaper thread waits for it instead, but it has one per process. The
 * drain reads only what is there (O_NONBLOCK), as the JDK reads only what
 * available() reports.
 */
final class FdStreams {
    private FdStreams() {}

    private static final int CHUNK = 8192;
    /**
     * One native transfer buffer per thread, instead of one per stream: a
     * stream that is never read costs no native memory.
     */
    private static final ThreadLocal<MemorySegment> BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CHUNK));
    /** Closes the pipe of a stream that became unreachable before its process exited. */
    private static final Cleaner CLEANER = Cleaner.create(task -> {
        Thread t = new Thread(task, "jiso-stream-cleaner");
        t.setDaemon(true);
        return t;
    });

    /**
     * The stream the JVM reads a child's output from; pipe is told of the exit by the ChildProcess.
     * A read(2) the kernel refuses throws publicFailure's form of the failure, the stream's caller's.
     */
    static InputStream input(Pipe pipe, Function<SetupFailure, ? extends IOException> publicFailure) {
        In in = new In(pipe, publicFailure);
        CLEANER.register(in, pipe::close);
        return in;
    }

    static OutputStream output(Pipe pipe, Function<SetupFailure, ? extends IOException> publicFailure) {
        Out out = new Out(pipe, publicFailure);
        CLEANER.register(out, pipe::close);
        return out;
    }

    /**
     * The JVM's end of one pipe: its fd until the exit or a close, then, for
     * output of the child, the bytes that were left in it. Every field is
     * guarded by this; no blocking call is made while holding it.
     */
    static final class Pipe {
        private final boolean readEnd;
        private int fd;
        /** read(2) or write(2) calls in progress on fd. */
        private int busy;

        private boolean exited;
        private boolean closed;
        /** A read saw end of file: nothing is left to drain. */
        private boolean atEof;

        private byte[] left;
        private int leftPos;

        Pipe(int fd, boolean readEnd) {
            this.fd = fd;
            this.readEnd = readEnd;
        }

        /** The fd for one read(2) or write(2), or -1 once the exit released it. */
        synchronized int begin() throws IOException {
            if (closed || (fd < 0 && !readEnd)) {
                throw new IOException("Stream closed");
            }
            if (fd >= 0) {
                busy++;
            }
            return fd;
        }

        synchronized void end() {
            if (--busy == 0 && (exited || closed)) {
                release();
            }
        }

        /** The child has exited: keep what is left in an output pipe, release the fd (now or after the call in progress). */
        synchronized void processExited() {
            exited = true;
            if (busy == 0) {
                release();
            }
        }

        /** close() of the stream, or its Cleaner: drops buffered bytes too. */
        synchronized void close() {
            closed = true;
            left = null;
            if (busy == 0) {
                release();
            }
        }

        private void release() {
            if (fd < 0) {
                return;
            }
            if (readEnd && !closed) {
                left = atEof ? new byte[0] : drain(fd);
            }
            Sys.close(fd);
            fd = -1;
        }

        /** Reads what the pipe holds now, without waiting for more; an empty array if nothing. */
        private static byte[] drain(int fd) {
            byte[] bytes = new byte[0];
            try {
                // Only the JVM has this end, opened by pipe2 without status flags: nothing to keep but these.
                Sys.fcntl(fd, F_SETFL, Errno.O_NONBLOCK);
                MemorySegment buffer = BUFFER.get();
                long n;
                while ((n = Sys.readNow(fd, buffer, CHUNK)) > 0) {
                    int have = bytes.length;
                    bytes = Arrays.copyOf(bytes, have + (int) n);
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, have, (int) n);
                }
            } catch (IOException e) {
                // as the JDK's drain: what could not be read is lost with the closed pipe
            }
            return bytes;
        }

        /** Reads from the bytes kept at exit: -1 when they are used up. */
        synchronized int readLeft(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("Stream closed");
            }
            if (left == null || leftPos == left.length) {
                left = null;
                return -1;
            }
            int n = Math.min(len, left.length - leftPos);
            System.arraycopy(left, leftPos, b, off, n);
            leftPos += n;
            return n;
        }

        synchronized void sawEof() {
            atEof = true;
        }

        synchronized int availableLeft() {
            return left == null ? 0 : left.length - leftPos;
        }
    }

    private static final class In extends InputStream {
        private final Pipe pipe;
        private final Function<SetupFailure, ? extends IOException> publicFailure;

        In(Pipe pipe, Function<SetupFailure, ? extends IOException> publicFailure) {
            this.pipe = pipe;
            this.publicFailure = publicFailure;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            synchronized (this) { // one reader at a time: bytes come out in the pipe's order
                int fd = pipe.begin();
                if (fd < 0) {
                    return pipe.readLeft(b, off, len);
                }
                try {
                    MemorySegment buffer = BUFFER.get();
                    int n;
                    try {
                        n = (int) Sys.read(fd, buffer, Math.min(len, CHUNK));
                    } catch (SetupFailure f) {
                        throw publicFailure.apply(f);
                    }
                    if (n == 0) {
                        pipe.sawEof();
                        return -1;
                    }
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, b, off, n);
                    return n;
                } finally {
                    pipe.end();
                }
            }
        }

        /** The bytes kept at exit; 0 while the pipe is open (its content is not asked for). */
        @Override
        public int available() {
            return pipe.availableLeft();
        }

        @Override
        public void close() {
            pipe.close();
        }
    }

    private static final class Out extends OutputStream {
        private final Pipe pipe;
        private final Function<SetupFailure, ? extends IOException> publicFailure;

        Out(Pipe pipe, Function<SetupFailure, ? extends IOException> publicFailure) {
            this.pipe = pipe;
            this.publicFailure = publicFailure;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            int fd = pipe.begin();
            try {
                MemorySegment buffer = BUFFER.get();
                while (len > 0) {
                    int n = Math.min(len, CHUNK);
                    MemorySegment.copy(b, off, buffer, ValueLayout.JAVA_BYTE, 0, n);
                    try {
                        Sys.writeFully(fd, buffer, n, "write to the child's standard input");
                    } catch (SetupFailure f) {
                        throw publicFailure.apply(f);
                    }
                    off += n;
                    len -= n;
                }
            } finally {
                pipe.end();
            }
        }

        @Override
        public void close() {
            pipe.close();
        }
    }
}
