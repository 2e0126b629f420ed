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
 * Spawn to exit of /bin/true: the JDK's ProcessBuilder, and jiso with no,
 * default, and default-minus-network isolation. Streams are inherited in every
 * variant, so no pipes are made and only the spawn itself is compared. Run it
 * at two heap sizes (see README): spawn cost must not grow with the heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpawnBenchmark {
    private final ProcessBuilder plain = new ProcessBuilder("/bin/true").inheritIO();
    private final IsolatedProcessBuilder unisolated = new IsolatedProcessBuilder("/bin/true").inheritIO()
            .share(Namespace.values());
    private final IsolatedProcessBuilder isolated = new IsolatedProcessBuilder("/bin/true").inheritIO();
    private final IsolatedProcessBuilder isolatedHostNetwork = new IsolatedProcessBuilder("/bin/true").inheritIO()
            .share(Namespace.NET);

    @Benchmark
    public int processBuilder() throws Exception {
        return plain.start().waitFor();
    }

    @Benchmark
    public int jisoNoIsolation() throws Exception {
        return unisolated.start().waitFor();
    }

    @Benchmark
    public int jisoDefaultIsolation() throws Exception {
        return isolated.start().waitFor();
    }

    @Benchmark
    public int jisoDefaultWithoutNetNamespace() throws Exception {
        return isolatedHostNetwork.start().waitFor();
    }
}
