package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The one line a verdict says, and the fields of the report, for each way a
 * run ends (RunReportTest has the precedence between them).
 */
class VerdictMessagesTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static RunReport judge(int status, int killedFor, Duration cpu, Duration wall, long oomKills) {
        return Verdicts.judge(new Verdicts.Facts(
                status, killedFor, cpu, SECOND, wall, Duration.ofSeconds(2), oomKills, 5L << 20, 10, 100));
    }

    @Test
    void theLimitsSayUsedOfAllowed() {
        RunReport cpu = judge(9, Verdicts.KILLED_CPU, Duration.ofMillis(1020), Duration.ofMillis(1100), 0);
        assertEquals(
                "Time limit exceeded (CPU 1.020 s of 1.000 s); main process ended by SIGKILL [1.020 s CPU,"
                        + " 1.100 s wall]",
                cpu.message());
        assertTrue(cpu.killedByJiso());
        assertEquals(-1, cpu.exitCode());
        assertEquals(9, cpu.signal());
        RunReport wall = judge(9, Verdicts.KILLED_WALL, Duration.ofMillis(3), Duration.ofMillis(2001), 0);
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, wall.status());
        assertTrue(wall.message().startsWith("Time limit exceeded (wall clock 2.001 s of 2.000 s)"), wall.message());
        RunReport output = judge(9, Verdicts.KILLED_OUTPUT, Duration.ZERO, Duration.ZERO, 0);
        assertTrue(output.message().startsWith("Output limit exceeded (more than 100 bytes)"), output.message());
    }

    @Test
    void aWallClockOverTheLimitWithoutTheKillStillCounts() {
        RunReport r = judge(0, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ofMillis(2500), 0);
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, r.status());
        assertFalse(r.killedByJiso());
        assertEquals(0, r.exitCode());
        assertEquals(
                RunStatus.OK,
                judge(0, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ofSeconds(2), 0)
                        .status(),
                "at the limit is in");
    }

    @Test
    void theKernelsOwnLimitsNameTheirSignal() {
        assertEquals(
                "Time limit exceeded (SIGXCPU: RLIMIT_CPU); main process ended by SIGXCPU [0.000 s CPU, 0.000 s"
                        + " wall]",
                judge(24, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ZERO, 0).message());
        assertEquals(
                "Output limit exceeded (SIGXFSZ: a file write beyond RLIMIT_FSIZE); main process ended by SIGXFSZ"
                        + " [0.000 s CPU, 0.000 s wall]",
                judge(25, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ZERO, 0).message());
    }

    @Test
    void memoryCountsTheOomKillsAndThePeak() {
        assertEquals(
                "Memory limit exceeded (the OOM killer killed 1 process, peak 5.0 MiB); main process ended by"
                        + " SIGKILL [0.000 s CPU, 0.000 s wall]",
                judge(9, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ZERO, 1).message());
        assertTrue(judge(0, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ZERO, 3)
                .message()
                .startsWith("Memory limit exceeded (the OOM killer killed 3 processes,"));
        RunReport timeFirst = judge(0, Verdicts.KILLED_WALL, Duration.ZERO, Duration.ZERO, 2);
        assertTrue(timeFirst.message().contains("; the OOM killer also killed 2 processes"), timeFirst.message());
    }

    @Test
    void signalsAndExitCodes() {
        RunReport segv = judge(11 | 0x80, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ZERO, 0);
        assertEquals(RunStatus.SIGNALED, segv.status());
        assertEquals(
                "Caught fatal signal 11 (SIGSEGV) [0.000 s CPU, 0.000 s wall]",
                segv.message(),
                "a core dump is the same signal");
        RunReport exit = judge(3 << 8, Verdicts.KILLED_NONE, Duration.ZERO, Duration.ZERO, 0);
        assertEquals(RunStatus.RUNTIME_ERROR, exit.status());
        assertEquals(3, exit.exitCode());
        assertEquals(0, exit.signal());
        assertEquals("Exited with error status 3 [0.000 s CPU, 0.000 s wall]", exit.message());
    }

    @Test
    void signalNamesAreTheArchitecturesNumbers() {
        assertEquals("SIGKILL", Verdicts.signalName(9));
        assertEquals("SIGTERM", Verdicts.signalName(15));
        assertEquals("SIGSYS", Verdicts.signalName(31));
        assertEquals("signal 40", Verdicts.signalName(40), "a real-time signal has no name here");
    }
}
