package io.jiso.benchmarks;

import io.jiso.IsolatedProcessBuilder;
import io.jiso.Namespace;
import io.jiso.spawn.Launcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a spawn costs the whole machine, not only its caller: CPU time of
 * every CPU (user, system, interrupts, from /proc/stat) per spawn-to-exit of
 * /bin/true, back to back, next to the wall time. Work a spawn leaves to
 * kernel workers and background threads (a network namespace's creation and
 * teardown, a cgroup leaf's removal) does not show in a latency benchmark
 * until the CPUs are busy, and on a 2-vCPU machine they are.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.jiso.benchmarks.SpawnCpu [spawns]</pre>
 */
public final class SpawnCpu {
    private SpawnCpu() {}

    interface Spawn {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int spawns = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        ProcessBuilder plain = new ProcessBuilder("/bin/true").inheritIO();
        Map<String, Spawn> variants = new LinkedHashMap<>();
        variants.put("ProcessBuilder", () -> plain.start().waitFor());
        variants.put(
                "jiso, no isolation",
                start(isolated()
                        .share(Namespace.values())
                        .withoutCgroup()
                        .withoutSeccomp()
                        .runAsRoot()));
        variants.put(
                "jiso defaults - leaf - net ns",
                start(isolated().withoutCgroup().share(Namespace.NET)));
        variants.put("jiso defaults - leaf", start(isolated().withoutCgroup()));
        variants.put("jiso defaults", start(isolated()));
        variants.put("jiso defaults + memoryMax", start(isolated().memoryMax(256 << 20)));
        variants.put(
                "jiso defaults + memoryMax - cgroupfs",
                start(isolated().memoryMax(256 << 20).cgroupfs(false)));
        System.out.printf("%-32s %12s %18s %10s%n", "variant", "wall (us)", "machine CPU (us)", "CPU/wall");
        for (Map.Entry<String, Spawn> v : variants.entrySet()) {
            for (int i = 0; i < 300; i++) {
                v.getValue().run();
            }
            Launcher.awaitHousekeeping(10_000);
            Thread.sleep(500); // deferred kernel work of the warm-up
            long busy0 = busyTicks();
            long t0 = System.nanoTime();
            for (int i = 0; i < spawns; i++) {
                v.getValue().run();
            }
            Launcher.awaitHousekeeping(10_000);
            double wall = (System.nanoTime() - t0) / 1e3 / spawns;
            Thread.sleep(200); // let the kernel workers finish what these spawns left them
            double cpu = (busyTicks() - busy0) * 1e6 / TICKS_PER_SECOND / spawns;
            System.out.printf("%-32s %12.0f %18.0f %10.2f%n", v.getKey(), wall, cpu, cpu / wall);
        }
    }

    private static final long TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc/stat on Linux

    /** user + nice + system + irq + softirq ticks of all CPUs. */
    private static long busyTicks() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        return Long.parseLong(f[1])
                + Long.parseLong(f[2])
                + Long.parseLong(f[3])
                + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
    }

    private static Spawn start(IsolatedProcessBuilder b) {
        return () -> b.start().waitFor();
    }

    private static IsolatedProcessBuilder isolated() {
        return new IsolatedProcessBuilder("/bin/true").inheritIO();
    }
}
