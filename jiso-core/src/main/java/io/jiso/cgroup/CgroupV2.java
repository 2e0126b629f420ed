package io.jiso.cgroup;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A leaf in the v2 tree: BASE/jiso/NAME. It carries the limits of the
 * controllers that live in v2, and offers what every v2 cgroup has without a
 * controller: CLONE_INTO_CGROUP, cgroup.kill, cgroup.freeze, cgroup.events,
 * cpu.stat and PSI. On a hybrid host that is all it does.
 */
final class CgroupV2 implements Cgroup {
    private final Path dir;
    private final Set<String> enabled;
    /** Whether v2 offers the cpu controller to jiso's directory (read when the leaf was made). */
    private final boolean cpuOffered;

    private final FrozenPart frozen;
    private int dirFd;

    /** A leaf made by {@link #create}; package-private so that tests read usage from a temporary directory. */
    CgroupV2(Path dir, Set<String> enabled, boolean cpuOffered, int dirFd) {
        this.dir = dir;
        this.enabled = enabled;
        this.cpuOffered = cpuOffered;
        this.dirFd = dirFd;
        this.frozen = new FrozenPart(dir);
    }

    /**
     * Creates BASE/jiso if needed and the leaf below it. Controllers in
     * {@code required} (limits were asked for) must be enabled in jiso's
     * cgroup.subtree_control, else FeatureUnavailable; those in
     * {@code wanted} (accounting) are enabled when BASE offers them. Only
     * jiso's subtree_control is ever written, never BASE's: BASE is not ours.
     * jiso itself never holds a process (no-internal-processes rule).
     */
    static CgroupV2 create(
            Path jiso, String name, Set<Controller> required, Set<Controller> wanted, CgroupLimits limits)
            throws SetupFailure {
        CgroupFs.mkdir(jiso);
        Set<String> available = words(CgroupFs.read(jiso.resolve("cgroup.controllers")));
        Set<String> active = words(CgroupFs.read(jiso.resolve("cgroup.subtree_control")));
        for (Controller c : required) {
            if (!available.contains(c.v2Name)) {
                throw new FeatureUnavailable(
                        "use cgroup v2 controller " + c.v2Name + " for " + limits.fieldsUsing(c),
                        0,
                        "",
                        whyMissing(jiso.getParent(), c.v2Name));
            }
        }
        Set<Controller> toEnable = EnumSet.noneOf(Controller.class);
        toEnable.addAll(required);
        for (Controller c : wanted) {
            if (available.contains(c.v2Name)) {
                toEnable.add(c);
            }
        }
        for (Controller c : toEnable) {
            if (!active.contains(c.v2Name)) {
                try {
                    CgroupFs.write(jiso.resolve("cgroup.subtree_control"), "+" + c.v2Name);
                } catch (HostSetupFailure e) {
                    if (required.contains(c)) {
                        throw new FeatureUnavailable(
                                "enable " + c.v2Name + " in " + jiso.resolve("cgroup.subtree_control") + " for "
                                        + limits.fieldsUsing(c),
                                e.errno(),
                                e.errnoName(),
                                "the kernel refused it");
                    }
                    // accounting only: the leaf goes without, and its numbers say unknown
                }
            }
        }
        Path dir = jiso.resolve(name);
        CgroupFs.mkdirNew(dir);
        int fd = -1;
        try {
            // O_RDONLY, not O_PATH: clone3 takes the fd through fdget(), which refuses O_PATH files.
            fd = Sys.open(dir.toString(), Errno.O_RDONLY | Errno.O_DIRECTORY | Errno.O_CLOEXEC, 0);
            return new CgroupV2(
                    dir, words(CgroupFs.read(dir.resolve("cgroup.controllers"))), available.contains("cpu"), fd);
        } catch (HostSetupFailure e) {
            Sys.close(fd);
            CgroupFs.rmdir(dir, 0);
            throw e;
        }
    }

    /**
     * Whether a real-time task in the leaf leaves the tree as it is. With RT
     * group scheduling, the kernel refuses to enable the cpu controller above
     * a real-time task outside the root cgroup. That cannot happen when v2
     * offers no cpu controller to jiso's directory (a hybrid host schedules by
     * v1), nor when the leaf has it (the kernel then refuses the real-time
     * task itself, or has no RT group scheduling).
     */
    boolean realtimeHarmless() {
        return enabled.contains("cpu") || !cpuOffered;
    }

