package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Measures (and prints) what a leaf costs: create + close of an empty leaf,
 * with and without three limits, per driver, and moving a process in.
 * Asserts nothing about speed (shared machines drift); the numbers are for
 * the README.
 */
@KernelTest
class CgroupCostTest {
    private static final int ROUNDS = CgroupTestSupport.SLOW > 1 ? 40 : 300;

    @BeforeEach
    void needsCgroupLeaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    interface Op {
        void run() throws Exception;
    }

    private static String measure(String what, Op op) throws Exception {
        for (int i = 0; i < ROUNDS / 5; i++) {
            op.run(); // warm up the JIT and the kernel's caches
        }
        long[] ns = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            op.run();
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        String line = String.format(
                "%-52s median %7.1f us  p90 %7.1f us  (n=%d)",
                what, ns[ROUNDS / 2] / 1e3, ns[ROUNDS * 9 / 10] / 1e3, ROUNDS);
        System.out.println("[cost] " + line);
        return line;
    }

    @Test
    void leafCreateAndRemove() throws Exception {
        Layout l = Cgroups.layout();
        CgroupLimits three = CgroupLimits.builder()
                .memoryMaxBytes(256 << 20)
                .pidsMax(64)
                .cpuMaxMicros(50_000, 100_000)
                .build();
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put(
                "leaf",
                measure(
                        "leaf, no limits (" + l.kind() + ")",
                        () -> Cgroups.create(CgroupLimits.none()).close()));
        ArrayDeque<CgroupLeaf> made = new ArrayDeque<>();
        rows.put("create", measure("  of which create()", () -> made.add(Cgroups.create(CgroupLimits.none()))));
        rows.put(
                "close",
                measure(
                        "  of which close() (usage reading + rmdir)",
                        () -> made.poll().close()));
        rows.put(
                "three",
                measure(
                        "leaf, memoryMax+pidsMax+cpuMax (" + l.kind() + ")",
                        () -> Cgroups.create(three).close()));
        if (l.v2Mount() != null) {
            Path jiso = (Files.isWritable(l.v2Mount()) ? l.v2Mount() : l.v2OwnDir()).resolve("jiso");
            rows.put(
                    "v2",
                    measure(
                            "v2 driver alone (" + (l.kind() == Layout.Kind.V2 ? "memory, pids, io" : "no controllers")
                                    + ")",
                            () -> {
                                CgroupV2 v2 = CgroupV2.create(
                                        jiso,
                                        "jiso-" + ProcessHandle.current().pid() + "-cost",
                                        EnumSet.noneOf(Controller.class),
                                        EnumSet.of(Controller.MEMORY, Controller.PIDS, Controller.IO),
                                        CgroupLimits.none());
                                v2.remove(0);
                            }));
        }
        if (!l.v1().isEmpty()) {
            Map<Layout.V1Hierarchy, Path> bases = new LinkedHashMap<>();
            for (Controller c : new Controller[] {Controller.MEMORY, Controller.PIDS, Controller.IO}) {
                Layout.V1Hierarchy h = l.v1For(c);
                if (h != null) {
                    bases.put(h, h.ownDir());
                }
            }
            rows.put("v1", measure("v1 driver alone (" + bases.size() + " hierarchies: memory, pids, blkio)", () -> {
                CgroupV1 v1 =
                        CgroupV1.create(bases, "jiso-" + ProcessHandle.current().pid() + "-cost");
                v1.remove(0);
            }));
        }
        try (CgroupLeaf leaf = Cgroups.create(three)) {
            rows.put("usage", measure("usage() of a leaf (close() takes one)", leaf::usage));
        }
        // placement of a running process: what the v1 parent write costs (v2 spawns use CLONE_INTO_CGROUP instead)
        try (CgroupLeaf a = Cgroups.create(CgroupLimits.none());
                CgroupLeaf b = Cgroups.create(CgroupLimits.none())) {
            Process p = CgroupTestSupport.startHeld("sleep", "1000");
            boolean[] flip = {false};
            rows.put("attach", measure("attach a running process (all hierarchies)", () -> {
                (flip[0] ? a : b).attach(p.pid());
                flip[0] = !flip[0];
            }));
            p.destroyForcibly().waitFor();
        }
        assertTrue(rows.size() >= 3);
    }
}
