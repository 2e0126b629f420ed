package io.jiso;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Judged runs against the real kernel: each limit killing the whole sandbox,
 * each verdict, the precedence where several apply, and run()'s streams.
 * Bounds on times are loose (the machine is shared and the cgroup v2 guest
 * emulated): they check that a limit was enforced, not how precisely (that
 * is the LimitPrecision benchmark).
 */
@KernelTest
class JudgedRunCgroupTest {
    private static final byte[] NO_INPUT = new byte[0];
    private static final String BUSY = "while :; do :; done";

    private static RunReport run(IsolatedProcessBuilder b) throws Exception {
        return b.run(NO_INPUT).report();
    }

    @Test
    void aCleanRunIsOkWithItsOutputAndTimes() throws Exception {
        RunResult r =
                new IsolatedProcessBuilder("sh", "-c", "read x; echo out $x; echo err >&2").run("42\n".getBytes());
        assertEquals(RunStatus.OK, r.report().status(), r.report().message());
        assertEquals("out 42\n", new String(r.stdout(), StandardCharsets.UTF_8));
        assertEquals("err\n", new String(r.stderr(), StandardCharsets.UTF_8));
        assertEquals(0, r.report().exitCode());
        assertEquals(0, r.report().signal());
        assertFalse(r.report().killedByJiso());
        assertEquals(11, r.report().outputBytes(), "collected by run()");
        assertTrue(r.report().wallTime().toNanos() > 0, r.report().toString());
        if (Privileges.cgroupLeavesUnavailable().isEmpty()) {
            assertTrue(
                    r.report().cpuTime().toNanos() > 0 && r.report().memoryPeakBytes() > 0,
                    r.report().toString());
        }
    }

    @Test
    void aNonZeroExitIsARuntimeErrorAndAFatalSignalSignaled() throws Exception {
        RunReport r = run(new IsolatedProcessBuilder("sh", "-c", "exit 3"));
        assertEquals(RunStatus.RUNTIME_ERROR, r.status(), r.message());
        assertEquals(3, r.exitCode());
        assertTrue(r.message().startsWith("Exited with error status 3"), r.message());
        r = run(new IsolatedProcessBuilder("sh", "-c", "kill -SEGV $$"));
        assertEquals(RunStatus.SIGNALED, r.status(), r.message());
        assertEquals(11, r.signal());
        assertEquals(-1, r.exitCode());
        assertTrue(r.message().contains("SIGSEGV"), r.message());
    }

    @Test
    void overTheCpuTimeLimitTheWholeSandboxIsKilled() throws Exception {
        Privileges.assumeCgroupLeaves();
        // main only waits: the CPU time is its two children's, which no per-process limit would catch
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("sh", "-c", "(" + BUSY + ") & (" + BUSY + ") & wait")
                .cpuTimeLimit(Duration.ofMillis(400))
                .wallTimeLimit(Duration.ofSeconds(60));
        RunReport r = run(b);
        assertEquals(RunStatus.CPU_TIME_EXCEEDED, r.status(), r.message());
        assertTrue(r.killedByJiso(), r.message());
        assertTrue(r.cpuTime().toMillis() >= 400 && r.cpuTime().toMillis() < 1400, r.message());
        assertEquals(9, r.signal(), "the main process was killed with the group");
        assertTrue(r.message().startsWith("Time limit exceeded (CPU"), r.message());
    }

    @Test
    void withinTheCpuTimeLimitARunIsOk() throws Exception {
        Privileges.assumeCgroupLeaves();
        RunReport r = run(new IsolatedProcessBuilder("sh", "-c", "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done")
                .cpuTimeLimit(Duration.ofSeconds(30)));
        assertEquals(RunStatus.OK, r.status(), r.message());
        assertFalse(r.killedByJiso());
    }