    /** Why a controller is not available below BASE, in words for the exception. */
    private static String whyMissing(Path base, String controller) throws HostSetupFailure {
        Set<String> offered = words(CgroupFs.readIfExists(base.resolve("cgroup.controllers")));
        if (!offered.contains(controller)) {
            return base + " does not have it (its cgroup.controllers lacks " + controller
                    + ": the kernel does not offer it here, or the cgroup above does not delegate it)";
        }
        boolean isRoot = !CgroupFs.exists(base.resolve("cgroup.events"));
        boolean hasProcesses = !CgroupFs.pids(base.resolve("cgroup.procs")).isEmpty();
        return "it is not enabled in " + base.resolve("cgroup.subtree_control")
                + ", and jiso does not write to cgroups it did not create"
                + (!isRoot && hasProcesses
                        ? "; nor could it be enabled there while processes live in " + base
                                + " (no-internal-processes rule: move them into a child cgroup first)"
                        : "")
                + "; enable it there, or give jiso a parent cgroup that delegates it (-D" + Cgroups.PARENT_PROPERTY
                + ")";
    }

    private static Set<String> words(String s) {
        return s == null || s.isBlank()
                ? Set.of()
                : new HashSet<>(Arrays.asList(s.strip().split("\\s+")));
    }

    /** The O_DIRECTORY fd for clone3's CLONE_INTO_CGROUP. */
    int fd() {
        return dirFd;
    }

    Path dir() {
        return dir;
    }

    boolean has(Controller c) {
        return enabled.contains(c.v2Name);
    }

    @Override
    public void apply(CgroupLimits l) throws SetupFailure {
        apply(l, dir, enabled, LeafFiles.KERNEL);
    }

    /** Writes the limits of the controllers enabled in the leaf (their v2 names) into dir. */
    static void apply(CgroupLimits l, Path dir, Set<String> enabled, LeafFiles files) throws SetupFailure {
        Knobs.apply(false, c -> c.v2Name != null && enabled.contains(c.v2Name) ? dir : null, files, l);
    }

    @Override
    public void readUsage(UsageBuilder u) throws HostSetupFailure {
        if (!u.hasCpu()) {
            Map<String, Long> cpu = CgroupFs.keyValues(CgroupFs.readIfExists(dir.resolve("cpu.stat")));
            u.cpuTotal = UsageBuilder.micros(cpu.get("usage_usec"));
            u.cpuUser = UsageBuilder.micros(cpu.get("user_usec"));
            u.cpuSystem = UsageBuilder.micros(cpu.get("system_usec"));
        }
        if (has(Controller.MEMORY)) {
            u.memoryCurrent = CgroupFs.readLong(dir.resolve("memory.current"));
            u.memoryPeak = CgroupFs.readLong(dir.resolve("memory.peak"));
            u.swapPeak = CgroupFs.readLong(dir.resolve("memory.swap.peak"));
            Map<String, Long> events = CgroupFs.keyValues(CgroupFs.readIfExists(dir.resolve("memory.events")));
            u.oomEvents = UsageBuilder.orUnknown(events.get("oom"));
            u.oomKills = UsageBuilder.orUnknown(events.get("oom_kill"));
            u.memoryStat = CgroupFs.keyValues(CgroupFs.readIfExists(dir.resolve("memory.stat")));
        }
        if (has(Controller.PIDS)) {
            u.pidsCurrent = CgroupFs.readLong(dir.resolve("pids.current"));
            u.pidsPeak = CgroupFs.readLong(dir.resolve("pids.peak"));
        }
        if (has(Controller.IO)) {
            for (Map.Entry<String, Map<String, String>> e : CgroupFs.fieldLines(
                            CgroupFs.readIfExists(dir.resolve("io.stat")))
                    .entrySet()) {
                Map<String, String> f = e.getValue();
                u.io.put(
                        e.getKey(),
                        new LeafUsage.Io(num(f, "rbytes"), num(f, "wbytes"), num(f, "rios"), num(f, "wios")));
            }
        }
    }

