package io.jiso.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.ResourceLimit;
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
    private static final long U = ResourceLimit.UNLIMITED;
    private static final Map<ResourceLimit, String> PROC_NAMES = new EnumMap<>(Map.ofEntries(
            Map.entry(ResourceLimit.CPU, "Max cpu time"), Map.entry(ResourceLimit.FSIZE, "Max file size"),
            Map.entry(ResourceLimit.DATA, "Max data size"), Map.entry(ResourceLimit.STACK, "Max stack size"),
            Map.entry(ResourceLimit.CORE, "Max core file size"), Map.entry(ResourceLimit.RSS, "Max resident set"),
            Map.entry(ResourceLimit.NPROC, "Max processes"), Map.entry(ResourceLimit.NOFILE, "Max open files"),
            Map.entry(ResourceLimit.MEMLOCK, "Max locked memory"), Map.entry(ResourceLimit.AS, "Max address space"),
            Map.entry(ResourceLimit.LOCKS, "Max file locks"), Map.entry(ResourceLimit.SIGPENDING, "Max pending signals"),
            Map.entry(ResourceLimit.MSGQUEUE, "Max msgqueue size"), Map.entry(ResourceLimit.NICE, "Max nice priority"),
            Map.entry(ResourceLimit.RTPRIO, "Max realtime priority"),
            Map.entry(ResourceLimit.RTTIME, "Max realtime timeout")));

    @Test
    void theJvmsHardLimitsAreThoseProcShowsUnderEachLimitsName() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"));
        Map<ResourceLimit, Long> read = Rlimits.jvmHardLimits();
        assertEquals(PROC_NAMES.keySet(), read.keySet(), "every limit");
        for (Map.Entry<ResourceLimit, String> e : PROC_NAMES.entrySet()) {
            String line = lines.stream().filter(l -> l.startsWith(e.getValue() + " ")).findFirst().orElseThrow();
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
        assertTrue(Rlimits.jvmHardLimits().get(ResourceLimit.NOFILE) <= fromProc, "no process exceeds it");
    }

    @Test
    void theCpuBackstopIsClampedToTheJvmsOwnHardLimit() throws Exception {
        Map<ResourceLimit, Long> jvm = Map.of(ResourceLimit.CPU, 5L);
        assertEquals(new Rlimit(5, 5), Rlimits.effective(Map.of(), Duration.ofSeconds(60), false, false, jvm)
                .get(ResourceLimit.CPU), "a backstop the JVM cannot raise to is lowered, not refused");
        assertEquals(new Rlimit(2, 3), Rlimits.effective(Map.of(), Duration.ofSeconds(1), false, false, jvm)
                .get(ResourceLimit.CPU), "below the ceiling it is kept");
        assertEquals(new Rlimit(61, 62), Rlimits.effective(Map.of(), Duration.ofSeconds(60), true, true,
                Map.of()).get(ResourceLimit.CPU), "no known ceiling: nothing to clamp to");
    }

    @Test
    void anExplicitLimitIsCheckedOnlyAgainstAKnownFiniteCeiling() throws Exception {
        Map<ResourceLimit, Rlimit> unlimitedCore = Map.of(ResourceLimit.CORE, new Rlimit(U, U));
        assertEquals(new Rlimit(U, U), Rlimits.effective(unlimitedCore, null, true, false, Map.of())
                .get(ResourceLimit.CORE), "the JVM's own limits unknown: the spawn reports a refusal");
        assertEquals(new Rlimit(U, U), Rlimits.effective(unlimitedCore, null, true, false,
                Map.of(ResourceLimit.CORE, U)).get(ResourceLimit.CORE), "an unlimited ceiling allows anything");
        Exception e = assertThrows(Exception.class, () -> Rlimits.effective(unlimitedCore, null, true, false,
                Map.of(ResourceLimit.CORE, 0L)));
        assertTrue(e.getMessage().contains("RLIMIT_CORE to a hard limit of unlimited")
                && e.getMessage().contains("the JVM's own is 0"), e.getMessage());
        Map<ResourceLimit, Rlimit> explicit = Map.of(ResourceLimit.NOFILE, new Rlimit(U, 100));
        assertEquals(new Rlimit(U, 100), Rlimits.effective(explicit, null, false, false,
                Map.of(ResourceLimit.NOFILE, 100L)).get(ResourceLimit.NOFILE),
                "an explicit value within the ceiling is taken as given");
    }
}
