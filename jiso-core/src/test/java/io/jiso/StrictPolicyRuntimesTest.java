package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The strict policy is for judges, so every runtime a judge offers must start under it,
 * in a sandbox limited as a judge limits one: each maintained JDK (java -version, and javac
 * compiling a program that then runs), CPython, PyPy, gcc, g++, clang, node, and binaries
 * built by Go and Rust on the host. A runtime the host lacks is skipped, saying which.
 */
@KernelTest
class StrictPolicyRuntimesTest {
    private static final long MEMORY_MAX = 512L << 20;
    private static final long PIDS_MAX = 64;
    /** Every program below prints this, computed. */
    private static final String EXPECTED = "5050\n";

    /** Sources and host-built binaries, bound read-only at /programs (the sandbox's user must read them). */
    @TempDir
    static Path programs;

    @BeforeAll
    static void writeSources() throws IOException {
        Privileges.assumeCgroupLeaves();
        Files.setPosixFilePermissions(programs, PosixFilePermissions.fromString("rwxr-xr-x"));
        write("Sum.java", """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                import java.util.stream.IntStream;
                public class Sum {
                    public static void main(String[] args) throws Exception {
                        // a FileChannel and a few threads: what a JVM's class initialisation needs
                        Path p = Files.writeString(Path.of("/tmp/sum.txt"), "100");
                        try (FileChannel c = FileChannel.open(p)) { c.size(); }
                        int n = Integer.parseInt(Files.readString(p));
                        System.out.println(IntStream.rangeClosed(1, n).parallel().sum());
                    }
                }
                """);
        write(
                "sum.py",
                "import threading\nr = []\nt = threading.Thread(target=lambda: r.append(sum(range(101))))\n"
                        + "t.start(); t.join(); print(r[0])\n");
        write(
                "sum.c",
                "#include <stdio.h>\nint main(void){int s=0; for(int i=1;i<=100;i++) s+=i; printf(\"%d\\n\",s);"
                        + " return 0;}\n");
        write(
                "sum.cpp",
                "#include <iostream>\n#include <numeric>\n#include <thread>\n#include <vector>\n"
                        + "int main(){std::vector<int> v(100); std::iota(v.begin(), v.end(), 1); int s=0;"
                        + " std::thread t([&]{ s = std::accumulate(v.begin(), v.end(), 0); }); t.join();"
                        + " std::cout << s << std::endl;}\n");
        write(
                "sum.js",
                "const { Worker } = require('worker_threads');\n"
                        + "let s = 0; for (let i = 1; i <= 100; i++) s += i;\n"
                        + "new Worker('require(\"worker_threads\").parentPort.postMessage(0)', { eval: true })\n"
                        + "  .on('message', () => console.log(s));\n");
        write(
                "sum.go",
                "package main\nimport \"fmt\"\nfunc main() { c := make(chan int)\n"
                        + " go func() { s := 0; for i := 1; i <= 100; i++ { s += i }; c <- s }()\n fmt.Println(<-c) }\n");
        write(
                "sum.rs",
                "fn main() { let t = std::thread::spawn(|| (1..=100).sum::<i32>());"
                        + " println!(\"{}\", t.join().unwrap()); }\n");
    }

    private static void write(String name, String text) throws IOException {
        Path p = Files.writeString(programs.resolve(name), text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** A judge's sandbox: strict policy, memory and pids limits, the programs at /programs, work in /tmp. */
    private static Run judge(String... command) throws Exception {
        return Run.of(new IsolatedProcessBuilder(command)
                .seccomp(SeccompPolicy.strict())
                .memoryMax(MEMORY_MAX)
                .pidsMax(PIDS_MAX)
                .bindReadOnly(programs, "/programs")
                .directory(new File("/tmp")));
    }

    private static Run judgeSh(String script) throws Exception {
        return judge("/bin/sh", "-c", script);
    }

    private static void assertPrintsSum(Run r) {
        assertEquals(0, r.exit(), "stdout: " + r.out() + "\nstderr: " + r.err());
        assertEquals(EXPECTED, r.out(), r.err());
    }

    /** A JDK of this feature release: the test JVM's own, or one in /usr/lib/jvm. */
    static Optional<Path> findJdk(int feature) throws IOException {
        List<Path> candidates = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.sorted().forEach(candidates::add);
            }
        }
        for (Path home : candidates) {
            Path release = home.resolve("release");
            if (Files.isExecutable(home.resolve("bin/javac")) && Files.isReadable(release)) {
                for (String line : Files.readAllLines(release)) {
                    if (line.startsWith("JAVA_VERSION=\"" + feature + ".")
                            || line.equals("JAVA_VERSION=\"" + feature + "\"")) {
                        return Optional.of(home.toRealPath());
                    }
                }
            }
        }
        return Optional.empty();
    }

