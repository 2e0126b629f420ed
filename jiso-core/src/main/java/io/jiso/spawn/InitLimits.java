package io.jiso.spawn;

import io.jiso.cgroup.CgroupLeaf;
import io.jiso.cgroup.CgroupLimits;
import io.jiso.limits.RunLimits;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits jiso-init enforces for one spawn (see init_limits.h): the fds it
 * needs (the leaf's CPU counter, the output relay's pipes), opened by the JVM
 * before the spawn and inherited, and the arguments that name them. The JVM's
 * copies are closed after the spawn.
 */
final class InitLimits implements AutoCloseable {
    private final List<String> arguments = new ArrayList<>();
    private final List<Integer> keepOpen = new ArrayList<>();
    private final List<Integer> owned = new ArrayList<>();
    private int mainOut = -1;
    private int mainErr = -1;

    /**
     * outDest and errDest are where the main process's stdout and stderr
     * would go (-1: the JVM's own 1 and 2); with an output limit they go to
     * the relay instead, and init writes to them.
     */
    static InitLimits open(SandboxSpec spec, CgroupLeaf leaf, int outDest, int errDest) throws IOException {
        InitLimits l = new InitLimits();
        try {
            RunLimits limits = spec.runLimits();
            if (limits.cpuTime() != null) {
                CgroupLeaf.CpuCounter counter = leaf == null ? null : leaf.openCpuCounter();
                if (counter == null) {
                    throw new FeatureUnavailable(
                            "enforce cpuTimeLimit",
                            0,
                            "",
                            "jiso-init reads the leaf's"
                                    + " CPU counter, cpu.stat on cgroup v2 or cpuacct.usage on v1, and this host has neither");
                }
                l.owned.add(counter.fd());
                l.keepOpen.add(counter.fd());
                l.arguments.add("c=" + counter.fd() + "," + counter.kind() + "," + micros(limits.cpuTime()) + ","
                        + cpus(spec.cgroup()));
            }
            if (limits.wallTime() != null) {
                l.arguments.add("w=" + micros(limits.wallTime()));
            }
            if ((limits.cpuTime() != null || limits.wallTime() != null) && leaf != null && leaf.realtimeHarmless()) {
                l.arguments.add("f=1"); // init may make itself SCHED_FIFO
            }
            if (limits.outputBytes() >= 0) {
                StringBuilder arg = new StringBuilder("o=").append(limits.outputBytes());
                l.mainOut = l.relay(arg, outDest < 0 ? 1 : outDest);
                l.mainErr = spec.mergeErrors() ? l.mainOut : l.relay(arg, errDest < 0 ? 2 : errDest);
                l.arguments.add(arg.toString());
            }
            return l;
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    /** A relay pipe: its write end becomes the main process's fd, its read end and dest init's. */
    private int relay(StringBuilder arg, int dest) throws IOException {
        int[] p = Sys.pipe2(Errno.O_CLOEXEC);
        owned.add(p[0]);
        owned.add(p[1]);
        keepOpen.add(p[0]);
        keepOpen.add(dest);
        arg.append(',').append(p[0]).append(',').append(dest);
        return p[1];
    }

    private static long micros(Duration d) {
        return Math.max(0, d.toNanos() / 1000);
    }

    /**
     * The CPUs the sandbox can keep busy at once: the JVM's (whose affinity
     * and cpuset it inherits), fewer with cpusetCpus or a cpuMax quota.
     */
    static int cpus(CgroupLimits limits) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (limits != null && limits.cpusetCpus().isPresent()) {
            cpus = Math.min(cpus, countCpus(limits.cpusetCpus().get()));
        }
        if (limits != null && limits.cpuQuotaMicros().isPresent()) {
            long quota = limits.cpuQuotaMicros().getAsLong();
            long period = limits.cpuPeriodMicros().getAsLong();
            cpus = (int) Math.min(cpus, Math.max(1, (quota + period - 1) / period));
        }
        return Math.max(1, cpus);
    }

    private static int countCpus(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String[] range = part.strip().split("-");
            n += range.length == 1 ? 1 : Integer.parseInt(range[1].strip()) - Integer.parseInt(range[0].strip()) + 1;
        }
        return Math.max(1, n);
    }

    List<String> arguments() {
        return arguments;
    }

    /** The fds init must keep across its execve. */
    List<Integer> keepOpen() {
        return keepOpen;
    }

    /** The main process's stdout with an output limit (the relay), else -1. */
    int mainOut() {
        return mainOut;
    }

    int mainErr() {
        return mainErr;
    }

    @Override
    public void close() {
        owned.forEach(Sys::close);
        owned.clear();
    }
}
