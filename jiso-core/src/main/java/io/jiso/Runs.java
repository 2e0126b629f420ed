package io.jiso;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link IsolatedProcessBuilder#run(byte[])}: stdin fed on the caller's
 * thread while two virtual threads read stdout and stderr to their end, so
 * that neither side can fill a pipe the other waits on.
 */
final class Runs {
    private Runs() {}

    /** What one output stream gave: its first cap bytes, and how many it gave in all. */
    private record Captured(byte[] bytes, long total) {}

    /**
     * @param stdin       bytes to feed, or null when stdin is a file
     * @param cap         bytes kept of each output stream, or -1 for all
     * @param outputPiped whether stdout and stderr are both pipes, so that their sum is all the output
     */
    static RunResult run(IsolatedProcess process, byte[] stdin, long cap, boolean outputPiped)
            throws IOException, InterruptedException {
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Captured> out = readers.submit(() -> drain(process.getInputStream(), cap));
            Future<Captured> err = readers.submit(() -> drain(process.getErrorStream(), cap));
            feed(process.getOutputStream(), stdin);
            RunReport report = process.report();
            Captured o = get(out);
            Captured e = get(err);
            if (report.outputBytes() < 0 && outputPiped) {
                report = new RunReport(
                        report.status(),
                        report.exitCode(),
                        report.signal(),
                        report.cpuTime(),
                        report.wallTime(),
                        report.memoryPeakBytes(),
                        o.total() + e.total(),
                        report.killedByJiso(),
                        report.message());
            }
            return new RunResult(o.bytes(), e.bytes(), report);
        }
    }

    static boolean piped(Redirect out, Redirect err, boolean merged) {
        return out.type() == Redirect.Type.PIPE && (merged || err.type() == Redirect.Type.PIPE);
    }

    /** Writes all of stdin and closes it; a program that stops reading (a closed pipe) is not an error. */
    private static void feed(OutputStream in, byte[] stdin) {
        try (in) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException closedByTheProgram) {
            // it ended or closed its stdin: what it did not read is not its input
        }
    }

    private static Captured drain(InputStream in, long cap) throws IOException {
        byte[] kept = new byte[8192];
        int keptLength = 0;
        long total = 0;
        byte[] chunk = new byte[65536];
        try (in) {
            for (int n; (n = in.read(chunk)) > 0; total += n) {
                long room = cap < 0 ? n : Math.max(0, Math.min(n, cap - total));
                if (room > 0) {
                    if (keptLength + room > kept.length) {
                        kept = Arrays.copyOf(kept, (int)
                                Math.min(Integer.MAX_VALUE - 8, Math.max(kept.length * 2L, keptLength + room)));
                    }
                    System.arraycopy(chunk, 0, kept, keptLength, (int) room);
                    keptLength += (int) room;
                }
            }
        }
        return new Captured(Arrays.copyOf(kept, keptLength), total);
    }

    private static Captured get(Future<Captured> f) throws IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