    @ParameterizedTest
    @ValueSource(ints = {17, 21, 25})
    void jdkCompilesAndRuns(int feature) throws Exception {
        Optional<Path> home = findJdk(feature);
        assumeTrue(home.isPresent(), "no JDK " + feature + " (with javac) here or in /usr/lib/jvm");
        assumeTrue(home.get().startsWith("/usr/"), "JDK " + feature + " lies outside /usr, which the sandbox sees");
        String bin = home.get().resolve("bin") + "/";
        Run version = judge(bin + "java", "-version");
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.err().contains("version \"" + feature), version.err());
        assertPrintsSum(judgeSh(bin + "javac -d /tmp /programs/Sum.java && " + bin + "java -cp /tmp Sum"));
    }

    @Test
    void python3() throws Exception {
        assertPrintsSum(judge(executable("python3", "/usr/bin/python3"), "/programs/sum.py"));
    }

    @Test
    void pypy3() throws Exception {
        assertPrintsSum(judge(executable("pypy3", "/usr/bin/pypy3"), "/programs/sum.py"));
    }

    @Test
    void gcc() throws Exception {
        executable("gcc", "/usr/bin/gcc");
        assertPrintsSum(judgeSh("gcc -O2 -o sum /programs/sum.c && ./sum"));
    }

    @Test
    void gPlusPlus() throws Exception {
        executable("g++", "/usr/bin/g++");
        assertPrintsSum(judgeSh("g++ -O2 -pthread -o sum /programs/sum.cpp && ./sum"));
    }

    @Test
    void clang() throws Exception {
        executable("clang", "/usr/bin/clang");
        assertPrintsSum(judgeSh("clang -O2 -o sum /programs/sum.c && ./sum"));
    }

    @Test
    void node() throws Exception {
        assertPrintsSum(judge(executable("node", "/usr/bin/node"), "/programs/sum.js"));
    }

    @Test
    void goBinary() throws Exception {
        String go = hostTool("go");
        Path cache = Files.createDirectories(programs.resolve("go-cache"));
        hostRun(
                List.of(
                        go,
                        "build",
                        "-o",
                        programs.resolve("sum-go").toString(),
                        programs.resolve("sum.go").toString()),
                "GOCACHE",
                cache.toString(),
                "GOPATH",
                cache.resolve("path").toString(),
                "GO111MODULE",
                "off");
        assertPrintsSum(judge("/programs/sum-go"));
    }

    @Test
    void rustBinary() throws Exception {
        String rustc = hostTool("rustc");
        hostRun(List.of(
                rustc,
                "-O",
                "-o",
                programs.resolve("sum-rs").toString(),
                programs.resolve("sum.rs").toString()));
        assertPrintsSum(judge("/programs/sum-rs"));
    }

    /** A runtime the sandbox runs from the host's /usr (bound read-only); skips if absent. */
    private static String executable(String name, String path) {
        assumeTrue(Files.isExecutable(Path.of(path)), "no " + name + " at " + path);
        return path;
    }

    /** A compiler the test runs on the host, from PATH or ~/.cargo/bin; skips if absent. */
    private static String hostTool(String name) {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add(System.getProperty("user.home") + "/.cargo/bin");
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        assumeTrue(false, "no " + name + " on the host's PATH to build the program");
        return null;
    }

    private static void hostRun(List<String> command, String... environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        for (int i = 0; i < environment.length; i += 2) {
            pb.environment().put(environment[i], environment[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), command + " did not finish");
        assertEquals(0, p.exitValue(), command + ": " + out);
        try (Stream<Path> files = Files.walk(programs)) {
            files.forEach(f -> f.toFile().setReadable(true, false));
        }
    }
}
