package io.jiso.cgroup;

import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A leaf in the v1 hierarchies: BASE/jiso/NAME in each hierarchy whose
 * controller the leaf needs (one directory serves co-mounted controllers
 * such as cpu,cpuacct). v1 has no CLONE_INTO_CGROUP: the child moves itself
 * by writing "0" into every {@link #tasksFds() tasks} file before it does
 * anything else.
 */
final class CgroupV1 implements Cgroup {
    /** Leaf directory per hierarchy, in creation order. */
    private final Map<Layout.V1Hierarchy, Path> dirs;

    private final int[] tasksFds;
    /** In the freezer hierarchy's directory, or null without one. */
    private final FrozenPart frozen;

    /** A leaf made by {@link #create}; package-private so that tests read usage from a temporary directory. */
    CgroupV1(Map<Layout.V1Hierarchy, Path> dirs, int[] tasksFds) {
        this.dirs = dirs;
        this.tasksFds = tasksFds;
        Path freezer = dirFor(Controller.FREEZER);
        this.frozen = freezer == null ? null : new FrozenPart(freezer);
    }

    /** Creates BASE/jiso/NAME in each hierarchy, BASE given per hierarchy; undoes everything on failure. */
    static CgroupV1 create(Map<Layout.V1Hierarchy, Path> bases, String name) throws HostSetupFailure {
        Map<Layout.V1Hierarchy, Path> dirs = new LinkedHashMap<>();
        List<Integer> fds = new ArrayList<>();
        try {
            for (Map.Entry<Layout.V1Hierarchy, Path> e : bases.entrySet()) {
                Path jiso = e.getValue().resolve("jiso");
                boolean cpuset = e.getKey().controllers().contains("cpuset");
                CgroupFs.mkdir(jiso);
                if (cpuset && cpusetIncomplete(jiso)) {
                    initCpuset(e.getValue(), jiso);
                }
                Path dir = jiso.resolve(name);
                CgroupFs.mkdirNew(dir);
                dirs.put(e.getKey(), dir);
                if (cpuset && cpusetIncomplete(dir)) {
                    // jiso made by a JVM that stopped before setting clone_children, or still setting it up
                    initCpuset(jiso, dir);
                }
                fds.add(Sys.open(dir.resolve("tasks").toString(), Errno.O_WRONLY | Errno.O_CLOEXEC, 0));
            }
        } catch (HostSetupFailure e) {
            fds.forEach(Sys::close);
            for (Path d : dirs.values()) {
                try {
                    CgroupFs.rmdir(d, 0);
                } catch (HostSetupFailure suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new CgroupV1(dirs, fds.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Whether a v1 cpuset lacks CPUs or memory nodes (another JVM may be between writing the two). */
    private static boolean cpusetIncomplete(Path dir) throws HostSetupFailure {
        return CgroupFs.read(dir.resolve("cpuset.cpus")).isBlank()
                || CgroupFs.read(dir.resolve("cpuset.mems")).isBlank();
    }

    /**
     * A new v1 cpuset starts with no CPUs and no memory nodes, and a task
     * cannot join it (ENOSPC) until both are set: copy the parent's, and let
     * jiso's children inherit from then on (clone_children).
     */
    private static void initCpuset(Path parent, Path child) throws HostSetupFailure {
        CgroupFs.write(
                child.resolve("cpuset.cpus"),
                CgroupFs.read(parent.resolve("cpuset.cpus")).strip());
        CgroupFs.write(
                child.resolve("cpuset.mems"),
                CgroupFs.read(parent.resolve("cpuset.mems")).strip());
        if (child.getFileName().toString().equals("jiso")) {
            CgroupFs.write(child.resolve("cgroup.clone_children"), "1");
        }
    }

    /**
     * Open O_WRONLY|O_CLOEXEC fds of each directory's tasks file, for the
     * child to write "0" into. A process moving its only thread itself is
     * the one migration for which the kernel skips write-locking the global
     * cgroup_threadgroup_rwsem; writing a pid into cgroup.procs takes it,
     * which waits for an RCU grace period: about a millisecond per write on
     * this project's 6.18 host, against 0.1 ms for the child's own write.
     */
    int[] tasksFds() {
        return tasksFds.clone();
    }

    /** The hierarchies of Cgroups.RUNTIME_CONTROLLERS the leaf is in, named as the host mounts them. */
    List<LeafHierarchies.V1> runtimeHierarchies() {
        List<LeafHierarchies.V1> list = new ArrayList<>(dirs.size());
        for (Layout.V1Hierarchy h : dirs.keySet()) {
            if (Cgroups.RUNTIME_CONTROLLERS.stream()
                    .anyMatch(c -> h.controllers().contains(c.v1Name))) {
                list.add(new LeafHierarchies.V1(
                        h.mount().getFileName().toString(),
                        String.join(",", h.controllers().stream().sorted().toList())));
            }
        }
        return list;
    }

    /** The leaf directory of the hierarchy holding this controller, or null. */
    Path dirFor(Controller c) {
        for (Map.Entry<Layout.V1Hierarchy, Path> e : dirs.entrySet()) {
            if (e.getKey().controllers().contains(c.v1Name)) {
                return e.getValue();
            }
        }
        return null;
    }

    @Override
    public void apply(CgroupLimits l) throws SetupFailure {
        apply(l, this::dirFor, LeafFiles.KERNEL);
    }

    /**
     * Writes the limits into the directory of each controller's hierarchy
     * (dirFor gives null where the leaf has none). What v1 cannot express
     * fails before anything of its controller is written, and before any
     * process exists.
     */
    static void apply(CgroupLimits l, Function<Controller, Path> dirFor, LeafFiles files) throws SetupFailure {
        Knobs.apply(true, dirFor, files, l);
    }

    @Override
    public void readUsage(UsageBuilder u) throws HostSetupFailure {
        Path acct = dirFor(Controller.CPUACCT);
        if (acct != null && !u.hasCpu()) {
            u.cpuTotal = Duration.ofNanos(CgroupFs.readLong(acct.resolve("cpuacct.usage")));
            long user = CgroupFs.readLong(acct.resolve("cpuacct.usage_user"));
            long sys = CgroupFs.readLong(acct.resolve("cpuacct.usage_sys"));
            if (user >= 0 && sys >= 0) {
                u.cpuUser = Duration.ofNanos(user);
                u.cpuSystem = Duration.ofNanos(sys);
            } else {
                // before Linux 4.11 only cpuacct.stat: USER_HZ ticks, which is 100 on every Linux ABI
                Map<String, Long> stat = CgroupFs.keyValues(CgroupFs.readIfExists(acct.resolve("cpuacct.stat")));
                u.cpuUser = Duration.ofMillis(10 * stat.getOrDefault("user", 0L));
                u.cpuSystem = Duration.ofMillis(10 * stat.getOrDefault("system", 0L));
            }
        }
        Path mem = dirFor(Controller.MEMORY);
        if (mem != null) {
            u.memoryCurrent = CgroupFs.readLong(mem.resolve("memory.usage_in_bytes"));
            u.memoryPeak = CgroupFs.readLong(mem.resolve("memory.max_usage_in_bytes"));
            // v1 has no swap-only peak (memsw.max_usage is memory+swap) and no count of OOM events
            u.oomKills =
                    UsageBuilder.orUnknown(CgroupFs.keyValues(CgroupFs.readIfExists(mem.resolve("memory.oom_control")))
                            .get("oom_kill"));
            u.memoryStat = CgroupFs.keyValues(CgroupFs.readIfExists(mem.resolve("memory.stat")));
        }
        Path pids = dirFor(Controller.PIDS);
        if (pids != null) {
            u.pidsCurrent = CgroupFs.readLong(pids.resolve("pids.current"));
            u.pidsPeak = CgroupFs.readLong(pids.resolve("pids.peak"));
        }
        Path blkio = dirFor(Controller.IO);
        if (blkio != null) {
            Map<String, long[]> dev = new LinkedHashMap<>();
            blkioStat(CgroupFs.readIfExists(blkio.resolve("blkio.throttle.io_service_bytes_recursive")), dev, 0);
            blkioStat(CgroupFs.readIfExists(blkio.resolve("blkio.throttle.io_serviced_recursive")), dev, 2);
            dev.forEach((d, v) -> u.io.put(d, new LeafUsage.Io(v[0], v[1], v[2], v[3])));
        }
    }

    /** Lines "8:0 Read 4096" into [readBytes, writeBytes, readOps, writeOps] per device. */
    private static void blkioStat(String text, Map<String, long[]> dev, int offset) {
        if (text == null) {
            return;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && (f[1].equals("Read") || f[1].equals("Write"))) {
                dev.computeIfAbsent(f[0], k -> new long[4])[offset + (f[1].equals("Read") ? 0 : 1)] =
                        Long.parseLong(f[2]);
            }
        }
    }

    @Override
    public Set<Integer> pids() throws HostSetupFailure {
        Set<Integer> pids = new HashSet<>();
        for (Path d : dirs.values()) {
            pids.addAll(CgroupFs.pids(d.resolve("cgroup.procs")));
        }
        if (frozen != null) {
            pids.addAll(frozen.pids());
        }
        return pids;
    }

    @Override
    public boolean populated() throws HostSetupFailure {
        return !pids().isEmpty();
    }

    @Override
    public boolean canFreeze() {
        return dirFor(Controller.FREEZER) != null;
    }

    @Override
    public void setFrozen(boolean frozen, long timeoutNanos) throws SetupFailure {
        setFrozen(dirFor(Controller.FREEZER), frozen, timeoutNanos);
    }

    @Override
    public void freeze(int keep, long timeoutNanos) throws SetupFailure {
        frozen.freeze(CgroupV1::setFrozen, keep, timeoutNanos);
    }

    /** Thaws the frozen part; a v1-frozen task acts on SIGKILL only then, so killing needs it too. */
    @Override
    public void thaw(long timeoutNanos) throws SetupFailure {
        frozen.thaw(CgroupV1::setFrozen, timeoutNanos);
    }

    /** freezer.state of the leaf or its frozen part (a child is frozen while its parent is). */
    private static void setFrozen(Path dir, boolean frozen, long timeoutNanos) throws SetupFailure {
        Path state = dir.resolve("freezer.state");
        String want = frozen ? "FROZEN" : "THAWED";
        CgroupFs.write(state, want);
        // FREEZING lasts until every task has stopped; a task in uninterruptible sleep can hold it there
        if (!CgroupFs.await(() -> CgroupFs.read(state).strip().equals(want), timeoutNanos)) {
            throw new HostSetupFailure(
                    (frozen ? "freeze " : "thaw ") + state.getParent(),
                    0,
                    "",
                    "freezer.state did not reach " + want + " in time");
        }
    }

    int tasksFdCount() {
        return tasksFds.length;
    }

    @Override
    public void attach(int pid) throws HostSetupFailure {
        for (Path dir : dirs.values()) {
            CgroupFs.write(dir.resolve("cgroup.procs"), Integer.toString(pid)); // all its threads, unlike tasks
        }
    }

    @Override
    public void remove(long timeoutNanos) throws HostSetupFailure {
        for (int i = 0; i < tasksFds.length; i++) {
            Sys.close(tasksFds[i]);
            tasksFds[i] = -1;
        }
        HostSetupFailure first = null;
        if (frozen != null) {
            try {
                frozen.remove(timeoutNanos);
            } catch (HostSetupFailure e) {
                first = e;
            }
        }
        for (Path d : dirs.values()) {
            try {
                CgroupFs.rmdir(d, timeoutNanos);
            } catch (HostSetupFailure e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public List<Path> dirs() {
        return List.copyOf(dirs.values());
    }
}