    private static long num(Map<String, String> f, String k) {
        return Long.parseLong(f.getOrDefault(k, "0"));
    }

    @Override
    public Set<Integer> pids() throws HostSetupFailure {
        Set<Integer> pids = new HashSet<>(CgroupFs.pids(dir.resolve("cgroup.procs")));
        pids.addAll(frozen.pids());
        return pids;
    }

    @Override
    public boolean populated() throws HostSetupFailure {
        Long p = CgroupFs.keyValues(CgroupFs.readIfExists(dir.resolve("cgroup.events")))
                .get("populated");
        return p == null ? !pids().isEmpty() : p != 0;
    }

    @Override
    public boolean canFreeze() {
        return CgroupFs.exists(dir.resolve("cgroup.freeze")); // Linux 5.2
    }

    @Override
    public void setFrozen(boolean frozen, long timeoutNanos) throws SetupFailure {
        setFrozen(dir, frozen, timeoutNanos);
    }

    @Override
    public void freeze(int keep, long timeoutNanos) throws SetupFailure {
        frozen.freeze(CgroupV2::setFrozen, keep, timeoutNanos);
    }

    @Override
    public void thaw(long timeoutNanos) throws SetupFailure {
        frozen.thaw(CgroupV2::setFrozen, timeoutNanos);
    }

    /** cgroup.freeze of the leaf or its frozen part; a v2-frozen task still dies of SIGKILL. */
    private static void setFrozen(Path dir, boolean frozen, long timeoutNanos) throws SetupFailure {
        CgroupFs.write(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
        long want = frozen ? 1 : 0;
        if (!CgroupFs.await(
                () -> {
                    Long f = CgroupFs.keyValues(CgroupFs.read(dir.resolve("cgroup.events")))
                            .get("frozen");
                    return f == null || f == want;
                },
                timeoutNanos)) {
            throw new HostSetupFailure(
                    (frozen ? "freeze " : "thaw ") + dir,
                    0,
                    "",
                    "cgroup.events did not report frozen " + want + " in time");
        }
    }

    boolean canKill() {
        return CgroupFs.exists(dir.resolve("cgroup.kill")); // Linux 5.14
    }

    /** SIGKILL to every task in the leaf and its frozen part, atomically with respect to forks. */
    void kill() throws HostSetupFailure {
        CgroupFs.write(dir.resolve("cgroup.kill"), "1");
    }

    /** memory.reclaim; false if the kernel could not reclaim that much (EAGAIN). */
    boolean reclaim(long bytes) throws SetupFailure {
        Path file = dir.resolve("memory.reclaim");
        if (!has(Controller.MEMORY) || !CgroupFs.exists(file)) {
            throw new FeatureUnavailable(
                    "reclaim " + bytes + " bytes from " + dir,
                    0,
                    "",
                    has(Controller.MEMORY)
                            ? "memory.reclaim needs Linux 5.19"
                            : "the memory controller is not on cgroup v2 here");
        }
        try {
            CgroupFs.write(file, Long.toString(bytes));
            return true;
        } catch (HostSetupFailure e) {
            if (e.errno() == Errno.EAGAIN) {
                return false;
            }
            throw e;
        }
    }

    /** PSI per resource ("cpu", "memory", "io", "irq"), for those the kernel reports. */
    Map<String, LeafUsage.Pressure> pressure() throws HostSetupFailure {
        Map<String, LeafUsage.Pressure> m = new LinkedHashMap<>();
        for (String r : List.of("cpu", "memory", "io", "irq")) {
            LeafUsage.Pressure p = CgroupFs.pressure(dir.resolve(r + ".pressure"));
            if (p != null) {
                m.put(r, p);
            }
        }
        return m;
    }

    @Override
    public void attach(int pid) throws HostSetupFailure {
        CgroupFs.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public void remove(long timeoutNanos) throws HostSetupFailure {
        Sys.close(dirFd);
        dirFd = -1;
        frozen.remove(timeoutNanos);
        CgroupFs.rmdir(dir, timeoutNanos);
    }

    @Override
    public List<Path> dirs() {
        return List.of(dir);
    }
}
