package io.jiso.examples.judge;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jiso.Etc;
import io.jiso.IsolatedProcessBuilder;
import io.jiso.ResourceLimit;
import io.jiso.RunReport;
import io.jiso.RunResult;
import io.jiso.RunStatus;
import io.jiso.SeccompPolicy;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A small programming-contest judge: compiles a submission in one sandbox,
 * runs it on each test in another, under the strict seccomp policy, and
 * compares its output with the expected answer.
 *
 * <p>A test directory holds pairs {@code NAME.in} and {@code NAME.out}, run
 * in the order of their names; judging a submission stops at its first failed
 * test, as many judges do. Each test prints one line in the manner of
 * isolate's meta file, and {@link #main} ends with a JSON summary.
 */
public final class Judge {
    /**
     * The limits of one sandbox: CPU time of all its processes together, wall time, memory,
     * processes and threads, output (stdout and stderr together), and the stack (RLIMIT_STACK).
     */
    public record Limits(Duration cpu, Duration wall, long memoryBytes, long pids, long outputBytes, long stackBytes) {
        public Limits withStack(long bytes) {
            return new Limits(cpu, wall, memoryBytes, pids, outputBytes, bytes);
        }
    }

    /** gcc, javac: a JVM and a C compiler's passes fit, a runaway compiler does not. */
    public static final Limits COMPILE =
            new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 512L << 20, 128, 1 << 20, 8L << 20);
    /** Largest file the compiler may write (RLIMIT_FSIZE): the executable, or the assembler's object in /tmp. */
    public static final long COMPILE_FILE_MAX = 32L << 20;
    /**
     * A typical problem's limits, the same for every language. The wall time is generous, five
     * times the CPU time: it catches a program that sleeps or blocks, and a busy host should not
     * turn a CPU-bound run into a wall-time TLE. The stack is large for deep recursion (the
     * default is 8 MiB); what a program uses of it counts against its memory.
     */
    public static final Limits RUN =
            new Limits(Duration.ofSeconds(2), Duration.ofSeconds(10), 256L << 20, 64, 16L << 20, 256L << 20);

    /** One test's outcome; the program's output (its head) is kept for callers, not printed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestResult(
            String test,
            Verdict verdict,
            double time,
            double timeWall,
            Long cgMemKiB,
            Integer exitCode,
            Integer exitSignal,
            boolean killed,
            String message,
            @JsonIgnore String output) {}

    /** A submission's verdict: CE with the compiler's message, or its tests'. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SubmissionResult(
            String submission, Language language, Verdict verdict, String compileMessage, List<TestResult> tests) {}

    private final Path tests;
    private final Limits compile;
    private final Limits run;

    /** A judge of the tests in this directory, with the {@link #COMPILE} and {@link #RUN} limits. */
    public Judge(Path tests) {
        this(tests, RUN);
    }

    public Judge(Path tests, Limits run) {
        this(tests, COMPILE, run);
    }

    public Judge(Path tests, Limits compile, Limits run) {
        this.tests = tests;
        this.compile = compile;
        this.run = run;
    }

    /** Compiles and runs one source file, printing a line per test. */
    public SubmissionResult judge(Path source) throws IOException, InterruptedException {
        String name = source.getFileName().toString();
        Language language =
                Language.of(source).orElseThrow(() -> new IllegalArgumentException("unknown language: " + source));
        language.unavailable().ifPresent(why -> {
            throw new IllegalStateException(language + " submissions cannot be judged here: " + why);
        });
        List<String> testNames = testNames();
        Path work = Files.createTempDirectory("jiso-judge");
        try {
            // The box is the sandboxes' only writable host directory; the judge's own 0700
            // directory around it keeps other host users out.
            Path box = Files.setPosixFilePermissions(
                    Files.createDirectory(work.resolve("box")), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.copy(source, box.resolve(language.sourceName));
            box.resolve(language.sourceName).toFile().setReadable(true, false);

            RunResult compiled = sandbox(language, language.compileCommand, compile)
                    .bind(box, "/box")
                    .rlimit(ResourceLimit.FSIZE, COMPILE_FILE_MAX, COMPILE_FILE_MAX)
                    .redirectErrorStream(true)
                    .run(new byte[0]);
            if (compiled.report().status() != RunStatus.OK) {
                String message = compiled.report().message() + ": " + head(compiled.stdout(), 400);
                System.out.println(name + " status:CE message:" + oneLine(message));
                return new SubmissionResult(name, language, Verdict.CE, message, List.of());
            }

            List<TestResult> results = new ArrayList<>();
            for (String test : testNames) {
                RunResult r = sandbox(language, language.runCommand, run)
                        .bindReadOnly(box, "/box")
                        .run(tests.resolve(test + ".in"));
                TestResult t = result(test, r, Files.readString(tests.resolve(test + ".out")), language);
                System.out.println(name + " " + metaLine(t));
                results.add(t);
                if (t.verdict() != Verdict.AC) {
                    break;
                }
            }
            return new SubmissionResult(name, language, results.getLast().verdict(), null, results);
        } finally {
            deleteTree(work);
        }
    }

    /** A sandbox with the judge's policy: strict seccomp, an /etc without the host's files, these limits. */
    private static IsolatedProcessBuilder sandbox(Language language, List<String> command, Limits limits) {
        IsolatedProcessBuilder b = new IsolatedProcessBuilder(command)
                .directory(new File("/box"))
                .seccomp(SeccompPolicy.strict())
                .etc(Etc.MINIMAL)
                .cpuTimeLimit(limits.cpu())
                .wallTimeLimit(limits.wall())
                .memoryMax(limits.memoryBytes())
                .swapMax(0)
                .pidsMax(limits.pids())
                .outputLimit(limits.outputBytes())
                .rlimit(ResourceLimit.STACK, limits.stackBytes(), limits.stackBytes());
        if (language == Language.JAVA) {
            b.bindReadOnly(Language.jdk(), Language.JDK_PATH);
        }
        return b;
    }

    static TestResult result(String test, RunResult r, String expected, Language language) {
        RunReport report = r.report();
        String output = new String(r.stdout(), StandardCharsets.UTF_8);
        Verdict verdict = switch (report.status()) {
            case OK -> sameAnswer(output, expected) ? Verdict.AC : Verdict.WA;
            // the JVM sizes its heap from the sandbox's memory limit (/sys/fs/cgroup): a full heap ends it first
            case RUNTIME_ERROR -> language == Language.JAVA && javaHeapExhausted(r) ? Verdict.MLE : Verdict.RE;
            case SIGNALED -> Verdict.RE;
            case CPU_TIME_EXCEEDED, WALL_TIME_EXCEEDED -> Verdict.TLE;
            case MEMORY_EXCEEDED -> Verdict.MLE;
            case OUTPUT_EXCEEDED -> Verdict.OLE;
        };
        return new TestResult(
                test,
                verdict,
                seconds(report.cpuTime()),
                seconds(report.wallTime()),
                report.memoryPeakBytes() >= 0 ? report.memoryPeakBytes() >> 10 : null,
                report.signal() == 0 ? report.exitCode() : null,
                report.signal() != 0 ? report.signal() : null,
                report.killedByJiso(),
                report.status() == RunStatus.OK ? null : report.message(),
                output.substring(0, Math.min(output.length(), 256)));
    }

    private static boolean javaHeapExhausted(RunResult r) {
        return new String(r.stderr(), StandardCharsets.UTF_8).contains("java.lang.OutOfMemoryError");
    }

    /**
     * Whether the output is the expected answer, line by line, token by token:
     * how much whitespace separates tokens, and blank lines at the end, do not matter.
     */
    static boolean sameAnswer(String output, String expected) {
        return tokens(output).equals(tokens(expected));
    }

    private static List<List<String>> tokens(String text) {
        List<List<String>> lines = new ArrayList<>(text.lines()
                .map(l -> l.isBlank() ? List.<String>of() : List.of(l.strip().split("\\s+")))
                .toList());
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    /** One test as isolate's meta file would say it, on one line. */
    static String metaLine(TestResult t) {
        StringBuilder s = new StringBuilder(t.test())
                .append(" status:")
                .append(t.verdict())
                .append(String.format(Locale.ROOT, " time:%.3f time-wall:%.3f", t.time(), t.timeWall()));
        if (t.cgMemKiB() != null) {
            s.append(" cg-mem:").append(t.cgMemKiB());
        }
        s.append(t.exitSignal() != null ? " exitsig:" + t.exitSignal() : " exitcode:" + t.exitCode());
        if (t.killed()) {
            s.append(" killed:1");
        }
        if (t.message() != null) {
            s.append(" message:").append(oneLine(t.message()));
        }
        return s.toString();
    }

    private List<String> testNames() throws IOException {
        List<String> names;
        try (Stream<Path> s = Files.list(tests)) {
            names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".in"))
                    .map(n -> n.substring(0, n.length() - 3))
                    .sorted()
                    .toList();
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no tests (NAME.in with NAME.out) in " + tests);
        }
        return names;
    }

    private static double seconds(Duration d) {
        return d.isNegative() ? -1 : d.toNanos() / 1e9;
    }

    private static String head(byte[] bytes, int max) {
        String s = new String(bytes, 0, Math.min(bytes.length, max), StandardCharsets.UTF_8);
        return bytes.length > max ? s + "..." : s;
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\n\\s*", " | ");
    }

    /** Deletes the work directory; links a sandbox planted in the box are deleted, not followed. */
    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * {@code Judge TESTS SUBMISSION...}: judges each submission (a source file,
     * or a directory of them) on the tests in TESTS, then prints a JSON summary.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Judge TESTS-DIR SUBMISSION-OR-DIR...");
            System.exit(2);
        }
        judgeAll(new Judge(Path.of(args[0])), Arrays.asList(args).subList(1, args.length));
    }

    /** What {@link #main} does after its usage check: judges the submissions, then prints the summary. */
    static void judgeAll(Judge judge, List<String> submissions) throws IOException, InterruptedException {
        List<SubmissionResult> results = new ArrayList<>();
        for (String arg : submissions) {
            List<Path> sources;
            try (Stream<Path> s =
                    Files.isDirectory(Path.of(arg)) ? Files.list(Path.of(arg)) : Stream.of(Path.of(arg))) {
                sources = s.filter(p -> Language.of(p).isPresent()).sorted().toList();
            }
            for (Path source : sources) {
                results.add(judge.judge(source));
            }
        }
        System.out.println(
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
    }
}
