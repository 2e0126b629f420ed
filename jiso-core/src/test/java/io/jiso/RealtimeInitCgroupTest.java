package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * jiso-init watches a time limit as a real-time task (SCHED_FIFO) where it
 * may: as root, on a host whose cpu controller is v1's, or on cgroup v2 when
 * the kernel has no RT group scheduling (with it, the kernel refuses a
 * real-time task in a leaf with the cpu controller, and init stays a fair
 * task); the program stays a fair task. Read from /proc.
 */
@KernelTest
class RealtimeInitCgroupTest {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;

    @Test
    void initWatchesATimeLimitAsARealTimeTaskWhereItMay() throws Exception {
        Privileges.assumeRoot("SCHED_FIFO needs CAP_SYS_NICE in the host's user namespace");
        Privileges.assumeCgroupLeaves();
        Boolean rtGroups = cpuIsV1() ? Boolean.FALSE : rtGroupScheduling();
        IsolatedProcess p = new IsolatedProcessBuilder("sleep", "30")
                .wallTimeLimit(Duration.ofSeconds(20))
                .start();
        try {
            long init = p.pid(); // the JVM's child is the sandbox's PID 1
            int expected = Boolean.TRUE.equals(rtGroups) ? SCHED_OTHER : SCHED_FIFO;
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (field(init, 41) != expected && System.nanoTime() < until) {
                Thread.sleep(10); // start() may return before init has set up its timer
            }
            int policy = (int) field(init, 41);
            Assumptions.assumeTrue(
                    rtGroups != null || policy == SCHED_FIFO,
                    "jiso-init stayed a fair task on cgroup v2, and neither /proc/config.gz nor /boot/config-*"
                            + " tells whether the kernel has RT group scheduling (which would refuse it)");
            assertEquals(expected, policy, "policy of jiso-init, pid " + init);
            Path children = Path.of("/proc/" + init + "/task/" + init + "/children");
            if (Files.isReadable(children)) {
                long program = Long.parseLong(Files.readString(children).strip().split(" ")[0]);
                assertEquals(SCHED_OTHER, (int) field(program, 41), "policy of the program, pid " + program);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** Field n (1-based, as in proc(5)) of /proc/pid/stat, after the command's parentheses. */
    private static long field(long pid, int n) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(after[n - 3]);
    }

    /** Whether this JVM's cpu controller is in a v1 hierarchy (hybrid or v1 host). */
    private static boolean cpuIsV1() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && !parts[1].isEmpty()) {
                for (String c : parts[1].split(",")) {
                    if (c.equals("cpu")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** From the kernel's configuration (/proc/config.gz or /boot/config-RELEASE), null if neither can be read. */
    private static Boolean rtGroupScheduling() throws IOException {
        Path gz = Path.of("/proc/config.gz");
        Path boot = Path.of("/boot/config-"
                + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        String text;
        if (Files.isReadable(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                text = out.toString(StandardCharsets.UTF_8);
            }
        } else if (Files.isReadable(boot)) {
            text = Files.readString(boot);
        } else {
            return null;
        }
        if (!text.contains("\nCONFIG_RT_GROUP_SCHED=y")) {
            return false;
        }
        if (!text.contains("\nCONFIG_RT_GROUP_SCHED_DEFAULT_DISABLED=y")) {
            return true;
        }
        return Files.readString(Path.of("/proc/cmdline")).contains("rt_group_sched=1");
    }
}
