package io.jiso.benchmarks;

import io.jiso.IsolatedProcess;
import io.jiso.IsolatedProcessBuilder;
import io.jiso.SeccompPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the default seccomp policy costs a program that makes many system
 * calls: a C loop (compiled here with gcc, bound into the sandbox) times
 * getppid, a 1-byte read of /dev/zero and a 4 KiB read of a file, in the same
 * sandbox without a filter, with one that allows everything, and with the
 * default policy, alternating, 7 rounds; prints medians and the ratios. The
 * allow-all column is what any seccomp filter costs, however it is written. Usage: java -cp benchmarks.jar io.jiso.benchmarks.SeccompOverhead
 */
public final class SeccompOverhead {
    private static final String LOOP = """
            #include <fcntl.h>
            #include <stdio.h>
            #include <time.h>
            #include <unistd.h>
            static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
            int main(void) {
                enum { N = 2000000 };
                char buf[4096];
                int zero = open("/dev/zero", O_RDONLY), file = open("/usr/bin/true", O_RDONLY);
                double t0 = now();
                for (int i = 0; i < N; i++) getppid();
                double t1 = now();
                for (int i = 0; i < N; i++) read(zero, buf, 1);
                double t2 = now();
                for (int i = 0; i < N; i++) pread(file, buf, sizeof buf, 0);
                double t3 = now();
                printf("%.1f %.1f %.1f\\n", (t1 - t0) / N, (t2 - t1) / N, (t3 - t2) / N);
                return 0;
            }
            """;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("jiso-seccomp-bench");
        try {
            // The sandboxed program runs as nobody: it must be able to enter the directory.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("loop.c"), LOOP);
            Process cc = new ProcessBuilder(
                            "gcc",
                            "-O2",
                            "-o",
                            dir.resolve("loop").toString(),
                            dir.resolve("loop.c").toString())
                    .inheritIO()
                    .start();
            if (cc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed");
            }
            SeccompPolicy allowAll = SeccompPolicy.builder(SeccompPolicy.Action.allow())
                    .unknownSyscalls(SeccompPolicy.Action.allow())
                    .build();
            List<double[]> with = new ArrayList<>();
            List<double[]> any = new ArrayList<>();
            List<double[]> without = new ArrayList<>();
            for (int round = 0; round < 7; round++) {
                with.add(run(dir, SeccompPolicy.defaultPolicy()));
                any.add(run(dir, allowAll));
                without.add(run(dir, null));
            }
            String[] names = {"getppid", "read 1 B of /dev/zero", "pread 4 KiB of a file"};
            System.out.printf(
                    "%-24s %10s %10s %10s %8s %8s%n",
                    "ns per call (median)", "no filter", "allow-all", "default", "all/no", "def/no");
            for (int i = 0; i < names.length; i++) {
                double a = median(without, i);
                double all = median(any, i);
                double b = median(with, i);
                System.out.printf("%-24s %10.1f %10.1f %10.1f %8.3f %8.3f%n", names[i], a, all, b, all / a, b / a);
            }
        } finally {
            for (String f : new String[] {"loop", "loop.c"}) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.delete(dir);
        }
    }

    private static double[] run(Path dir, SeccompPolicy policy) throws Exception {
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("/bench/loop").bindReadOnly(dir, "/bench");
        if (policy == null) {
            b.withoutSeccomp();
        } else {
            b.seccomp(policy);
        }
        IsolatedProcess p = b.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(
                    "loop failed: " + new String(p.getErrorStream().readAllBytes()));
        }
        return Arrays.stream(out.split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    private static double median(List<double[]> runs, int column) {
        double[] v = runs.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v[v.length / 2];
    }
}
