package io.jiso.spawn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The streams over the JVM's end of a child's pipe, on a pipe of the test's
 * own (the "child" end is written and read here): what is left in an output
 * pipe at the exit is kept and read to EOF, stdin is closed, and the fd goes
 * when no read or write is using it.
 */
class FdStreamsTest {
    /** What the public API hands in: the failure as the stream's caller sees it; here, as it is. */
    private static final Function<SetupFailure, IOException> AS_IS = f -> f;

    private int readEnd;
    private int writeEnd;

    @BeforeEach
    void pipe() throws Exception {
        int[] p = Sys.pipe2(Errno.O_CLOEXEC);
        readEnd = p[0];
        writeEnd = p[1];
    }

    @AfterEach
    void closeLeft() {
        for (int fd : new int[] {readEnd, writeEnd}) {
            if (fd >= 0 && isOpen(fd)) {
                Sys.close(fd);
            }
        }
    }

    private static boolean isOpen(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    private void childWrites(byte[] bytes) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            Sys.writeFully(writeEnd, s, bytes.length, "child output");
        }
    }

    private String childReads(int max) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(max);
            long n = Sys.read(readEnd, buffer, max);
            return new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    @Test
    void whatIsLeftInTheOutputPipeAtTheExitIsReadAfterItThenEof() throws Exception {
        FdStreams.Pipe pipe = new FdStreams.Pipe(readEnd, true);
        InputStream in = FdStreams.input(pipe, AS_IS);
        childWrites("hello".getBytes(StandardCharsets.UTF_8));
        byte[] two = new byte[2];
        assertEquals(2, in.read(two));
        assertEquals(0, in.available(), "the open pipe's content is not asked for");
        pipe.processExited();
        assertFalse(isOpen(readEnd), "the pipe is closed at the exit");
        readEnd = -1;
        assertEquals(3, in.available());
        assertEquals("llo", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(-1, in.read());
    }

    @Test
    void moreThanOneChunkIsKeptWhole() throws Exception {
        byte[] bytes = new byte[20_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        childWrites(bytes);
        FdStreams.Pipe pipe = new FdStreams.Pipe(readEnd, true);
        InputStream in = FdStreams.input(pipe, AS_IS);
        pipe.processExited();
        readEnd = -1;
        assertArrayEquals(bytes, in.readAllBytes());
    }

    @Test
    void aReadToEofBeforeTheExitLeavesNothingToDrain() throws Exception {
        FdStreams.Pipe pipe = new FdStreams.Pipe(readEnd, true);
        InputStream in = FdStreams.input(pipe, AS_IS);
        childWrites(new byte[] {1});
        Sys.close(writeEnd);
        writeEnd = -1;
        assertEquals(1, in.read());
        assertEquals(-1, in.read());
        pipe.processExited();
        readEnd = -1;
        assertEquals(0, in.available());
        assertEquals(-1, in.read(new byte[4], 0, 4));
    }

    @Test
    void closingTheStreamDropsWhatWasKept() throws Exception {
        FdStreams.Pipe pipe = new FdStreams.Pipe(readEnd, true);
        InputStream in = FdStreams.input(pipe, AS_IS);
        childWrites("kept".getBytes(StandardCharsets.UTF_8));
        pipe.processExited();
        readEnd = -1;
        in.close();
        IOException e = assertThrows(IOException.class, in::read);
        assertEquals("Stream closed", e.getMessage());
        assertEquals(0, in.available());
    }

    @Test
    void stdinWritesReachTheChildUntilTheExitThenTheStreamIsClosed() throws Exception {
        FdStreams.Pipe pipe = new FdStreams.Pipe(writeEnd, false);
        OutputStream out = FdStreams.output(pipe, AS_IS);
        out.write("abc".getBytes(StandardCharsets.UTF_8));
        out.write('d');
        assertEquals("abcd", childReads(16));
        pipe.processExited();
        assertFalse(isOpen(writeEnd));
        writeEnd = -1;
        IOException e = assertThrows(IOException.class, () -> out.write(1));
        assertEquals("Stream closed", e.getMessage());
    }

    @Test
    void theExitNeverClosesAnFdWhileACallUsesItTheCallsThreadDoes() throws Exception {
        FdStreams.Pipe pipe = new FdStreams.Pipe(readEnd, true);
        childWrites("late".getBytes(StandardCharsets.UTF_8));
        int fd = pipe.begin(); // a read(2) in progress
        assertEquals(readEnd, fd);
        pipe.processExited();
        assertTrue(isOpen(readEnd), "still in use by the read");
        pipe.end();
        assertFalse(isOpen(readEnd), "released by the call that used it");
        readEnd = -1;
        assertEquals(-1, pipe.begin(), "later reads go to the bytes kept");
        byte[] b = new byte[8];
        int n = pipe.readLeft(b, 0, b.length);
        assertEquals(4, n, "the bytes left in the pipe were kept");
        assertEquals("late", new String(Arrays.copyOf(b, n), StandardCharsets.UTF_8));
    }

    @Test
    void boundsAreCheckedAsInputStreamSays() {
        FdStreams.Pipe pipe = new FdStreams.Pipe(readEnd, true);
        InputStream in = FdStreams.input(pipe, AS_IS);
        assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[4], 3, 2));
        pipe.close();
        readEnd = -1;
    }
}
