package io.jiso.benchmarks;

import io.jiso.IsolatedProcessBuilder;
import io.jiso.RunReport;
import io.jiso.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * How far past a limit a judged run gets before jiso-init has killed it:
 * CPU time used beyond a 1 s cpuTimeLimit with 1, 2 and 8 busy threads, and
 * wall time beyond a 500 ms wallTimeLimit, p50/p99/max over the runs; the
 * "JVM stopped" variants stop this whole JVM for 2 s (SIGSTOP, then SIGCONT
 * from a helper process: a stand-in for a 2 s GC pause) while the sandbox
 * runs. Overshoot is what the kernel accounted (the leaf's final CPU time)
 * or what jiso-init measured (wall time), minus the limit. The busy program
 * is C, built with cc at start. Prints the load average before and after:
 * the figures mean little on a machine that is busy with other work.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.jiso.benchmarks.LimitPrecision [runs]</pre>
 */
public final class LimitPrecision {
    private LimitPrecision() {}

    private static final Duration CPU_LIMIT = Duration.ofSeconds(1);
    private static final Duration WALL_LIMIT = Duration.ofMillis(500);
    private static final String BUSY_C = """
            #include <pthread.h>
            #include <stdlib.h>
            static void *spin(void *a) { for (volatile unsigned long i = 0;; i++) ; return a; }
            int main(int argc, char **argv) {
                int n = atoi(argv[1]);
                pthread_t t;
                for (int i = 1; i < n; i++) pthread_create(&t, 0, spin, 0);
                spin(0);
            }
            """;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path dir = compileBusy();
        try {
            Map<String, Supplier<IsolatedProcessBuilder>> variants = new LinkedHashMap<>();
            for (int threads : new int[] {1, 2, 8}) {
                variants.put(
                        "CPU 1 s, " + threads + " thread" + (threads == 1 ? "" : "s"),
                        () -> new IsolatedProcessBuilder("/bench/busy", Integer.toString(threads))
                                .bindReadOnly(dir, "/bench")
                                .cpuTimeLimit(CPU_LIMIT));
            }
            variants.put("wall 500 ms", () -> new IsolatedProcessBuilder("sleep", "30").wallTimeLimit(WALL_LIMIT));
            System.out.println("load average before: "
                    + Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.println("runs per variant: " + runs);
            System.out.println("| variant | p50 | p99 | max | (overshoot, ms) |");
            System.out.println("|---|---|---|---|---|");
            for (var v : variants.entrySet()) {
                boolean cpu = v.getKey().startsWith("CPU");
                report(v.getKey(), measure(v.getValue(), runs, cpu, false));
                if (v.getKey().equals("CPU 1 s, 1 thread") || !cpu) {
                    report(v.getKey() + ", JVM stopped 2 s", measure(v.getValue(), Math.max(1, runs / 5), cpu, true));
                }
            }
            System.out.println("load average after: "
                    + Files.readString(Path.of("/proc/loadavg")).strip());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double[] measure(Supplier<IsolatedProcessBuilder> builder, int runs, boolean cpu, boolean stopJvm)
            throws Exception {
        double[] overshoot = new double[runs];
        for (int i = 0; i < runs; i++) {
            var p = builder.get().start();
            if (stopJvm) {
                stopThisJvm(Duration.ofSeconds(2));
            }
            RunReport r = p.report();
            RunStatus expected = cpu ? RunStatus.CPU_TIME_EXCEEDED : RunStatus.WALL_TIME_EXCEEDED;
            if (r.status() != expected || !r.killedByJiso()) {
                throw new IllegalStateException("run " + i + ": " + r);
            }
            Duration over = cpu ? r.cpuTime().minus(CPU_LIMIT) : r.wallTime().minus(WALL_LIMIT);
            overshoot[i] = over.toNanos() / 1e6;
            if (overshoot[i] > 20) {
                System.out.printf(Locale.ROOT, "  (run %d: %.2f ms over: %s)%n", i, overshoot[i], r.message());
            }
        }
        return overshoot;
    }

    private static void stopThisJvm(Duration pause) throws Exception {
        long jvm = ProcessHandle.current().pid();
        new ProcessBuilder(
                        "sh",
                        "-c",
                        "kill -STOP " + jvm + "; sleep " + pause.toMillis() / 1000.0 + "; kill -CONT " + jvm)
                .start()
                .waitFor();
    }

    private static void report(String name, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf(
                Locale.ROOT,
                "| %s (%d runs) | %.2f | %.2f | %.2f | |%n",
                name,
                s.length,
                pct(s, 0.50),
                pct(s, 0.99),
                s[s.length - 1]);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static Path compileBusy() throws Exception {
        Path dir = Files.createTempDirectory("jiso-bench");
        Files.writeString(dir.resolve("busy.c"), BUSY_C);
        Process cc = new ProcessBuilder(
                        "cc",
                        "-O1",
                        "-pthread",
                        "-o",
                        dir.resolve("busy").toString(),
                        dir.resolve("busy.c").toString())
                .inheritIO()
                .start();
        if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
            throw new IllegalStateException("cc failed");
        }
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        return dir;
    }
}
