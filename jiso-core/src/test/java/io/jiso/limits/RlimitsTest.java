package io.jiso.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.limits.RunLimits.Rlimit;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the JVM's own limits are read as (checked against /proc/self/limits
 * read here by the limits' names, not by line numbers), and the corners of
 * the effective limits that ResourceLimitDefaultsTest leaves out.
 */
class RlimitsTest {
    private static final long U = RlimitResource.UNLIMITED;
    private static final Map<RlimitResource, String> PROC_NAMES = new EnumMap<>(Map.ofEntries(
            Map.entry(RlimitResource.CPU, "Max cpu time"),
            Map.entry(RlimitResource.FSIZE, "Max file size"),
            Map.entry(RlimitResource.DATA, "Max data size"),
            Map.entry(RlimitResource.STACK, "Max stack size"),
            Map.entry(RlimitResource.CORE, "Max core file size"),
            Map.entry(RlimitResource.RSS, "Max resident set"),
            Map.entry(RlimitResource.NPROC, "Max processes"),
            Map.entry(RlimitResource.NOFILE, "Max open files"),
            Map.entry(RlimitResource.MEMLOCK, "Max locked memory"),
            Map.entry(RlimitResource.AS, "Max address space"),
            Map.entry(RlimitResource.LOCKS, "Max file locks"),
            Map.entry(RlimitResource.SIGPENDING, "Max pending signals"),
            Map.entry(RlimitResource.MSGQUEUE, "Max msgqueue size"),
            Map.entry(RlimitResource.NICE, "Max nice priority"),
            Map.entry(RlimitResource.RTPRIO, "Max realtime priority"),
            Map.entry(RlimitResource.RTTIME, "Max realtime timeout")));

    @Test
    void theJvmsHardLimitsAreThoseProcShowsUnderEachLimitsName() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"));
        Map<RlimitResource, Long> read = Rlimits.jvmHardLimits();
        assertEquals(PROC_NAMES.keySet(), read.keySet(), "every limit");
        for (Map.Entry<RlimitResource, String> e : PROC_NAMES.entrySet()) {
            String line = lines.stream()
                    .filter(l -> l.startsWith(e.getValue() + " "))
                    .findFirst()
                    .orElseThrow();
            String[] cols = line.substring(e.getValue().length()).trim().split("\\s+");
            long hard = cols[1].equals("unlimited") ? U : Long.parseLong(cols[1]);
            assertEquals(hard, read.get(e.getKey()), e.getKey().name());
        }
    }

    @Test
    void nrOpenIsTheKernelsCeilingOfOpenFiles() throws IOException {
        long fromProc;
        try (FileInputStream in = new FileInputStream("/proc/sys/fs/nr_open")) {
            // one read with room to spare: procfs reports size 0, and Files.readAllBytes got "1" of "1048576"
            byte[] buffer = new byte[64];
            fromProc = Long.parseLong(new String(buffer, 0, in.read(buffer), StandardCharsets.US_ASCII).strip());
        }
        assertEquals(fromProc, Rlimits.nrOpen());
        assertTrue(Rlimits.jvmHardLimits().get(RlimitResource.NOFILE) <= fromProc, "no process exceeds it");
    }

    @Test
    void theCpuBackstopIsClampedToTheJvmsOwnHardLimit() throws Exception {
        Map<RlimitResource, Long> jvm = Map.of(RlimitResource.CPU, 5L);
        assertEquals(
                new Rlimit(5, 5),
                Rlimits.effective(Map.of(), Duration.ofSeconds(60), false, false, jvm)
                        .get(RlimitResource.CPU),
                "a backstop the JVM cannot raise to is lowered, not refused");
        assertEquals(
                new Rlimit(2, 3),
                Rlimits.effective(Map.of(), Duration.ofSeconds(1), false, false, jvm)
                        .get(RlimitResource.CPU),
                "below the ceiling it is kept");
        assertEquals(
                new Rlimit(61, 62),
                Rlimits.effective(Map.of(), Duration.ofSeconds(60), true, true, Map.of())
                        .get(RlimitResource.CPU),
                "no known ceiling: nothing to clamp to");
    }

    @Test
    void anExplicitLimitIsCheckedOnlyAgainstAKnownFiniteCeiling() throws Exception {
        Map<RlimitResource, Rlimit> unlimitedCore = Map.of(RlimitResource.CORE, new Rlimit(U, U));
        assertEquals(
                new Rlimit(U, U),
                Rlimits.effective(unlimitedCore, null, true, false, Map.of()).get(RlimitResource.CORE),
                "the JVM's own limits unknown: the spawn reports a refusal");
        assertEquals(
                new Rlimit(U, U),
                Rlimits.effective(unlimitedCore, null, true, false, Map.of(RlimitResource.CORE, U))
                        .get(RlimitResource.CORE),
                "an unlimited ceiling allows anything");
        Exception e = assertThrows(
                Exception.class,
                () -> Rlimits.effective(unlimitedCore, null, true, false, Map.of(RlimitResource.CORE, 0L)));
        assertTrue(
                e.getMessage().contains("RLIMIT_CORE to a hard limit of unlimited")
                        && e.getMessage().contains("the JVM's own is 0"),
                e.getMessage());
        Map<RlimitResource, Rlimit> explicit = Map.of(RlimitResource.NOFILE, new Rlimit(U, 100));
        assertEquals(
                new Rlimit(U, 100),
                Rlimits.effective(explicit, null, false, false, Map.of(RlimitResource.NOFILE, 100L))
                        .get(RlimitResource.NOFILE),
                "an explicit value within the ceiling is taken as given");
    }
}
