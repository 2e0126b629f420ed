package io.jiso.benchmarks;

import io.jiso.IsolatedProcessBuilder;
import io.jiso.JisoRuntime;
import io.jiso.Namespace;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What each part of the default isolation costs: spawn-to-exit medians of
 * /bin/true with one part taken away at a time, the variants interleaved
 * round by round so that a noisy neighbour hits them all alike. A guide for
 * optimisation, not a benchmark to quote (use SpawnBenchmark for that).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.jiso.benchmarks.SpawnBreakdown [rounds]</pre>
 */
public final class SpawnBreakdown {
    private SpawnBreakdown() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Map<String, Supplier<IsolatedProcessBuilder>> variants = new LinkedHashMap<>();
        variants.put("defaults", () -> isolated());
        variants.put("- cgroup leaf", () -> isolated().withoutCgroup());
        variants.put("memoryMax", () -> isolated().memoryMax(256 << 20));
        variants.put(
                "memoryMax - cgroupfs", () -> isolated().memoryMax(256 << 20).cgroupfs(false));
        variants.put("defaults + cgroupfs", () -> isolated().cgroupfs(true));
        variants.put("- leaf - pid ns", () -> isolated().withoutCgroup().share(Namespace.PID));
        variants.put("- leaf - ipc ns", () -> isolated().withoutCgroup().share(Namespace.IPC));
        variants.put("- leaf - uts ns", () -> isolated().withoutCgroup().share(Namespace.UTS));
        variants.put("- leaf - cgroup ns", () -> isolated().withoutCgroup().share(Namespace.CGROUP));
        variants.put("- leaf - net ns", () -> isolated().withoutCgroup().share(Namespace.NET));
        variants.put("- leaf - fresh root", () -> isolated().withoutCgroup().hostRoot());
        variants.put("- leaf - seccomp", () -> isolated().withoutCgroup().withoutSeccomp());
        variants.put(
                "no isolation",
                () -> isolated()
                        .share(Namespace.values())
                        .withoutCgroup()
                        .withoutSeccomp()
                        .runAsRoot());
        Map<String, IsolatedProcessBuilder> builders = new LinkedHashMap<>();
        variants.forEach((k, v) -> builders.put(k, v.get()));
        JisoRuntime fromHost = JisoRuntime.builder().rootTemplates(false).build();
        builders.put(
                "- leaf, root from host",
                new IsolatedProcessBuilder(fromHost, "/bin/true").inheritIO().withoutCgroup());
        ProcessBuilder plain = new ProcessBuilder("/bin/true").inheritIO();
        Map<String, long[]> samples = new LinkedHashMap<>();
        samples.put("ProcessBuilder", new long[rounds]);
        builders.keySet().forEach(k -> samples.put(k, new long[rounds]));
        for (int warm = 0; warm < 50; warm++) {
            plain.start().waitFor();
            for (IsolatedProcessBuilder b : builders.values()) {
                b.start().waitFor();
            }
        }
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            plain.start().waitFor();
            samples.get("ProcessBuilder")[r] = System.nanoTime() - t;
            for (Map.Entry<String, IsolatedProcessBuilder> e : builders.entrySet()) {
                t = System.nanoTime();
                e.getValue().start().waitFor();
                samples.get(e.getKey())[r] = System.nanoTime() - t;
            }
        }
        fromHost.close();
        double base = median(samples.get("ProcessBuilder"));
        System.out.printf("%-22s %10s %8s%n", "variant", "p50 (us)", "x PB");
        samples.forEach((k, v) -> System.out.printf("%-22s %10.0f %8.2f%n", k, median(v) / 1e3, median(v) / base));
    }

    private static IsolatedProcessBuilder isolated() {
        return new IsolatedProcessBuilder("/bin/true").inheritIO();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
