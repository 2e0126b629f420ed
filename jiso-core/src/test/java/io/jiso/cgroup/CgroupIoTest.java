package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.read;
import static io.jiso.cgroup.CgroupTestSupport.startIn;
import static io.jiso.cgroup.CgroupTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.plan.FeatureUnavailable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** io.max on a loop device, io.weight, and hugetlb limits. */
@KernelTest
class CgroupIoTest {
    private static final long MIB = 1 << 20;

    @BeforeEach
    void needsCgroupLeaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    @Test
    void ioMaxThrottlesADirectReadToTheLimit() throws Exception {
        Path image = Files.createTempFile("jiso-io-", ".img");
        String loop = null;
        try {
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.write(new byte[(int) (8 * MIB)]); // real blocks, not a hole
            }
            loop = losetup(image);
            if (loop == null) {
                String why =
                        "no loop device can be set up here (losetup needs root and the loop driver; the pure-v2 guest boots without "
                                + "the loop module and has no other block device)";
                System.out.println("[io.max] SKIPPED: " + why);
                Assumptions.abort(why);
            }
            String[] majMin = read(Path.of("/sys/class/block/" + Path.of(loop).getFileName() + "/dev"))
                    .split(":");
            int major = Integer.parseInt(majMin[0]);
            int minor = Integer.parseInt(majMin[1]);
            String[] dd = {"dd", "if=" + loop, "of=/dev/null", "bs=256k", "count=16", "iflag=direct"};

            long free = time(() -> assertEquals(0, waitFor(new ProcessBuilder(dd).start(), 60)));
            long rate = 2 * MIB;
            CgroupLimits limits = CgroupLimits.builder()
                    .ioMax(major, minor, rate, CgroupLimits.UNLIMITED, CgroupLimits.UNLIMITED, CgroupLimits.UNLIMITED)
                    .build();
            try (CgroupLeaf leaf = Cgroups.create(limits)) {
                long limited = time(() -> assertEquals(0, waitFor(startIn(leaf, dd), 60)));
                LeafUsage.Io io = leaf.usage().io().get(major + ":" + minor);
                System.out.printf(
                        "[io.max] 4 MiB direct read of %s: %d ms free, %d ms at 2 MiB/s; accounted %s%n",
                        loop, free / 1_000_000, limited / 1_000_000, io);
                // 4 MiB at 2 MiB/s: about 2 s (blk-throttle may let the first slice through at once)
                assertTrue(limited >= 1_400_000_000L, "throttled: " + limited / 1_000_000 + " ms");
                assertTrue(limited <= 6_000_000_000L, "but not stalled: " + limited / 1_000_000 + " ms");
                assertTrue(
                        io != null && io.readBytes() >= 4 * MIB && io.readOps() >= 16, "accounted per device: " + io);
            }
        } finally {
            if (loop != null) {
                new ProcessBuilder("losetup", "-d", loop).inheritIO().start().waitFor();
            }
            Files.deleteIfExists(image);
        }
    }

    private static String losetup(Path image) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("losetup", "-f", "--show", image.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String dev = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 && dev.startsWith("/dev/loop") ? dev : null;
        } catch (IOException e) {
            return null;
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static long time(Work w) throws Exception {
        long t0 = System.nanoTime();
        w.run();
        return System.nanoTime() - t0;
    }

    @Test
    void ioWeightIsWritten() throws Exception {
        try (CgroupLeaf leaf =
                Cgroups.create(CgroupLimits.builder().ioWeight(500).build())) {
            Path d = leaf.dirFor(Controller.IO);
            if (CgroupTestSupport.onV2(Controller.IO)) {
                String w = Files.exists(d.resolve("io.weight"))
                        ? read(d.resolve("io.weight"))
                        : read(d.resolve("io.bfq.weight"));
                assertTrue(w.contains("500"), w);
            } else {
                Path f = Files.exists(d.resolve("blkio.bfq.weight"))
                        ? d.resolve("blkio.bfq.weight")
                        : d.resolve("blkio.weight");
                assertEquals(
                        Long.toString(10 + 499L * 990 / 9999),
                        read(f).lines().reduce((a, b) -> b).orElseThrow().replaceAll(".*\\s", ""));
            }
        } catch (FeatureUnavailable e) {
            // neither iocost nor BFQ: refusing is right, but it must say which field
            assertTrue(e.getMessage().contains("ioWeight"), e.getMessage());
        }
    }

    @Test
    void hugetlbLimitIsWrittenOrRefusedWithTheReason() throws Exception {
        Assumptions.assumeTrue(
                Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB")),
                "no 2 MB huge pages on this CPU");
        CgroupLimits limits =
                CgroupLimits.builder().hugetlbMaxBytes("2MB", 4 * MIB).build();
        Layout l = Cgroups.layout();
        Layout.V1Hierarchy v1 = l.v1For(Controller.HUGETLB);
        Path base = v1 != null ? v1.ownDir() : Files.isWritable(l.v2Mount()) ? l.v2Mount() : l.v2OwnDir();
        String parentSubtree = v1 != null ? "" : read(base.resolve("cgroup.subtree_control"));
        if (v1 != null || parentSubtree.contains("hugetlb")) {
            try (CgroupLeaf leaf = Cgroups.create(limits)) {
                Path d = leaf.dirFor(Controller.HUGETLB);
                String file = v1 != null ? "hugetlb.2MB.limit_in_bytes" : "hugetlb.2MB.max";
                assertEquals(Long.toString(4 * MIB), read(d.resolve(file)));
            }
        } else {
            // this machine: hugetlb is in the v2 tree, but its root does not enable it for children
            FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> Cgroups.create(limits));
            System.out.println("[hugetlb] " + e.getMessage());
            assertTrue(
                    e.getMessage().contains("hugetlb")
                            && e.getMessage().contains("hugetlbMax")
                            && e.getMessage().contains("cgroup.subtree_control"),
                    e.getMessage());
        }
    }
}
