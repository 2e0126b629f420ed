package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.capability.HeldCapabilities;
import io.jiso.limits.Rlimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Resource limits of the main process, as the kernel shows them inside the
 * sandbox (/proc/self/limits of a process there): the documented defaults,
 * not the JVM's, values set with rlimit(..), and what they do (a deep
 * recursion that needs a large stack, a file write beyond FSIZE).
 */
@KernelTest
class ResourceLimitTest {

    /** /proc/self/limits of cat inside: name -> "soft hard". */
    private static Map<String, String> limitsInside(IsolatedProcessBuilder b) throws Exception {
        RunResult r = b.command("cat", "/proc/self/limits").run(new byte[0]);
        assertEquals(RunStatus.OK, r.report().status(), r.report().message());
        Map<String, String> m = new LinkedHashMap<>();
        String[] lines = new String(r.stdout(), StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] cols = lines[i].substring(26).trim().split("\\s+");
            m.put(lines[i].substring(0, 26).trim(), cols[0] + " " + cols[1]);
        }
        return m;
    }

    /** Whether a sandbox may get hard limits above the JVM's own. */
    private static boolean canRaise() {
        return Privileges.jvmIsRoot() && HeldCapabilities.held(Capability.CAP_SYS_RESOURCE.kernel());
    }

    /** The JVM's own hard limit of one /proc/self/limits line, e.g. "Max processes". */
    private static String jvmHard(String name) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith(name + " ")) {
                return line.substring(26).trim().split("\\s+")[1];
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void theDefaultsAreDocumentedValuesNotTheJvms() throws Exception {
        Map<String, String> l = limitsInside(new IsolatedProcessBuilder("true"));
        assertEquals("0 0", l.get("Max core file size"));
        assertEquals("1024 1024", l.get("Max open files"));
        String unlimitedStack = canRaise() ? "unlimited" : jvmHard("Max stack size");
        assertEquals((8 << 20) + " " + unlimitedStack, l.get("Max stack size"));
        assertEquals("unlimited unlimited", l.get("Max cpu time"));
        // unlimited, or, where the JVM cannot raise it (no CAP_SYS_RESOURCE), the JVM's hard limit
        String nproc = canRaise() ? "unlimited" : jvmHard("Max processes");
        assertEquals(nproc + " " + nproc, l.get("Max processes"));
        assertEquals("16384 16384", l.get("Max pending signals"));
        assertEquals((8 << 20) + " " + (8 << 20), l.get("Max locked memory"));
        assertEquals("0 0", l.get("Max realtime priority"));
        assertEquals("0 0", l.get("Max nice priority"));
        assertEquals("819200 819200", l.get("Max msgqueue size"));
    }

    @Test
    void rlimitSetsSoftAndHard() throws Exception {
        Map<String, String> l = limitsInside(new IsolatedProcessBuilder("true")
                .rlimit(ResourceLimit.NOFILE, 5000, 10_000)
                .rlimit(ResourceLimit.STACK, ResourceLimit.UNLIMITED, ResourceLimit.UNLIMITED)
                .rlimit(ResourceLimit.CORE, 4096, 8192)
                .rlimit(ResourceLimit.FSIZE, 1 << 20, 1 << 20)
                .rlimit(ResourceLimit.CPU, 7, 9));
        assertEquals("5000 10000", l.get("Max open files"));
        assertEquals("unlimited unlimited", l.get("Max stack size"));
        assertEquals("4096 8192", l.get("Max core file size"));
        assertEquals((1 << 20) + " " + (1 << 20), l.get("Max file size"));
        assertEquals("7 9", l.get("Max cpu time"));
    }

    @Test
    void aHardLimitAboveTheJvmsNeedsCapSysResource() throws Exception {
        var b = new IsolatedProcessBuilder("true").rlimit(ResourceLimit.NOFILE, 1024, Rlimits.nrOpen());
        if (canRaise()) {
            assertEquals(
                    Rlimits.nrOpen() + "", limitsInside(b).get("Max open files").split(" ")[1]);
        } else {
            var e = assertThrows(FeatureUnavailableException.class, b::start);
            assertTrue(
                    e.getMessage().contains("RLIMIT_NOFILE") && e.getMessage().contains("CAP_SYS_RESOURCE"),
                    e.getMessage());
        }
    }

    @Test
    void aCpuTimeLimitAddsAnRlimitCpuBackstop() throws Exception {
        Privileges.assumeCgroupLeaves();
        Map<String, String> l = limitsInside(new IsolatedProcessBuilder("true").cpuTimeLimit(Duration.ofMillis(1500)));
        assertEquals("3 4", l.get("Max cpu time"), "ceil(1.5 s) + 1, and a second more");
    }

    @Test
    void aDeepRecursionNeedsTheLargeStackItIsGiven() throws Exception {
        // about 200 MB of stack: 8 KiB per frame, 25,000 frames deep
        String c = "#include <stdio.h>\n#include <stdlib.h>\n"
                + "static long f(long n){volatile char pad[8192]; pad[0]=(char)n; return n==0?0:1+f(n-1)+pad[0]*0;}\n"
                + "int main(int c,char**v){printf(\"%ld\\n\",f(atol(v[1])));return 0;}\n";
        Programs.assumeCompiler();
        Path dir = Programs.compile("deep", c);
        try {
            RunResult small = new IsolatedProcessBuilder("/judge/deep", "25000")
                    .bindReadOnly(dir, "/judge")
                    .run(new byte[0]);
            assertEquals(
                    RunStatus.SIGNALED, small.report().status(), small.report().message());
            assertEquals(11, small.report().signal(), "SIGSEGV: 8 MiB of stack by default");
            RunResult large = new IsolatedProcessBuilder("/judge/deep", "25000")
                    .bindReadOnly(dir, "/judge")
                    .rlimit(ResourceLimit.STACK, 256L << 20, 256L << 20)
                    .run(new byte[0]);
            assertEquals(RunStatus.OK, large.report().status(), large.report().message());
            assertEquals("25000\n", new String(large.stdout(), StandardCharsets.UTF_8));
        } finally {
            Programs.delete(dir);
        }
    }

    @Test
    void aFileWriteBeyondFsizeIsOutputExceeded() throws Exception {
        RunResult r = new IsolatedProcessBuilder("sh", "-c", "exec head -c 2000000 /dev/zero > /tmp/big")
                .rlimit(ResourceLimit.FSIZE, 1 << 20, 1 << 20)
                .run(new byte[0]);
        assertEquals(RunStatus.OUTPUT_EXCEEDED, r.report().status(), r.report().message());
        assertTrue(r.report().message().contains("RLIMIT_FSIZE"), r.report().message());
    }
}
