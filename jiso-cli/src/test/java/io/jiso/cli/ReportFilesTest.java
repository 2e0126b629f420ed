package io.jiso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jiso.ResourceUsage;
import io.jiso.RunReport;
import io.jiso.RunStatus;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --report and --meta of a given report, without running anything (RunCommandTest reads them after real runs). */
class ReportFilesTest {
    private static RunReport report(
            RunStatus status, int exitCode, int signal, long peak, boolean killed, String message) {
        return new RunReport(
                status,
                exitCode,
                signal,
                Duration.ofNanos(1_234_567_890),
                Duration.ofMillis(2500),
                peak,
                42,
                killed,
                message);
    }

    @Test
    void metaHasIsolatesKeysAndStatuses() {
        assertEquals(
                "time:1.235\ntime-wall:2.500\nmax-rss:2\ncg-mem:2\nexitcode:0\nmessage:OK\n",
                ReportFiles.meta(report(RunStatus.OK, 0, 0, 1025, false, "OK")),
                "KiB rounded up, no status");
        assertEquals(
                "time:1.235\ntime-wall:2.500\nmax-rss:1\ncg-mem:1\nexitsig:9\nkilled:1\nstatus:TO\nmessage:Time"
                        + " limit exceeded\n",
                ReportFiles.meta(report(RunStatus.WALL_TIME_EXCEEDED, -1, 9, 1024, true, "Time limit exceeded")));
        assertEquals(
                "exitsig:9\ncg-oom-killed:1\nstatus:SG\nmessage:Memory limit exceeded two lines\n",
                ReportFiles.meta(new RunReport(
                        RunStatus.MEMORY_EXCEEDED,
                        -1,
                        9,
                        ResourceUsage.UNKNOWN_TIME,
                        ResourceUsage.UNKNOWN_TIME,
                        ResourceUsage.UNKNOWN,
                        0,
                        false,
                        "Memory limit exceeded\ntwo lines")),
                "unknown measurements are left out");
        assertEquals("RE", status(report(RunStatus.RUNTIME_ERROR, 3, 0, 0, false, "x")));
        assertEquals("TO", status(report(RunStatus.CPU_TIME_EXCEEDED, -1, 9, 0, true, "x")));
        assertEquals("SG", status(report(RunStatus.SIGNALED, -1, 11, 0, false, "x")));
        assertEquals("SG", status(report(RunStatus.OUTPUT_EXCEEDED, -1, 9, 0, true, "x")));
    }

    private static String status(RunReport r) {
        return ReportFiles.meta(r)
                .lines()
                .filter(l -> l.startsWith("status:"))
                .findFirst()
                .orElseThrow()
                .substring("status:".length());
    }

    @Test
    void jsonHasEveryFieldInSecondsAndNullsForTheUnknown() {
        Map<String, Object> m = ReportFiles.json(report(RunStatus.RUNTIME_ERROR, 3, 0, 4096, false, "Exited"));
        assertEquals("RUNTIME_ERROR", m.get("status"));
        assertEquals(3, m.get("exitCode"));
        assertEquals(0, m.get("signal"));
        assertEquals(new BigDecimal("1.234568"), m.get("cpuTime"));
        assertEquals(new BigDecimal("2.500000"), m.get("wallTime"));
        assertEquals(4096L, m.get("memoryPeakBytes"));
        assertEquals(42L, m.get("outputBytes"));
        assertEquals(false, m.get("killedByJiso"));
        Map<String, Object> unknown = ReportFiles.json(new RunReport(
                RunStatus.SIGNALED,
                -1,
                11,
                ResourceUsage.UNKNOWN_TIME,
                Duration.ZERO,
                ResourceUsage.UNKNOWN,
                ResourceUsage.UNKNOWN,
                false,
                "x"));
        assertNull(unknown.get("exitCode"), "no exit code after a signal");
        assertNull(unknown.get("cpuTime"));
        assertNull(unknown.get("memoryPeakBytes"));
        assertNull(unknown.get("outputBytes"));
    }

    @Test
    void aSandboxThatCouldNotStartIsStatusXx(@TempDir Path dir) throws Exception {
        File meta = dir.resolve("meta").toFile();
        ReportFiles.writeMetaFailure(meta, "bind /x: ENOENT\nsecond line");
        assertEquals("status:XX\nmessage:bind /x: ENOENT second line\n", Files.readString(meta.toPath()));
    }
}
