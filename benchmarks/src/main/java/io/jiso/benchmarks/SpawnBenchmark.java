package io.jiso.benchmarks;

import io.jiso.IsolatedProcessBuilder;
import io.jiso.Namespace;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Spawn to exit of /bin/true: the JDK's ProcessBuilder against jiso, from no
 * isolation to full defaults, and what each part adds. Streams are inherited
 * in every variant, so no pipes are made and only the spawn is compared. Run
 * it at two heap sizes (see README): spawn cost must not grow with the heap.
 * The mean carries the kernel's deferred work (namespace and mount teardown,
 * RCU) that lands on later spawns on a 2-core machine; the median shows the
 * spawn itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime) // the median and the tail, not only the mean
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpawnBenchmark {
    private final ProcessBuilder plain = new ProcessBuilder("/bin/true").inheritIO();

    /** The host's namespaces, no leaf, no filter, as root: a plain spawn through jiso. */
    private final IsolatedProcessBuilder noIsolation = isolated()
            .share(Namespace.values())
            .withoutCgroup()
            .withoutSeccomp()
            .runAsRoot();
    /** Everything jiso does by default: namespaces, fresh root, cgroup leaf, nobody, no capabilities, seccomp. */
    private final IsolatedProcessBuilder defaults = isolated();

    private final IsolatedProcessBuilder defaultsHostNetwork = isolated().share(Namespace.NET);
    private final IsolatedProcessBuilder defaultsWithoutCgroup = isolated().withoutCgroup();
    private final IsolatedProcessBuilder defaultsWithoutSeccomp = isolated().withoutSeccomp();
    private final IsolatedProcessBuilder defaultsAndThreeLimits =
            isolated().memoryMax(256L << 20).pidsMax(64).cpuMax(50_000, 100_000);

    private static IsolatedProcessBuilder isolated() {
        return new IsolatedProcessBuilder("/bin/true").inheritIO();
    }

    @Benchmark
    public int processBuilder() throws Exception {
        return plain.start().waitFor();
    }

    @Benchmark
    public int jisoNoIsolation() throws Exception {
        return noIsolation.start().waitFor();
    }

    @Benchmark
    public int jisoDefaults() throws Exception {
        return defaults.start().waitFor();
    }

    @Benchmark
    public int jisoDefaultsWithoutNetNamespace() throws Exception {
        return defaultsHostNetwork.start().waitFor();
    }

    @Benchmark
    public int jisoDefaultsWithoutCgroupLeaf() throws Exception {
        return defaultsWithoutCgroup.start().waitFor();
    }

    @Benchmark
    public int jisoDefaultsWithoutSeccomp() throws Exception {
        return defaultsWithoutSeccomp.start().waitFor();
    }

    @Benchmark
    public int jisoDefaultsAndThreeLimits() throws Exception {
        return defaultsAndThreeLimits.start().waitFor();
    }
}
