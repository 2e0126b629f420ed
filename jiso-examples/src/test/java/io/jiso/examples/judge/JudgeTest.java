package io.jiso.examples.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.examples.judge.Judge.SubmissionResult;
import io.jiso.examples.judge.Judge.TestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The judge on its corpus (src/test/resources/judge/aplusb): A+B with three
 * tests, and a submission for each verdict and each attack a judge must stop.
 * The verdicts come from the kernel: the OOM killer, jiso-init's timers and
 * output count, the program's exit status. The tests' limits are the judge's, their CPU and
 * wall times grown on a slow host by {@link HostSpeed#factor()}.
 */
@KernelTest
class JudgeTest {
    private static final Path PROBLEM = Path.of("src/test/resources/judge/aplusb");
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
    private static List<Path> workDirsBefore;

    @BeforeAll
    static void noteWorkDirs() throws Exception {
        workDirsBefore = workDirs();
    }

    @AfterAll
    static void judgeLeftNoWorkDir() throws Exception {
        assertEquals(workDirsBefore, workDirs(), "the judge deletes its work directories");
    }

    private static List<Path> workDirs() throws Exception {
        try (Stream<Path> s = Files.list(TMP)) {
            return s.filter(p -> p.getFileName().toString().startsWith("jiso-judge"))
                    .sorted()
                    .toList();
        }
    }

    /**
     * The CPU-bound loop gets a wall time limit far above its CPU limit: on a busy machine it gets
     * less than a CPU, and could reach the usual 10 s of wall time before its 2 s of CPU time. The
     * sleeper's wall time limit is its CPU limit: it exceeds the one and not the other all the
     * same, in less time (under emulation the limits grow 20-40 times).
     */
    private static final Map<String, Judge.Limits> LIMITS = Map.of(
            "tle-cpu-loop.c", withWall(Judge.RUN, Duration.ofSeconds(60)),
            "tle-sleep.py", withWall(Judge.RUN, Judge.RUN.cpu()));

    private static Judge.Limits withWall(Judge.Limits l, Duration wall) {
        return new Judge.Limits(l.cpu(), wall, l.memoryBytes(), l.pids(), l.outputBytes(), l.stackBytes());
    }

    private static Judge.Limits limits(String submission) {
        return LIMITS.getOrDefault(submission, Judge.RUN);
    }

    /** Each submission judged once with its limits: several tests look at one result. */
    private static final Map<String, SubmissionResult> JUDGED = new ConcurrentHashMap<>();

    private static SubmissionResult judge(String submission) throws Exception {
        SubmissionResult r = JUDGED.get(submission);
        if (r == null) {
            r = judge(submission, limits(submission));
            JUDGED.put(submission, r);
        }
        return r;
    }

    /** Judged with these limits (and the COMPILE limits), their times grown on a slow host. */
    private static SubmissionResult judge(String submission, Judge.Limits limits) throws Exception {
        Path source = PROBLEM.resolve("submissions").resolve(submission);
        Sandboxes.assumeJudgeable(Language.of(source).orElseThrow());
        return new Judge(PROBLEM.resolve("tests"), HostSpeed.scaled(Judge.COMPILE), HostSpeed.scaled(limits))
                .judge(source);
    }

    /** A development machine's duration here, in seconds, as the test results count. */
    private static double scaledSeconds(Duration d) {
        return HostSpeed.scaled(d).toNanos() / 1e9;
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "ac.c, AC",
        "ac.cpp, AC",
        "ac.py, AC",
        "ac.java, AC",
        "wa-int-overflow.c, WA",
        "tle-cpu-loop.c, TLE",
        "tle-sleep.py, TLE",
        "mle-1gib.c, MLE",
        "mle-1gib.py, MLE",
        "mle-1gib.java, MLE",
        "re-segfault.c, RE",
        "re-exit-code.py, RE",
        "ole-endless.c, OLE",
        "ce-syntax.cpp, CE",
        "ce-include-dev-zero.c, CE",
        "ce-huge-object.c, CE",
    })
    void verdict(String submission, Verdict expected) throws Exception {
        SubmissionResult r = judge(submission);
        assertEquals(expected, r.verdict(), r.toString());
        if (expected == Verdict.AC) {
            assertEquals(3, r.tests().size(), "every test ran: " + r);
        }
    }

    @Test
    void wrongAnswerStopsAtTheFirstFailedTest() throws Exception {
        SubmissionResult r = judge("wa-int-overflow.c");
        assertEquals(
                List.of(Verdict.AC, Verdict.WA),
                r.tests().stream().map(TestResult::verdict).toList());
        assertEquals("-294967296\n", r.tests().getLast().output());
    }

    @Test
    void cpuAndWallTimeLimitsAreBothTle() throws Exception {
        TestResult cpu = judge("tle-cpu-loop.c").tests().getFirst();
        assertEquals(Verdict.TLE, cpu.verdict(), cpu.toString());
        assertTrue(
                cpu.killed()
                        && cpu.time() >= scaledSeconds(limits("tle-cpu-loop.c").cpu())
                        && cpu.message().startsWith("Time limit exceeded (CPU"),
                cpu.toString());
        // the sleeper ran into the wall time limit using little of its CPU time
        TestResult wall = judge("tle-sleep.py").tests().getFirst();
        assertTrue(
                wall.killed()
                        && wall.timeWall()
                                >= scaledSeconds(limits("tle-sleep.py").wall())
                        && wall.time() < scaledSeconds(Duration.ofSeconds(1)),
                wall.toString());
        assertTrue(wall.message().startsWith("Time limit exceeded (wall clock"), wall.toString());
    }

    @Test
    void mleIsTheKernelsOomKillNearTheLimit() throws Exception {
        for (String submission : List.of("mle-1gib.c", "mle-1gib.py")) {
            TestResult t = judge(submission).tests().getFirst();
            assertEquals(Verdict.MLE, t.verdict(), t.toString());
            assertFalse(t.killed(), "the OOM killer, not jiso, killed it: " + t);
            assertEquals(9, t.exitSignal(), t.toString());
            assertTrue(t.cgMemKiB() > (200 << 10), "it got near the 256 MiB limit: " + t);
        }
    }

    @Test
    void javaMleIsAFullHeapSizedFromTheSandboxLimit() throws Exception {
        // the JVM reads the limit at /sys/fs/cgroup and picks a heap below it: OutOfMemoryError, not the OOM killer
        TestResult t = judge("mle-1gib.java").tests().getFirst();
        assertEquals(Verdict.MLE, t.verdict(), t.toString());
        assertFalse(t.killed(), t.toString());
        assertEquals(1, t.exitCode(), "the JVM's exit status after an uncaught OutOfMemoryError: " + t);
        assertTrue(t.cgMemKiB() < (256 << 10), t.toString());
    }

    @Test
    void aForkBombIsStoppedByThePidsLimitAndEndsAsTle() throws Exception {
        // pids.max keeps it at 64 processes and threads; all of them spinning use the CPU time
        // (2 s on a development machine) up within about a second of wall time, or on a very busy
        // machine the wall time
        TestResult t = judge("fork-bomb.c").tests().getFirst();
        assertEquals(Verdict.TLE, t.verdict(), t.toString());
        assertTrue(t.killed() && t.message().startsWith("Time limit exceeded"), t.toString());
    }

    @Test
    void segfaultAndExitCodeAreRuntimeErrors() throws Exception {
        assertEquals(11, judge("re-segfault.c").tests().getFirst().exitSignal());
        assertEquals(3, judge("re-exit-code.py").tests().getFirst().exitCode());
    }

    @Test
    void endlessOutputStopsAtTheOutputLimit() throws Exception {
        TestResult t = judge("ole-endless.c").tests().getFirst();
        assertEquals(Verdict.OLE, t.verdict(), t.toString());
        assertTrue(t.killed() && t.message().startsWith("Output limit exceeded"), t.toString());
    }

    @Test
    void deepRecursionNeedsTheLargeStack() throws Exception {
        assertEquals(Verdict.AC, judge("ac-deep-recursion.c").verdict());
        // the same program with the usual 8 MiB stack overflows it
        TestResult small = judge("ac-deep-recursion.c", Judge.RUN.withStack(8L << 20))
                .tests()
                .getFirst();
        assertEquals(Verdict.RE, small.verdict(), small.toString());
        assertEquals(11, small.exitSignal(), small.toString());
    }

    @Test
    void theHostsSecretsCannotBeRead() throws Exception {
        assertTrue(Files.exists(Path.of("/etc/shadow")), "the host has an /etc/shadow to protect");
        TestResult t = judge("read-host-files.c").tests().getFirst();
        assertEquals(Verdict.WA, t.verdict(), t.toString());
        assertEquals("denied\n", t.output(), "the program read a host file");
    }

    @Test
    void compileBombsAreStoppedByTheCompileLimits() throws Exception {
        SubmissionResult zero = judge("ce-include-dev-zero.c");
        assertEquals(Verdict.CE, zero.verdict(), zero.toString());
        assertTrue(zero.compileMessage().matches("(?s)(Memory|Time) limit exceeded.*"), zero.compileMessage());
        SubmissionResult huge = judge("ce-huge-object.c");
        assertEquals(Verdict.CE, huge.verdict(), huge.toString());
        assertTrue(
                huge.compileMessage().contains("File size limit exceeded")
                        || huge.compileMessage().startsWith("Output limit exceeded"),
                huge.compileMessage());
    }
}
