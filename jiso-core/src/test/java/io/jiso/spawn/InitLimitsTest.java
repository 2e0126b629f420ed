package io.jiso.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.IsolatedProcessBuilder;
import io.jiso.Specs;
import io.jiso.cgroup.CgroupLimits;
import io.jiso.sys.Sys;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The arguments jiso-init gets for a run's limits and the fds behind them,
 * opened in the JVM (pipes only: no leaf, no spawn).
 */
class InitLimitsTest {
    private static boolean open(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    private static SandboxSpec spec(IsolatedProcessBuilder b) throws Exception {
        return Specs.of(b);
    }

    @Test
    void aWallTimeLimitIsOneArgumentInMicrosecondsAndNoFd() throws Exception {
        try (InitLimits l = InitLimits.open(
                spec(new IsolatedProcessBuilder("/bin/true").wallTimeLimit(Duration.ofMillis(1500))), null, -1, -1)) {
            assertEquals(List.of("w=1500000"), l.arguments());
            assertEquals(List.of(), l.keepOpen());
            assertEquals(-1, l.mainOut(), "the main process writes where it would without a relay");
            assertEquals(-1, l.mainErr());
        }
    }

    @Test
    void anOutputLimitRelaysStdoutAndStderrThroughPipesInitReads() throws Exception {
        InitLimits l = InitLimits.open(spec(new IsolatedProcessBuilder("/bin/true").outputLimit(65536)), null, -1, -1);
        int[] fds;
        try {
            List<String> args = l.arguments();
            assertEquals(1, args.size(), args.toString());
            String[] f = args.getFirst().split(",");
            assertEquals("o=65536", f[0]);
            int outRead = Integer.parseInt(f[1]);
            int errRead = Integer.parseInt(f[3]);
            assertEquals(List.of("1", "2"), List.of(f[2], f[4]), "init writes to the JVM's own 1 and 2");
            assertEquals(List.of(outRead, 1, errRead, 2), l.keepOpen(), "what init keeps across its execve");
            assertNotEquals(l.mainOut(), l.mainErr());
            // what the main process writes to its stdout is what init reads from the first relay
            Sys.writeString(l.mainOut(), "out", "test write");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buffer = arena.allocate(16);
                long n = Sys.read(outRead, buffer, 16);
                assertEquals("out", new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)));
            }
            fds = new int[] {outRead, errRead, l.mainOut(), l.mainErr()};
            for (int fd : fds) {
                assertTrue(open(fd), "fd " + fd);
            }
        } finally {
            l.close();
        }
        for (int fd : fds) {
            assertFalse(open(fd), "the JVM's copies are closed: fd " + fd);
        }
    }

    @Test
    void mergedErrorsShareOneRelayAndRedirectedOutputGoesWhereItWasSent() throws Exception {
        try (InitLimits l = InitLimits.open(
                spec(new IsolatedProcessBuilder("/bin/true").outputLimit(10).redirectErrorStream(true)),
                null,
                17,
                18)) {
            String[] f = l.arguments().getFirst().split(",");
            assertEquals(3, f.length, l.arguments().toString());
            assertEquals("17", f[2], "the relay's destination is the redirect's fd");
            assertEquals(l.mainOut(), l.mainErr());
            assertEquals(List.of(Integer.parseInt(f[1]), 17), l.keepOpen());
        }
    }

    @Test
    void aCpuTimeLimitWithoutALeafCounterIsRefusedSayingWhatIsMissing() throws Exception {
        SandboxSpec spec = spec(new IsolatedProcessBuilder("/bin/true")
                .cpuTimeLimit(Duration.ofSeconds(1))
                .outputLimit(10));
        Exception e = assertThrows(Exception.class, () -> InitLimits.open(spec, null, -1, -1));
        assertTrue(e.getMessage().contains("enforce cpuTimeLimit"), e.getMessage());
        assertTrue(e.getMessage().contains("cpu.stat") && e.getMessage().contains("cpuacct.usage"), e.getMessage());
    }

    @Test
    void theCpusASandboxCanKeepBusyAreTheJvmsCappedByItsCpusetAndQuota() {
        int jvm = Runtime.getRuntime().availableProcessors();
        assertEquals(jvm, InitLimits.cpus(null));
        assertEquals(
                jvm,
                InitLimits.cpus(CgroupLimits.builder().memoryMaxBytes(1 << 30).build()));
        assertEquals(1, InitLimits.cpus(CgroupLimits.builder().cpusetCpus("1").build()));
        assertEquals(
                Math.min(jvm, 3),
                InitLimits.cpus(CgroupLimits.builder().cpusetCpus("0,2-3").build()));
        assertEquals(
                1,
                InitLimits.cpus(
                        CgroupLimits.builder().cpuMaxMicros(50_000, 100_000).build()),
                "half a CPU still keeps one busy at a time");
        assertEquals(
                Math.min(jvm, 2),
                InitLimits.cpus(
                        CgroupLimits.builder().cpuMaxMicros(150_000, 100_000).build()),
                "a quota of 1.5 CPUs runs on two");
        assertEquals(
                1,
                InitLimits.cpus(CgroupLimits.builder()
                        .cpusetCpus("0-7")
                        .cpuMaxMicros(100_000, 100_000)
                        .build()),
                "the smaller of the two");
    }
}