    @Test
    void atTheWallTimeLimitTheWholeSandboxIsKilled() throws Exception {
        RunReport r = run(
                new IsolatedProcessBuilder("sh", "-c", "sleep 30 & sleep 30").wallTimeLimit(Duration.ofMillis(300)));
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, r.status(), r.message());
        assertTrue(r.killedByJiso());
        assertTrue(r.wallTime().toMillis() >= 300 && r.wallTime().toMillis() < 5000, r.message());
        assertEquals(9, r.signal());
    }

    @Test
    void withoutAPidNamespaceTheJvmEnforcesTheTimeLimits() throws Exception {
        RunReport r = run(
                new IsolatedProcessBuilder("sleep", "30").share(Namespace.PID).wallTimeLimit(Duration.ofMillis(300)));
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, r.status(), r.message());
        assertTrue(r.killedByJiso());
        assertTrue(r.wallTime().toMillis() >= 300 && r.wallTime().toMillis() < 5000, r.message());
        if (Privileges.cgroupLeavesUnavailable().isEmpty()) {
            r = run(new IsolatedProcessBuilder("sh", "-c", BUSY)
                    .share(Namespace.PID)
                    .cpuTimeLimit(Duration.ofMillis(300)));
            assertEquals(RunStatus.CPU_TIME_EXCEEDED, r.status(), r.message());
            assertTrue(r.killedByJiso() && r.cpuTime().toMillis() >= 300, r.message());
        }
    }

    /**
     * Stops this JVM (every thread: a stand-in for a long GC pause) for the given time; returns the
     * wall clock (epoch milliseconds) at which the stop was sent, and how long this JVM was away.
     */
    private static long[] stopThisJvm(Duration pause) throws Exception {
        long jvm = ProcessHandle.current().pid();
        long before = System.nanoTime();
        Process stopper = new ProcessBuilder(
                        "sh",
                        "-c",
                        "date +%s%3N; kill -STOP " + jvm + "; sleep " + pause.toMillis() / 1000.0 + "; kill -CONT "
                                + jvm)
                .start();
        long sentAt = Long.parseLong(new String(stopper.getInputStream().readAllBytes()).strip());
        stopper.waitFor();
        return new long[] {sentAt, (System.nanoTime() - before) / 1_000_000};
    }

    @Test
    void aStoppedJvmDoesNotStretchTheLimitsJisoInitEnforces() throws Exception {
        Privileges.assumeCgroupLeaves();
        IsolatedProcess wall = new IsolatedProcessBuilder("sleep", "30")
                .wallTimeLimit(Duration.ofMillis(500))
                .start();
        IsolatedProcess cpu = new IsolatedProcessBuilder("sh", "-c", BUSY)
                .cpuTimeLimit(Duration.ofMillis(500))
                .start();
        IsolatedProcess fallback = new IsolatedProcessBuilder("sleep", "30")
                .share(Namespace.PID)
                .wallTimeLimit(Duration.ofMillis(500))
                .start();
        long fallbackStarted = System.currentTimeMillis();
        long[] stop = stopThisJvm(Duration.ofSeconds(2));
        assertTrue(stop[1] >= 2000, "the JVM was stopped for " + stop[1] + " ms");
        RunReport w = wall.report();
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, w.status(), w.message());
        assertTrue(w.wallTime().toMillis() < 1500, "jiso-init's timer ran while the JVM was stopped: " + w.message());
        RunReport c = cpu.report();
        assertEquals(RunStatus.CPU_TIME_EXCEEDED, c.status(), c.message());
        assertTrue(c.cpuTime().toMillis() < 1500, c.message());
        // without a pid namespace the JVM's own timer enforces the limit, and it was stopped too
        RunReport f = fallback.report();
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, f.status(), f.message());
        if (stop[0] - fallbackStarted < 400) {
            assertTrue(f.wallTime().toMillis() >= 1500, "the documented weakness of the fallback: " + f.message());
        } else { // a slow machine (the emulated guest) took longer to stop this JVM than the limit
            System.out.println("[not checked] the fallback's stretched limit: this JVM was stopped only "
                    + (stop[0] - fallbackStarted) + " ms after the fallback sandbox started");
        }
    }

    @Test
    void pastMemoryMaxTheVerdictIsMemoryExceeded() throws Exception {
        Privileges.assumeCgroupLeaves();
        RunReport r = run(new IsolatedProcessBuilder("python3", "-c", "x = bytearray(400 << 20)")
                .memoryMax(64 << 20)
                .swapMax(0)
                .wallTimeLimit(Duration.ofSeconds(60)));
        assertEquals(RunStatus.MEMORY_EXCEEDED, r.status(), r.message());
        assertFalse(r.killedByJiso(), "the kernel killed it");
        assertEquals(9, r.signal());
        assertTrue(r.memoryPeakBytes() > (32L << 20), r.message());
    }

    @Test
    void anOomKillDuringATimeoutIsTheTimeout() throws Exception {
        Privileges.assumeCgroupLeaves();
        // a child is OOM-killed (tail keeps every line of /dev/zero's endless first one: its memory
        // grows fast, even in the emulated guest), then the main process sleeps until the wall time limit
        RunReport r = run(new IsolatedProcessBuilder("sh", "-c", "tail /dev/zero; sleep 300")
                .memoryMax(64 << 20)
                .swapMax(0)
                .wallTimeLimit(Duration.ofSeconds(Files.exists(Path.of("/run/vm")) ? 60 : 2))); // the guest is slow
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, r.status(), r.message());
        assertTrue(r.killedByJiso());
        assertTrue(r.message().contains("OOM killer also killed 1 process"), r.message());
    }

    @Test
    void aForkBombHitsPidsMaxAndTheTimeLimitEndsIt() throws Exception {
        Privileges.assumeCgroupLeaves();
        // every process forks on, failing or not, until the time limit
        RunReport r = run(new IsolatedProcessBuilder("python3", "-c", """
                import os
                while True:
                    try:
                        os.fork()
                    except OSError:
                        pass
                """)
                .pidsMax(64)
                .cpuTimeLimit(Duration.ofSeconds(1))
                .wallTimeLimit(Duration.ofSeconds(3)));
        assertTrue(
                r.status() == RunStatus.CPU_TIME_EXCEEDED || r.status() == RunStatus.WALL_TIME_EXCEEDED, r.message());
        assertTrue(r.killedByJiso());
    }

    @Test
    void endlessOutputIsCutAtTheLimitAndTheSandboxKilled() throws Exception {
        RunResult r = new IsolatedProcessBuilder("yes", "0123456789")
                .outputLimit(1 << 20)
                .wallTimeLimit(Duration.ofSeconds(60))
                .run(NO_INPUT);
        assertEquals(RunStatus.OUTPUT_EXCEEDED, r.report().status(), r.report().message());
        assertTrue(r.report().killedByJiso());
        assertEquals(1 << 20, r.stdout().length, "exactly the limit is passed on");
        assertTrue(r.report().outputBytes() > 1 << 20, r.report().toString());
        assertEquals(9, r.report().signal(), "a signal after the output limit is still OUTPUT_EXCEEDED");
    }

    @Test
    void theOutputLimitCountsStdoutAndStderrTogetherWhateverTheirRedirect() throws Exception {
        Path file = Files.createTempFile("jiso-out", ".txt");
        try {
            // to a file and to DISCARD: 600 KB each, over 1 MiB together
            RunReport r = run(new IsolatedProcessBuilder(
                            "sh", "-c", "head -c 600000 /dev/zero; head -c 600000 /dev/zero >&2; sleep 30")
                    .redirectOutput(file.toFile())
                    .redirectError(Redirect.DISCARD)
                    .outputLimit(1 << 20));
            assertEquals(RunStatus.OUTPUT_EXCEEDED, r.status(), r.message());
            assertEquals(600_000, Files.size(file), "stdout reached its file through the relay");
            // within the limit, nothing happens and the count is exact
            r = run(new IsolatedProcessBuilder("sh", "-c", "head -c 1000 /dev/zero; head -c 234 /dev/zero >&2")
                    .redirectOutput(file.toFile())
                    .redirectError(Redirect.DISCARD)
                    .outputLimit(1 << 20));
            assertEquals(RunStatus.OK, r.status(), r.message());
            assertEquals(1234, r.outputBytes());
            assertEquals(1000, Files.size(file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void runFeedsAndCollectsLargeStreamsWithoutDeadlock() throws Exception {
        byte[] input = new byte[8 << 20];
        new Random(7).nextBytes(input);
        // the program writes both outputs before reading all of its input: pipes fill on every side
        RunResult r = new IsolatedProcessBuilder("sh", "-c", "head -c 3000000 /dev/zero >&2; cat; head -c 5 /dev/zero")
                .run(input);
        assertEquals(RunStatus.OK, r.report().status(), r.report().message());
        assertEquals(input.length + 5, r.stdout().length);
        assertArrayEquals(input, Arrays.copyOf(r.stdout(), input.length));
        assertEquals(3_000_000, r.stderr().length);
    }

    @Test
    void runTakesStdinFromAFile() throws Exception {
        Path in = Files.createTempFile("jiso-in", ".txt");
        try {
            Files.writeString(in, "from a file\n");
            RunResult r = new IsolatedProcessBuilder("cat").run(in);
            assertEquals("from a file\n", new String(r.stdout(), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(in);
        }
    }

    @Test
    void contradictoryLimitsAreRefusedByStart() {
        var e = assertThrows(
                IllegalStateException.class,
                () -> new IsolatedProcessBuilder("true")
                        .share(Namespace.PID)
                        .outputLimit(10)
                        .start());
        assertTrue(e.getMessage().contains("outputLimit"), e.getMessage());
        e = assertThrows(
                IllegalStateException.class,
                () -> new IsolatedProcessBuilder("true")
                        .withoutCgroup()
                        .cpuTimeLimit(Duration.ofSeconds(1))
                        .start());
        assertTrue(e.getMessage().contains("cpuTimeLimit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IsolatedProcessBuilder("true").outputLimit(-1));
        assertThrows(
                IllegalArgumentException.class, () -> new IsolatedProcessBuilder("true").cpuTimeLimit(Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class,
                () -> new IsolatedProcessBuilder("true").wallTimeLimit(Duration.ofMillis(-1)));
    }
}
