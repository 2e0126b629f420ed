package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PID 1 of a sandbox is made as a CLONE_VM child of the JVM: until it has
 * executed jiso-init, /proc/1 shows the JVM's command line, comm and memory.
 * A static program whose first act is to read /proc/1/cmdline and
 * /proc/1/status, started 1,000 times under each built-in policy, must always
 * find jiso-init there, never the JVM.
 */
@KernelTest
class Pid1ExposureTest {
    private static final int STARTS = 1000;
    private static final String PROBE = """
            #include <fcntl.h>
            #include <unistd.h>
            static void dump(const char *path)
            {
                char buf[16384];
                int fd = open(path, O_RDONLY);
                if (fd < 0) {
                    write(1, "unreadable", 10);
                } else {
                    ssize_t n;
                    while ((n = read(fd, buf, sizeof buf)) > 0)
                        write(1, buf, (size_t)n);
                    close(fd);
                }
                write(1, "\\n@@\\n", 4);
            }
            int main(void)
            {
                dump("/proc/1/cmdline");
                dump("/proc/1/status");
                return 0;
            }
            """;

    private static Path dir;

    @BeforeAll
    static void compileProbe() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "needs gcc to build a static probe");
        // The program runs as nobody: the directory must be open to it.
        dir = Files.createTempDirectory(
                "jiso-pid1-probe", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.writeString(dir.resolve("probe.c"), PROBE);
        Process gcc = new ProcessBuilder(
                        "/usr/bin/gcc",
                        "-static",
                        "-O2",
                        "-o",
                        dir.resolve("probe").toString(),
                        dir.resolve("probe.c").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = gcc.waitFor();
        assumeTrue(code == 0, "gcc -static failed (no static libc?): " + out);
    }

    @AfterAll
    static void removeProbe() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void theProgramNeverSeesTheJvmAsPid1UnderTheDefaultPolicy() throws Exception {
        assertNeverTheJvm(SeccompPolicy.defaultPolicy());
    }

    @Test
    void theProgramNeverSeesTheJvmAsPid1UnderTheStrictPolicy() throws Exception {
        assertNeverTheJvm(SeccompPolicy.strict());
    }

    private static void assertNeverTheJvm(SeccompPolicy policy) throws Exception {
        List<String> jvmArgs = ownDistinctiveArgs();
        List<String> bad = new ArrayList<>();
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("/probe/probe")
                .bindReadOnly(dir, "/probe")
                .seccomp(policy)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        for (int i = 0; i < STARTS; i++) {
            IsolatedProcess p = b.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            String[] parts = out.split("\n@@\n", -1);
            String cmdline = parts[0];
            String name = parts.length > 1
                    ? parts[1].lines()
                            .filter(l -> l.startsWith("Name:"))
                            .map(l -> l.substring(5).strip())
                            .findFirst()
                            .orElse("")
                    : "";
            boolean jvm = out.contains("java")
                    || jvmArgs.stream().anyMatch(out::contains)
                    || !cmdline.startsWith("jiso-init\0")
                    || name.isEmpty();
            if (jvm) {
                bad.add("start " + i + ": cmdline '" + cmdline.replace('\0', ' ') + "', Name '" + name + "'");
            }
        }
        assertTrue(
                bad.isEmpty(),
                bad.size() + " of " + STARTS + " starts saw PID 1 before it was jiso-init, first: "
                        + (bad.isEmpty() ? "" : bad.get(0)));
    }

    /** The arguments of this JVM's command line that no jiso-init could show by chance. */
    private static List<String> ownDistinctiveArgs() throws IOException {
        String cmdline = Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>();
        for (String a : cmdline.split("\0")) {
            if (a.length() >= 8) {
                args.add(a);
            }
        }
        assertTrue(args.stream().anyMatch(a -> a.startsWith("-")), "this JVM's command line has flags: " + args);
        return args;
    }
}
