package io.jiso.examples.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jiso.RunReport;
import io.jiso.RunResult;
import io.jiso.RunStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A test's verdict from a run's report and output, and its meta line, without running anything (JudgeTest runs). */
class JudgeVerdictTest {
    private static RunResult run(RunStatus status, int exitCode, int signal, String stdout, String stderr) {
        RunReport report = new RunReport(
                status,
                exitCode,
                signal,
                Duration.ofMillis(1250),
                Duration.ofMillis(2500),
                3L << 20,
                stdout.length(),
                false,
                status == RunStatus.OK ? "OK" : "the " + status + "\nin two lines");
        return new RunResult(stdout.getBytes(StandardCharsets.UTF_8), stderr.getBytes(StandardCharsets.UTF_8), report);
    }

    private static Verdict verdict(RunStatus status, String stdout, String stderr, Language language) {
        return Judge.result("t1", run(status, 0, 0, stdout, stderr), "3\n", language)
                .verdict();
    }

    @Test
    void eachStatusHasItsVerdict() {
        assertEquals(Verdict.AC, verdict(RunStatus.OK, "3 \n\n", "", Language.C));
        assertEquals(Verdict.WA, verdict(RunStatus.OK, "4\n", "", Language.C));
        assertEquals(Verdict.RE, verdict(RunStatus.RUNTIME_ERROR, "3\n", "", Language.C), "the answer does not matter");
        assertEquals(Verdict.RE, verdict(RunStatus.SIGNALED, "", "", Language.PYTHON));
        assertEquals(Verdict.TLE, verdict(RunStatus.CPU_TIME_EXCEEDED, "3\n", "", Language.C));
        assertEquals(Verdict.TLE, verdict(RunStatus.WALL_TIME_EXCEEDED, "", "", Language.C));
        assertEquals(Verdict.MLE, verdict(RunStatus.MEMORY_EXCEEDED, "", "", Language.CPP));
        assertEquals(Verdict.OLE, verdict(RunStatus.OUTPUT_EXCEEDED, "3\n", "", Language.C));
    }

    @Test
    void aJavaHeapFullIsMleOnlyForJava() {
        String oom = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n";
        assertEquals(Verdict.MLE, verdict(RunStatus.RUNTIME_ERROR, "", oom, Language.JAVA));
        assertEquals(Verdict.RE, verdict(RunStatus.RUNTIME_ERROR, "", "NullPointerException\n", Language.JAVA));
        assertEquals(
                Verdict.RE, verdict(RunStatus.RUNTIME_ERROR, "", oom, Language.PYTHON), "a program that prints it");
    }

    @Test
    void theResultCarriesTheReportsNumbers() {
        Judge.TestResult ok = Judge.result("t1", run(RunStatus.OK, 0, 0, "3\n", ""), "3\n", Language.C);
        assertEquals(1.25, ok.time(), 1e-9);
        assertEquals(2.5, ok.timeWall(), 1e-9);
        assertEquals(3072L, ok.cgMemKiB());
        assertEquals(0, ok.exitCode());
        assertNull(ok.exitSignal());
        assertNull(ok.message(), "no message on OK");
        assertEquals("t1 status:AC time:1.250 time-wall:2.500 cg-mem:3072 exitcode:0", Judge.metaLine(ok));

        Judge.TestResult killed =
                Judge.result("t2", run(RunStatus.SIGNALED, -1, 11, "x".repeat(300), ""), "3\n", Language.C);
        assertNull(killed.exitCode());
        assertEquals(11, killed.exitSignal());
        assertEquals(256, killed.output().length(), "the output's head");
        assertEquals(
                "t2 status:RE time:1.250 time-wall:2.500 cg-mem:3072 exitsig:11 message:the SIGNALED | in two"
                        + " lines",
                Judge.metaLine(killed));
    }

    @Test
    void unknownMemoryIsLeftOut() {
        RunReport report =
                new RunReport(RunStatus.OK, 0, 0, Duration.ofMillis(-1), Duration.ofMillis(5), -1, 2, false, "OK");
        Judge.TestResult r = Judge.result(
                "t3", new RunResult("3\n".getBytes(StandardCharsets.UTF_8), new byte[0], report), "3\n", Language.C);
        assertNull(r.cgMemKiB());
        assertEquals(-1, r.time());
        assertEquals("t3 status:AC time:-1.000 time-wall:0.005 exitcode:0", Judge.metaLine(r));
    }

    @Test
    void theLanguageIsTheExtensions() {
        assertEquals(Optional.of(Language.C), Language.of(Path.of("/x/ac.c")));
        assertEquals(Optional.of(Language.CPP), Language.of(Path.of("a.b.cpp")));
        assertEquals(Optional.of(Language.PYTHON), Language.of(Path.of("re-exit-code.py")));
        assertEquals(Optional.of(Language.JAVA), Language.of(Path.of("mle-1gib.java")));
        assertEquals(Optional.empty(), Language.of(Path.of("notes.txt")));
        assertEquals(Optional.empty(), Language.of(Path.of("c")));
    }
}
