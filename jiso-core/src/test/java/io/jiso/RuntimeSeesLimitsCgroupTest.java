package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.cgroup.Cgroups;
import io.jiso.cgroup.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sandbox with a memory or CPU limit sees its own cgroup, read-only, at
 * /sys/fs/cgroup, rooted at its leaf (as in a Docker container), so that a
 * JDK started in it with no flags sizes its heap and CPU count from the
 * limits. Runs on this host (hybrid: v1 controllers plus a v2 tree) and in
 * the pure cgroup v2 guest; each checks the files of its own layout.
 */
@KernelTest
class RuntimeSeesLimitsCgroupTest {
    private static final long MEMORY_MAX = 256L << 20;
    /** A JVM's start in the emulated cgroup v2 guest may take a minute or more. */
    private static final long SLOW_SECONDS = 300;

    @TempDir
    static Path programs;

    private static Layout.Kind kind;

    @BeforeAll
    static void setUp() throws Exception {
        Files.writeString(programs.resolve("Limits.java"), """
                public class Limits {
                    public static void main(String[] args) {
                        System.out.println(Runtime.getRuntime().maxMemory() + " " + Runtime.getRuntime().availableProcessors());
                    }
                }
                """);
        // compiled here: the source launcher's javac takes minutes in the emulated v2 guest
        Process javac = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                        "-d",
                        programs.toString(),
                        programs.resolve("Limits.java").toString())
                .inheritIO()
                .start();
        assertEquals(0, javac.waitFor(), "javac Limits.java on the host");
        programs.toFile().setReadable(true, false);
        programs.toFile().setExecutable(true, false);
        programs.resolve("Limits.class").toFile().setReadable(true, false);
        if (Privileges.cgroupLeavesUnavailable().isEmpty()) {
            kind = Cgroups.layout().kind();
        }
    }

    /** A sandbox with the JDK running the tests visible (bound where it is unless under /usr). */
    private static IsolatedProcessBuilder sandbox(String... command) {
        return sandbox(JisoRuntime.defaultRuntime(), command);
    }

    private static IsolatedProcessBuilder sandbox(JisoRuntime runtime, String... command) {
        IsolatedProcessBuilder b = new IsolatedProcessBuilder(runtime, command).bindReadOnly(programs, "/programs");
        Path home = Path.of(System.getProperty("java.home"));
        if (!home.startsWith("/usr/")) {
            b.bindReadOnly(home, home.toString());
        }
        return b;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** From a root template (a root JVM's way) and from a copy of the host's mount namespace. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theLeafIsAllTheSandboxSeesAtSysFsCgroupAndItIsReadOnly(boolean rootTemplates) throws Exception {
        Privileges.assumeCgroupLeaves();
        Run r;
        try (JisoRuntime runtime =
                JisoRuntime.builder().rootTemplates(rootTemplates).build()) {
            r = readCgroupFs(runtime);
        }
        checkCgroupFs(r);
    }

    private static Run readCgroupFs(JisoRuntime runtime) throws Exception {
        return Run.of(sandbox(runtime, "/bin/sh", "-c", """
                cd /sys/fs/cgroup || exit 9
                echo "cgroup $(cat /proc/self/cgroup | tr '\\n' ' ')"
                echo "mounts $(grep ' /sys/fs/cgroup' /proc/self/mountinfo | awk '{print $4 "@" $5 "@" $6}' | tr '\\n' ' ')"
                if [ -f memory.max ]; then
                    echo "dirs $(find . -mindepth 1 -type d | sort | tr '\\n' ' ')"
                    echo "memory $(cat memory.max)"; echo "cpu $(cat cpu.max)"; echo "procs $(cat cgroup.procs | tr '\\n' ' ')"
                    echo 1 > memory.max 2>/dev/null && echo "wrote memory.max"
                else
                    echo "hierarchies $(ls | tr '\\n' ' ')"
                    echo "dirs $(find ./*/ -mindepth 1 -type d | sort | tr '\\n' ' ')"
                    echo "memory $(cat memory/memory.limit_in_bytes)"; echo "cpu $(cat cpu*/cpu.cfs_quota_us | head -1)"
                    echo "procs $(cat memory/cgroup.procs | tr '\\n' ' ')"
                    echo 1 > memory/memory.limit_in_bytes 2>/dev/null && echo "wrote memory.limit_in_bytes"
                    touch x 2>/dev/null && echo "wrote into the tmpfs"
                    [ -d unified ] && echo "unified $(cat unified/cgroup.procs | tr '\\n' ' ')"
                fi
                mkdir ./child 2>/dev/null && echo "made a child cgroup"
                exit 0
                """)
                        .memoryMax(MEMORY_MAX)
                        .cpuMax(50_000, 100_000))
                .ok();
    }

    private static void checkCgroupFs(Run r) {
        List<String> lines = Arrays.asList(r.out().split("\n"));
        String all = r.out();
        assertTrue(all.contains("memory " + MEMORY_MAX + "\n"), all);
        assertEquals("dirs ", line(lines, "dirs"), "nothing beneath the leaf, nothing above it: " + all);
        assertTrue(!all.contains("wrote") && !all.contains("made a child"), "read-only: " + all);
        // jiso-init, sh and the shell's subshells, in the sandbox's pid namespace; no process of the host
        String procs = line(lines, "procs");
        assertTrue(procs.startsWith("procs 1 2 "), all);
        assertTrue(
                Arrays.stream(procs.substring(6).trim().split(" ")).allMatch(pid -> Integer.parseInt(pid) < 100), all);
        for (String mount :
                line(lines, "mounts").substring("mounts ".length()).trim().split(" ")) {
            String[] f = mount.split("@");
            assertEquals("/", f[0], "every cgroup mount rooted at the leaf (the namespace's root): " + all);
            assertTrue(f[2].startsWith("ro,") || f[2].equals("ro"), "read-only: " + all);
        }
        if (kind == Layout.Kind.V2) {
            assertEquals("cgroup 0::/ ", line(lines, "cgroup"), all);
            assertEquals("cpu 50000 100000", line(lines, "cpu"), all);
            assertEquals(1, line(lines, "mounts").trim().split(" ").length - 1, all);
        } else {
            assertEquals("cpu 50000", line(lines, "cpu"), all);
            for (String membership :
                    line(lines, "cgroup").substring("cgroup ".length()).trim().split(" ")) {
                String[] f = membership.split(":", 3);
                if (f[1].matches(".*\\b(memory|cpu|cpuacct|cpuset|pids)\\b.*") || f[0].equals("0")) {
                    assertEquals("/", f[2], "in the leaf, the namespace's root: " + membership + "\n" + all);
                }
            }
            // memory, cpu, cpuacct, cpuset, pids (co-mounted or not), unified on hybrid, nothing else
            String hierarchies = line(lines, "hierarchies");
            for (String c : List.of("memory", "cpu", "cpuacct", "cpuset", "pids")) {
                assertTrue(hierarchies.matches(".*[ ,]" + c + "[ ,].*"), c + ": " + all);
            }
            assertTrue(
                    !hierarchies.contains("blkio")
                            && !hierarchies.contains("devices")
                            && !hierarchies.contains("systemd"),
                    all);
            assertEquals(
                    hierarchies.trim().split(" ").length,
                    line(lines, "mounts").trim().split(" ").length - 1,
                    "the tmpfs and one mount per hierarchy: " + all);
            if (kind == Layout.Kind.HYBRID) {
                assertTrue(line(lines, "unified").startsWith("unified 1 2 "), all);
            }
        }
    }

    private static String line(List<String> lines, String key) {
        return lines.stream()
                .filter(l -> l.startsWith(key + " ") || l.equals(key))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line \"" + key + "\" in " + lines));
    }

    @Test
    void aJdkWithoutFlagsSizesItsHeapFromMemoryMax() throws Exception {
        Privileges.assumeCgroupLeaves();
        Run r = Run.of(sandbox(java(), "-cp", "/programs", "Limits").memoryMax(MEMORY_MAX), SLOW_SECONDS)
                .ok();
        long maxHeap = Long.parseLong(r.out().trim().split(" ")[0]);
        assertTrue(maxHeap < MEMORY_MAX, "Runtime.maxMemory() " + maxHeap + " below the 256 MiB limit: " + r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpuMax", "cpusetCpus"})
    void aJdkCountsTheProcessorsItMayUse(String limit) throws Exception {
        Privileges.assumeCgroupLeaves();
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one CPU here: a limit to one changes nothing");
        IsolatedProcessBuilder b = sandbox(java(), "-cp", "/programs", "Limits").memoryMax(MEMORY_MAX);
        if (limit.equals("cpuMax")) {
            b.cpuMax(50_000, 100_000); // half a CPU: the JDK rounds up to one
        } else {
            b.cpusetCpus("0");
        }
        Run r = Run.of(b, SLOW_SECONDS).ok();
        assertEquals("1", r.out().trim().split(" ")[1], limit + ": " + r);
    }

    @Test
    void theJdkSaysItFoundTheContainer() throws Exception {
        Privileges.assumeCgroupLeaves();
        Run r = Run.of(
                        sandbox(java(), "-Xlog:os+container=debug", "-XshowSettings:system", "-version")
                                .memoryMax(MEMORY_MAX),
                        SLOW_SECONDS)
                .ok();
        String all = r.out() + r.err();
        assertTrue(
                all.contains(
                        kind == Layout.Kind.V2
                                ? "Detected cgroups v2 unified hierarchy"
                                : "Detected cgroups hybrid or legacy hierarchy, using cgroups v1 controllers"),
                all);
        assertTrue(all.contains("Provider: cgroupv" + (kind == Layout.Kind.V2 ? "2" : "1")), all);
        assertTrue(all.contains("Memory Limit: 256.00M"), all);
    }

    @Test
    void withoutALimitRuntimesReadNothingIsMountedUnlessAsked() throws Exception {
        Privileges.assumeCgroupLeaves();
        assertEquals(
                "absent\n",
                Run.of(sandbox("/bin/sh", "-c", "ls /sys 2>/dev/null || echo absent")
                                .pidsMax(64))
                        .ok()
                        .out(),
                "no limit runtimes read: no /sys");
        assertEquals(
                "absent\n",
                Run.of(sandbox("/bin/sh", "-c", "ls /sys/fs/cgroup/* 2>/dev/null || echo absent")
                                .memoryMax(MEMORY_MAX)
                                .cgroupfs(false))
                        .ok()
                        .out(),
                "cgroupfs(false)");
        String asked = Run.of(sandbox(
                                "/bin/sh",
                                "-c",
                                "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null")
                        .cgroupfs(true))
                .out();
        assertNotEquals("", asked.trim(), "cgroupfs(true) without limits");
        assertTrue(asked.trim().equals("max") || Long.parseLong(asked.trim()) > MEMORY_MAX, asked);
    }

    @Test
    void cgroupfsNeedsTheLeafItsNamespaceAndAFreshRoot() {
        assertTrue(assertThrows(
                        IllegalStateException.class,
                        () -> new IsolatedProcessBuilder("/bin/true")
                                .cgroupfs(true)
                                .withoutCgroup()
                                .spec())
                .getMessage()
                .contains("withoutCgroup()"));
        assertTrue(assertThrows(
                        IllegalStateException.class,
                        () -> new IsolatedProcessBuilder("/bin/true")
                                .cgroupfs(true)
                                .hostRoot()
                                .spec())
                .getMessage()
                .contains("hostRoot()"));
        assertTrue(assertThrows(
                        IllegalStateException.class,
                        () -> new IsolatedProcessBuilder("/bin/true")
                                .cgroupfs(true)
                                .share(Namespace.CGROUP)
                                .spec())
                .getMessage()
                .contains("share(CGROUP)"));
    }
}
