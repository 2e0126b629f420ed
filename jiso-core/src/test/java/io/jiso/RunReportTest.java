package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The verdict's precedence where several outcomes apply, on wait statuses
 * as the kernel encodes them; JudgedRunCgroupTest has the same cases on
 * real runs where they can be made to happen on purpose.
 */
class RunReportTest {
    private static final int KILLED = 9; // raw wait status of a SIGKILL death
    private static final int XCPU = 24;
    private static final int XFSZ = 25;
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static RunReport judge(int status, int killedFor, Duration cpu, long oomKills) {
        return Verdicts.judge(new Verdicts.Facts(
                status,
                killedFor,
                cpu,
                SECOND,
                Duration.ofMillis(800),
                Duration.ofSeconds(5),
                oomKills,
                1 << 20,
                10,
                100));
    }

    private static int exited(int code) {
        return code << 8;
    }

    @Test
    void theLimitJisoKilledForComesFirst() {
        // an OOM kill during a timeout, and the SIGKILL the kill itself caused
        RunReport r = judge(KILLED, Verdicts.KILLED_WALL, Duration.ofMillis(10), 1);
        assertEquals(RunStatus.WALL_TIME_EXCEEDED, r.status());
        assertTrue(r.killedByJiso());
        assertTrue(r.message().contains("OOM killer also killed 1 process"), r.message());
        // a signal after the output limit
        r = judge(KILLED, Verdicts.KILLED_OUTPUT, Duration.ofMillis(10), 0);
        assertEquals(RunStatus.OUTPUT_EXCEEDED, r.status());
        assertEquals(9, r.signal());
        // killed for output, CPU time over the limit by then too: the first limit seen wins
        assertEquals(
                RunStatus.OUTPUT_EXCEEDED,
                judge(KILLED, Verdicts.KILLED_OUTPUT, Duration.ofSeconds(2), 0).status());
    }

    @Test
    void cpuTimeOverTheLimitCountsEvenWithoutTheKill() {
        RunReport r = judge(exited(0), Verdicts.KILLED_NONE, Duration.ofMillis(1001), 0);
        assertEquals(RunStatus.CPU_TIME_EXCEEDED, r.status(), r.message());
        assertFalse(r.killedByJiso());
        assertEquals(
                RunStatus.OK, judge(exited(0), Verdicts.KILLED_NONE, SECOND, 0).status(), "at the limit is in");
        // over the CPU limit and OOM-killed: time first
        assertEquals(
                RunStatus.CPU_TIME_EXCEEDED,
                judge(KILLED, Verdicts.KILLED_NONE, Duration.ofSeconds(2), 1).status());
        assertEquals(
                RunStatus.CPU_TIME_EXCEEDED,
                judge(XCPU, Verdicts.KILLED_NONE, Duration.ofMillis(5), 0).status(),
                "SIGXCPU from RLIMIT_CPU");
    }

    @Test
    void thenMemoryThenFileSizeThenHowTheMainProcessEnded() {
        assertEquals(
                RunStatus.MEMORY_EXCEEDED,
                judge(KILLED, Verdicts.KILLED_NONE, Duration.ZERO, 1).status());
        assertEquals(
                RunStatus.MEMORY_EXCEEDED,
                judge(exited(0), Verdicts.KILLED_NONE, Duration.ZERO, 1).status(),
                "a child OOM-killed, the main process exits 0: the memory limit was still exceeded");
        assertEquals(
                RunStatus.OUTPUT_EXCEEDED,
                judge(XFSZ, Verdicts.KILLED_NONE, Duration.ZERO, 0).status());
        assertEquals(
                RunStatus.SIGNALED,
                judge(11, Verdicts.KILLED_NONE, Duration.ZERO, 0).status());
        assertEquals(
                RunStatus.RUNTIME_ERROR,
                judge(exited(1), Verdicts.KILLED_NONE, Duration.ZERO, 0).status());
        RunReport ok = judge(exited(0), Verdicts.KILLED_NONE, Duration.ofMillis(12), 0);
        assertEquals(RunStatus.OK, ok.status());
        assertEquals("OK [0.012 s CPU, 0.800 s wall]", ok.message());
    }

    @Test
    void unknownMeasurementsDoNotMakeAVerdict() {
        RunReport r = Verdicts.judge(new Verdicts.Facts(
                exited(0),
                Verdicts.KILLED_NONE,
                ResourceUsage.UNKNOWN_TIME,
                null,
                Duration.ofMillis(3),
                null,
                ResourceUsage.UNKNOWN,
                ResourceUsage.UNKNOWN,
                -1,
                -1));
        assertEquals(RunStatus.OK, r.status());
        assertEquals("OK [unknown CPU, 0.003 s wall]", r.message());
    }
}
