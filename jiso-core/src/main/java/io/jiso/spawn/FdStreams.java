package io.jiso.spawn;

import io.jiso.sys.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Streams over the JVM's end of a child's pipe. java.io cannot wrap a raw fd
 * without reaching into JDK internals, so these read and write it through
 * FFM. The fd is closed exactly once, after any read or write in progress.
 */
final class FdStreams {
    private FdStreams() {
    }

    private static final int CHUNK = 8192;

    static InputStream input(int fd) {
        return new In(fd);
    }

    static OutputStream output(int fd) {
        return new Out(fd);
    }

    /** Owns one fd and a native buffer; close() defers while an operation runs. */
    private abstract static class Channel {
        private final int fd;
        private final Arena arena = Arena.ofShared();
        final MemorySegment buffer = arena.allocate(CHUNK);
        private int busy;
        private boolean closed;

        Channel(int fd) {
            this.fd = fd;
        }

        synchronized int acquire() throws IOException {
            if (closed) {
                throw new IOException("Stream closed");
            }
            busy++;
            return fd;
        }

        synchronized void release() {
            if (--busy == 0 && closed) {
                free();
            }
        }

        synchronized void closeChannel() {
            if (!closed) {
                closed = true;
                if (busy == 0) {
                    free();
                }
            }
        }

        private void free() {
            Sys.close(fd);
            arena.close();
        }
    }

    private static final class In extends InputStream {
        private final Channel channel;

        In(int fd) {
            channel = new Channel(fd) {
            };
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            synchronized (this) { // one reader at a time shares the buffer
                int fd = channel.acquire();
                try {
                    int n = (int) Sys.read(fd, channel.buffer, Math.min(len, CHUNK));
                    if (n == 0) {
                        return -1;
                    }
                    MemorySegment.copy(channel.buffer, ValueLayout.JAVA_BYTE, 0, b, off, n);
                    return n;
                } finally {
                    channel.release();
                }
            }
        }

        @Override
        public void close() {
            channel.closeChannel();
        }
    }

    private static final class Out extends OutputStream {
        private final Channel channel;

        Out(int fd) {
            channel = new Channel(fd) {
            };
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            int fd = channel.acquire();
            try {
                while (len > 0) {
                    int n = Math.min(len, CHUNK);
                    MemorySegment.copy(b, off, channel.buffer, ValueLayout.JAVA_BYTE, 0, n);
                    Sys.writeFully(fd, channel.buffer, n, "write to the child's standard input");
                    off += n;
                    len -= n;
                }
            } finally {
                channel.release();
            }
        }

        @Override
        public void close() {
            channel.closeChannel();
        }
    }
}
