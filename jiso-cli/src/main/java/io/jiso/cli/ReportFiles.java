package io.jiso.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jiso.ResourceUsage;
import io.jiso.RunReport;
import io.jiso.RunStatus;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run's report in two formats: JSON (every field of {@link RunReport},
 * times in seconds) and the meta-file of isolate, the sandbox of the IOI and
 * of CMS, so that a judge built on isolate can read jiso's.
 */
final class ReportFiles {
    private ReportFiles() {}

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The report's fields; a value the host could not give (ResourceUsage.UNKNOWN) is null. */
    static Map<String, Object> json(RunReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", r.status().name());
        m.put("exitCode", r.exitCode() < 0 ? null : r.exitCode());
        m.put("signal", r.signal());
        m.put("cpuTime", seconds(r.cpuTime(), 6));
        m.put("wallTime", seconds(r.wallTime(), 6));
        m.put("memoryPeakBytes", known(r.memoryPeakBytes()));
        m.put("outputBytes", known(r.outputBytes()));
        m.put("killedByJiso", r.killedByJiso());
        m.put("message", r.message());
        return m;
    }

    static void writeJson(File file, RunReport r) throws IOException {
        JSON.writeValue(file, json(r));
    }

    /**
     * isolate's keys: time and time-wall in seconds, cg-mem in KiB (the
     * sandbox cgroup's peak), exitcode or exitsig, killed when jiso killed it
     * for a limit, status (RE, SG, TO; none for a run that went well),
     * message. max-rss is isolate's peak of the main process; jiso knows only
     * the cgroup's peak of all processes, which bounds it, and writes that.
     * cg-oom-killed is written when the kernel's OOM killer struck. jiso has no
     * context-switch counts, so no csw-* keys.
     */
    static String meta(RunReport r) {
        StringBuilder s = new StringBuilder();
        if (!r.cpuTime().isNegative()) {
            s.append("time:").append(seconds(r.cpuTime(), 3).toPlainString()).append('\n');
        }
        if (!r.wallTime().isNegative()) {
            s.append("time-wall:")
                    .append(seconds(r.wallTime(), 3).toPlainString())
                    .append('\n');
        }
        if (r.memoryPeakBytes() != ResourceUsage.UNKNOWN) {
            long kib = (r.memoryPeakBytes() + 1023) / 1024;
            s.append("max-rss:").append(kib).append('\n');
            s.append("cg-mem:").append(kib).append('\n');
        }
        if (r.signal() != 0) {
            s.append("exitsig:").append(r.signal()).append('\n');
        } else {
            s.append("exitcode:").append(r.exitCode()).append('\n');
        }
        if (r.killedByJiso()) {
            s.append("killed:1\n");
        }
        String status = switch (r.status()) {
            case OK -> null;
            case RUNTIME_ERROR -> "RE";
            case CPU_TIME_EXCEEDED, WALL_TIME_EXCEEDED -> "TO";
            case SIGNALED, MEMORY_EXCEEDED, OUTPUT_EXCEEDED -> "SG";
        };
        if (r.status() == RunStatus.MEMORY_EXCEEDED) {
            s.append("cg-oom-killed:1\n");
        }
        if (status != null) {
            s.append("status:").append(status).append('\n');
        }
        if (r.message() != null && !r.message().isEmpty()) {
            s.append("message:").append(oneLine(r.message())).append('\n');
        }
        return s.toString();
    }

    static void writeMeta(File file, RunReport r) throws IOException {
        Files.writeString(file.toPath(), meta(r), StandardCharsets.UTF_8);
    }

    /** isolate's meta-file of a sandbox that could not run the program: status XX. */
    static void writeMetaFailure(File file, String message) throws IOException {
        Files.writeString(
                file.toPath(), "status:XX\nmessage:" + oneLine(String.valueOf(message)) + "\n", StandardCharsets.UTF_8);
    }

    /** Seconds with this many decimals; null for ResourceUsage.UNKNOWN_TIME. */
    private static BigDecimal seconds(Duration d, int decimals) {
        if (d == null || d.isNegative()) {
            return null;
        }
        return BigDecimal.valueOf(d.toNanos(), 9).setScale(decimals, RoundingMode.HALF_UP);
    }

    private static Long known(long value) {
        return value == ResourceUsage.UNKNOWN ? null : value;
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }
}
