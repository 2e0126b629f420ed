package io.jiso.limits;

import io.jiso.capability.HeldCapabilities;
import io.jiso.capability.KernelCapability;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.sys.Sys;
import io.jiso.user.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The resource limits a sandbox's main process gets: those the caller set,
 * the documented defaults for the others ({@link RlimitResource#defaultSoft()}),
 * and RLIMIT_CPU as a per-process backstop of a CPU time limit.
 */
public final class Rlimits {
    private Rlimits() {}

    /** The kernel's ceiling of RLIMIT_NOFILE (fs.nr_open); Integer.MAX_VALUE if it cannot be read. */
    public static long nrOpen() {
        try {
            // one read: a sysctl file read in small pieces (as Files.readString does) gives its first byte only
            return Long.parseLong(Sys.readFile("/proc/sys/fs/nr_open").strip());
        } catch (IOException | NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * Every limit's value. Raising a hard limit above the JVM's own needs
     * CAP_SYS_RESOURCE in the host's user namespace (a sandbox's own user
     * namespace does not give it): a JVM without it ({@code jvmMayRaise}
     * false) gets the defaults lowered to its hard limits
     * ({@code jvmHardLimits}), and a value set above them refused here.
     */
    public static Map<RlimitResource, RunLimits.Rlimit> effective(
            Map<RlimitResource, RunLimits.Rlimit> explicit,
            Duration cpuTime,
            boolean newUserNamespace,
            boolean jvmMayRaise,
            Map<RlimitResource, Long> jvmHardLimits)
            throws FeatureUnavailable {
        Map<RlimitResource, RunLimits.Rlimit> all = new EnumMap<>(RlimitResource.class);
        boolean canRaise = !newUserNamespace && jvmMayRaise;
        Map<RlimitResource, Long> ceilings = canRaise ? Map.of() : jvmHardLimits;
        for (Map.Entry<RlimitResource, RunLimits.Rlimit> e : explicit.entrySet()) {
            Long ceiling = ceilings.get(e.getKey());
            long hard = e.getValue().hard();
            if (ceiling != null
                    && ceiling != RlimitResource.UNLIMITED
                    && (hard == RlimitResource.UNLIMITED || hard > ceiling)) {
                throw new FeatureUnavailable(
                        "set RLIMIT_" + e.getKey() + " to a hard limit of "
                                + (hard == RlimitResource.UNLIMITED ? "unlimited" : hard),
                        0,
                        "",
                        "the JVM's own is " + ceiling
                                + ", and raising it needs CAP_SYS_RESOURCE in the host's user namespace, which the JVM lacks");
            }
        }
        for (RlimitResource r : RlimitResource.values()) {
            RunLimits.Rlimit value = explicit.get(r);
            if (value == null && r == RlimitResource.CPU && cpuTime != null) {
                // SIGXCPU one second after the limit, SIGKILL a second later: should the sandbox-wide
                // enforcement fail, no single process runs on. Whole seconds, as the kernel counts.
                long seconds = (cpuTime.toNanos() + 999_999_999L) / 1_000_000_000L + 1;
                value = clamp(new RunLimits.Rlimit(seconds, seconds + 1), ceilings.get(r));
            }
            if (value == null) {
                value = clamp(new RunLimits.Rlimit(r.defaultSoft(), r.defaultHard()), ceilings.get(r));
            }
            all.put(r, value);
        }
        return all;
    }

    /** Whether this JVM may raise a hard limit above its own: root with CAP_SYS_RESOURCE. */
    public static boolean jvmMayRaise() {
        return Rootless.jvmIsRoot() && HeldCapabilities.held(KernelCapability.CAP_SYS_RESOURCE);
    }

    /** This JVM's own hard limits (empty if /proc/self/limits cannot be read). */
    public static Map<RlimitResource, Long> jvmHardLimits() {
        return JvmHardLimits.VALUES;
    }

    private static RunLimits.Rlimit clamp(RunLimits.Rlimit r, Long ceiling) {
        if (ceiling == null || ceiling == RlimitResource.UNLIMITED) {
            return r;
        }
        long hard = r.hard() == RlimitResource.UNLIMITED ? ceiling : Math.min(r.hard(), ceiling);
        long soft = r.soft() == RlimitResource.UNLIMITED ? hard : Math.min(r.soft(), hard);
        return new RunLimits.Rlimit(soft, hard);
    }

    /** The JVM's own hard limits, from /proc/self/limits (one line per RLIMIT_* number, in order). */
    private static final class JvmHardLimits {
        static final Map<RlimitResource, Long> VALUES = read();

        private static Map<RlimitResource, Long> read() {
            Map<RlimitResource, Long> m = new EnumMap<>(RlimitResource.class);
            try {
                List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"));
                for (RlimitResource r : RlimitResource.values()) {
                    String line = lines.get(1 + r.kernelNumber()); // after the header
                    String[] cols = line.substring(26).trim().split("\\s+");
                    m.put(r, cols[1].equals("unlimited") ? RlimitResource.UNLIMITED : Long.parseLong(cols[1]));
                }
            } catch (IOException | RuntimeException e) {
                return Map.of(); // unknown: the spawn reports any refused value
            }
            return m;
        }
    }
}
