package io.jiso.cgroup;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.HostOps;
import io.jiso.user.Rootless;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates cgroup leaves and cleans up after them.
 *
 * <p>Where leaves go: {@code BASE/jiso/jiso-PID-N} in each hierarchy used.
 * BASE is the parent given to {@link #create(CgroupLimits, String)} or the
 * {@link LeafSite}'s (a runtime's cgroupParent; the default site's is the
 * system property {@value #PARENT_PROPERTY}), a path inside the hierarchy, e.g.
 * "/system.slice/judge.service/sandboxes"; by default, on v1, the JVM's own
 * cgroup in each hierarchy (v1 allows children next to processes, and the
 * JVM's own limits then cover its children), and on v2 the root of the tree
 * when it is writable (running as root), else the JVM's own cgroup. On v2 the
 * JVM's own cgroup can hold only controller-less leaves (no-internal-processes
 * rule): a limit then fails with a FeatureUnavailable that says so.
 *
 * <p>Which controllers: those the limits need, plus memory, pids and io (blkio)
 * for accounting where available; on pure v1 also cpuacct and freezer (v2
 * has cpu.stat and cgroup.freeze in every cgroup); devices where its list
 * restricts the leaf's devices.
 *
 * <p>Devices: given rules, a leaf lets its processes open or make only those
 * devices, through a BPF device program on the v2 leaf wherever there is a
 * v2 tree (pure v2 and hybrid), else through the v1 devices controller's list.
 * The site's device setting ("bpf" or "v1"; the default site's is the system
 * property {@value #DEVICES_PROPERTY}) chooses one; "v1" makes a hybrid host
 * use its devices hierarchy.
 *
 * <p>Cleanup: every leaf is recorded in jiso's run-state directory before
 * its first mkdir ({@link RunState}). At exit a shutdown hook kills and
 * removes every leaf recorded, also those being made, and the jiso
 * directories left empty. The first create() of a JVM sweeps the recorded
 * leaves of JVMs that died without their hook ({@link #sweepDead}).
 */
public final class Cgroups {
    /** System property naming the parent cgroup, relative to each hierarchy's root. */
    public static final String PARENT_PROPERTY = "jiso.cgroup.parent";
    /** System property choosing how leaves restrict devices: "bpf" (needs a v2 tree) or "v1" (needs a devices hierarchy). */
    public static final String DEVICES_PROPERTY = "jiso.cgroup.devices";

    private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong COUNTER = new AtomicLong();
    /** The leaves of this JVM that are open, with the site that made each. */
    private static final Map<CgroupLeaf, LeafSite> OPEN = new ConcurrentHashMap<>();

    private static final Set<Path> JISO_DIRS = ConcurrentHashMap.newKeySet();
    private static final LeafRecords RECORDS = new LeafRecords(HostOps.LINUX);
    private static volatile boolean swept;
    private static volatile Layout layout;
    private static volatile boolean hooked;
    private static volatile LeafSite defaultSite;

    private Cgroups() {}

    /** This host's cgroup layout, detected once. */
    public static Layout layout() throws SetupFailure {
        Layout l = layout;
        if (l == null) {
            synchronized (Cgroups.class) {
                if (layout == null) {
                    layout = Layout.detect();
                }
                l = layout;
            }
        }
        return l;
    }

    /**
     * The JVM's default site: parent and device mechanism from the system
     * properties {@value #PARENT_PROPERTY} and {@value #DEVICES_PROPERTY},
     * read once when it is first used. The default runtime's, never closed.
     */
    public static LeafSite defaultSite() {
        LeafSite s = defaultSite;
        if (s == null) {
            synchronized (Cgroups.class) {
                if (defaultSite == null) {
                    defaultSite = new LeafSite(
                            System.getProperty(PARENT_PROPERTY),
                            System.getProperty(DEVICES_PROPERTY),
                            "jiso-cgroup-leaves");
                }
                s = defaultSite;
            }
        }
        return s;
    }

    /** A leaf with these limits under the default parent. */
    public static CgroupLeaf create(CgroupLimits limits) throws SetupFailure {
        return create(limits, null);
    }

    /**
     * A leaf with these limits. Every limit is written before this returns;
     * one that this host cannot express is a FeatureUnavailable and
     * nothing is left behind.
     *
     * @param parent the parent cgroup inside each hierarchy ("/a/b"), or null for the default
     */
    public static CgroupLeaf create(CgroupLimits limits, String parent) throws SetupFailure {
        return create(limits, parent, null);
    }

    /**
     * A leaf with these limits whose processes can open or make only the
     * devices of these rules. Rules this host cannot enforce are a
     * FeatureUnavailable, never dropped.
     *
     * @param devices the devices allowed, or null to leave devices as the parent cgroup has them
     */
    public static CgroupLeaf create(CgroupLimits limits, String parent, List<AllowedDevice> devices)
            throws SetupFailure {
        LeafSite site = defaultSite();
        return create(site, limits, parent != null ? parent : site.parent(), devices, site.control(devices));
    }

    /** Whether leaves of the default site can restrict devices here. */
    public static boolean canRestrictDevices() throws SetupFailure {
        return defaultSite().canRestrictDevices();
    }

    /** As above, with the device mechanism given (tests use the v1 list on a hybrid host). */
    static CgroupLeaf create(CgroupLimits limits, String parent, List<AllowedDevice> devices, DeviceControl control)
            throws SetupFailure {
        LeafSite site = defaultSite();
        return create(site, limits, parent != null ? parent : site.parent(), devices, control);
    }

    /** A leaf of this site under this parent. */
    static CgroupLeaf create(
            LeafSite site, CgroupLimits limits, String parent, List<AllowedDevice> devices, DeviceControl control)
            throws SetupFailure {
        Bases bases = bases(layout(), limits, parent, control, false, false);
        firstUse(bases);
        CgroupLeaf leaf = make(bases, limits, devices, control);
        opened(leaf, site);
        return leaf;
    }

    /** Removes the default site's leaves made ahead of need (the next spawns make them again); for leak checks. */
    public static void releaseReadyLeaves() {
        defaultSite().releaseReadyLeaves();
    }

    /** A new leaf with its limits and device rules written; not yet registered as open. */
    static CgroupLeaf make(Bases bases, CgroupLimits limits, List<AllowedDevice> devices, DeviceControl control)
            throws SetupFailure {
        for (int attempt = 1; ; attempt++) {
            String name = "jiso-" + PID + "-" + COUNTER.incrementAndGet();
            List<Path> dirs = dirs(bases, name);
            RECORDS.begin(name, dirs);
            try {
                return make(bases, limits, devices, control, name, dirs);
            } catch (HostSetupFailure e) {
                // ENOENT: another JVM's shutdown hook removed an empty jiso directory between our mkdirs;
                // EEXIST: a dead JVM with our pid left a leaf of that name (the sweep removes it later)
                if ((e.errno() == Errno.ENOENT || e.errno() == Errno.EEXIST) && attempt < 5) {
                    continue;
                }
                throw e;
            } finally {
                RECORDS.made();
            }
        }
    }

    /** The leaf's directory in every hierarchy, as recorded before they are made. */
    private static List<Path> dirs(Bases bases, String name) {
        List<Path> dirs = new ArrayList<>(1 + bases.v1.size());
        if (bases.v2 != null) {
            dirs.add(bases.v2.resolve("jiso").resolve(name));
        }
        bases.v1.values().forEach(b -> dirs.add(b.resolve("jiso").resolve(name)));
        return dirs;
    }

    /** One attempt; whatever fails is undone, and the record goes with the last directory. */
    private static CgroupLeaf make(
            Bases bases,
            CgroupLimits limits,
            List<AllowedDevice> devices,
            DeviceControl control,
            String name,
            List<Path> dirs)
            throws SetupFailure {
        CgroupV2 v2 = null;
        CgroupV1 v1 = null;
        try {
            if (bases.v2 != null) {
                v2 = CgroupV2.create(bases.v2.resolve("jiso"), name, bases.v2Required, bases.v2Wanted, limits);
            }
            if (!bases.v1.isEmpty()) {
                v1 = CgroupV1.create(bases.v1, name);
            }
        } catch (SetupFailure | RuntimeException e) {
            new CgroupLeaf(name, v2, null).discardParts();
            if (dirs.stream().noneMatch(Files::exists)) {
                RECORDS.gone(name); // else the record stays for the sweep
            }
            if (e instanceof SetupFailure ie) {
                throw explainDenied(ie, limits);
            }
            throw e;
        }
        CgroupLeaf leaf = new CgroupLeaf(name, v2, v1);
        try {
            leaf.apply(limits);
            restrictDevices(v2, v1, devices, control);
        } catch (SetupFailure | RuntimeException e) {
            leaf.discard();
            throw e;
        }
        return leaf;
    }

    /** Before any process is placed, so none ever sees more devices than the rules. */
    private static void restrictDevices(CgroupV2 v2, CgroupV1 v1, List<AllowedDevice> devices, DeviceControl control)
            throws SetupFailure {
        if (control == DeviceControl.BPF) {
            DeviceFilter.attach(v2.fd(), devices);
        } else if (control == DeviceControl.V1) {
            DeviceAllowList.write(v1.dirFor(Controller.DEVICES), devices);
        }
    }

    /**
     * EACCES or EPERM while making the leaf: that part of the cgroup tree is
     * not the JVM's to write. A missing privilege, not a broken host: say what
     * would grant it.
     */
    private static SetupFailure explainDenied(SetupFailure e, CgroupLimits limits) {
        if (e.errno() != Errno.EACCES && e.errno() != Errno.EPERM) {
            return e;
        }
        String who = Rootless.jvmIsRoot() ? "the JVM may not write there" : "the JVM is not root";
        return new FeatureUnavailable(
                "create a cgroup leaf" + (limits.isNone() ? "" : " for " + limits),
                e.errno(),
                e.errnoName(),
                who + " and no cgroup is delegated to it: run it in a cgroup it owns (a"
                        + " systemd unit with Delegate=yes) or give the runtime one as its cgroupParent (-D"
                        + PARENT_PROPERTY
                        + " for the default runtime); " + e.getMessage());
    }

    /** Where the leaf's parts go and which controllers each needs. */
    record Bases(Path v2, Set<Controller> v2Required, Set<Controller> v2Wanted, Map<Layout.V1Hierarchy, Path> v1) {
        /** The fds a leaf of these bases holds. */
        int fds() {
            return fdsPerLeaf((v2 == null ? 0 : 1) + v1.size());
        }
    }

    /**
     * The fds a leaf in this many hierarchies holds: in each, its directory's O_PATH fd (CgroupFs)
     * and the fd the spawn uses (the v2 directory for CLONE_INTO_CGROUP, a v1 tasks file).
     */
    static int fdsPerLeaf(int hierarchies) {
        return 2 * hierarchies;
    }

    /**
     * The controllers whose files runtimes read to size themselves (the JDK
     * needs all four of memory, cpu, cpuacct and cpuset on v1 to see a
     * container at all; pids is optional).
     */
    static final List<Controller> RUNTIME_CONTROLLERS =
            List.of(Controller.MEMORY, Controller.CPU, Controller.CPUACCT, Controller.CPUSET, Controller.PIDS);

    /**
     * forRuntimes: the leaf also joins the v1 hierarchies of
     * RUNTIME_CONTROLLERS, so that each can be mounted in the sandbox rooted
     * at the leaf; on v2 (one tree holds them all) they are enabled for the
     * leaf where offered: the JDK sees no container unless its cgroup has
     * cpu, cpuset and memory, and then sizes its heap from the host's memory.
     * realtimeInit: jiso-init watches a time limit; on v2 the cpu controller
     * is enabled for the leaf where offered, as init may run real-time only
     * in a leaf that has it (see CgroupV2#realtimeHarmless).
     */
    static Bases bases(
            Layout l,
            CgroupLimits limits,
            String parent,
            DeviceControl devices,
            boolean forRuntimes,
            boolean realtimeInit)
            throws FeatureUnavailable {
        Set<Controller> v2Required = EnumSet.noneOf(Controller.class);
        Set<Controller> v2Wanted = EnumSet.noneOf(Controller.class);
        Map<Layout.V1Hierarchy, Path> v1 = new LinkedHashMap<>();
        for (Controller c : limits.controllers()) {
            Layout.V1Hierarchy h = l.v1For(c);
            if (h != null) {
                v1.put(h, base(h.mount(), h.ownDir(), parent, false));
            } else if (l.v2Mount() != null) {
                v2Required.add(c);
            } else {
                throw new FeatureUnavailable(
                        "use cgroup controller " + c.v1Name + " for " + limits.fieldsUsing(c),
                        0,
                        "",
                        "no cgroup v1 hierarchy mounts it and there is no cgroup v2 tree");
            }
        }
        // controllers joined without limits: for accounting, control and the device list
        List<Controller> joined = new ArrayList<>(List.of(Controller.MEMORY, Controller.PIDS, Controller.IO));
        if (l.v2Mount() == null) {
            joined.add(Controller.CPUACCT);
            joined.add(Controller.FREEZER);
        }
        if (devices == DeviceControl.V1) {
            joined.add(Controller.DEVICES); // DeviceControl.of made sure the hierarchy exists
        }
        if (forRuntimes) {
            for (Controller c : RUNTIME_CONTROLLERS) {
                Layout.V1Hierarchy h = l.v1For(c);
                if (h != null) {
                    v1.putIfAbsent(h, base(h.mount(), h.ownDir(), parent, false));
                } else if (l.v2Mount() != null && c.v2Name != null) {
                    v2Wanted.add(c);
                }
            }
        }
        if (realtimeInit && l.v1For(Controller.CPU) == null && l.v2Mount() != null) {
            v2Wanted.add(Controller.CPU);
        }
        for (Controller c : joined) {
            Layout.V1Hierarchy h = l.v1For(c);
            if (h != null) {
                v1.putIfAbsent(h, base(h.mount(), h.ownDir(), parent, false));
            } else if (l.v2Mount() != null && c.v2Name != null) {
                v2Wanted.add(c);
            }
        }
        Path v2 = l.v2Mount() == null ? null : base(l.v2Mount(), l.v2OwnDir(), parent, true);
        return new Bases(v2, v2Required, v2Wanted, v1);
    }

    /**
     * The directory under which this JVM's leaves go (in its "jiso"
     * subdirectory) in one hierarchy of layout(): under the default site's
     * parent when set, else the v2 root where the JVM may write it, else the JVM's own cgroup.
     */
    public static Path leafBase(Path mount, Path ownDir, boolean v2) {
        return defaultSite().leafBase(mount, ownDir, v2);
    }

    static Path base(Path mount, Path ownDir, String parent, boolean v2) {
        return Layout.leafBase(HostOps.LINUX, mount, ownDir, parent, v2);
    }

    /** Shutdown hook, the jiso directories to remove at exit, and a sweep once per JVM. */
    static void firstUse(Bases b) {
        hook();
        List<Path> jisoDirs = new ArrayList<>();
        if (b.v2 != null) {
            jisoDirs.add(b.v2.resolve("jiso"));
        }
        b.v1.values().forEach(p -> jisoDirs.add(p.resolve("jiso")));
        JISO_DIRS.addAll(jisoDirs);
        if (!swept) {
            synchronized (Cgroups.class) {
                if (!swept) {
                    swept = true;
                    try {
                        List<DeadLeaves.Removed> removed = sweepDead();
                        if (!removed.isEmpty()) {
                            LOG.info("removed {} cgroup leaves of JVMs that are gone: {}", removed.size(), removed);
                        }
                    } catch (SetupFailure e) {
                        LOG.warn(
                                "no sweep of cgroup leaves of JVMs that are gone: {}",
                                e.getMessage()); // make() says why too
                    }
                }
            }
        }
    }

    /**
     * Removes the leaves recorded by JVMs that are gone (no process with the
     * recorded pid and start time), wherever their records say they are,
     * killing any task still in them, and their records. Runs once per JVM
     * at the first create(); callable again at any time.
     */
    public static List<DeadLeaves.Removed> sweepDead() throws SetupFailure {
        Layout l = layout();
        List<Path> mounts = new ArrayList<>();
        if (l.v2Mount() != null) {
            mounts.add(l.v2Mount());
        }
        l.v1().forEach(h -> mounts.add(h.mount()));
        hook();
        return DeadLeaves.sweep(HostOps.LINUX, RECORDS.disk().base(), mounts);
    }

    /** This JVM's run-state directory (made if it was not yet). */
    static Path runStateDir() throws SetupFailure {
        hook();
        return RECORDS.disk().dir();
    }

    /** The shutdown hook, registered before the run-state directory or a leaf is made. */
    private static void hook() {
        if (!hooked) {
            synchronized (Cgroups.class) {
                if (!hooked) {
                    Runtime.getRuntime().addShutdownHook(new Thread(Cgroups::atExit, "jiso-cgroup-cleanup"));
                    hooked = true;
                }
            }
        }
    }

    /** Whether the JVM is shutting down: the hook removes every leaf, so their users' failures are expected. */
    public static boolean shuttingDown() {
        return RECORDS.closing();
    }

    /** After the last rmdir of a leaf: its record goes. */
    static void removed(String name) {
        RECORDS.gone(name);
    }

    static void closed(CgroupLeaf leaf) {
        OPEN.remove(leaf);
    }

    static void opened(CgroupLeaf leaf, LeafSite site) {
        OPEN.put(leaf, site);
    }

    /** Leaves of this JVM that are still open (tests check it is empty after a suite). */
    static Set<CgroupLeaf> open() {
        return Set.copyOf(OPEN.keySet());
    }

    /** The open leaves this site made. */
    static List<CgroupLeaf> openIn(LeafSite site) {
        List<CgroupLeaf> mine = new ArrayList<>();
        OPEN.forEach((leaf, owner) -> {
            if (owner == site) {
                mine.add(leaf);
            }
        });
        return mine;
    }

    /** The jiso directories this JVM has used. */
    static Set<Path> jisoDirs() {
        return Set.copyOf(JISO_DIRS);
    }

    private static void atExit() {
        RECORDS.removeAllAtExit();
        for (Path d : JISO_DIRS) {
            try {
                // fails with EBUSY while another JVM has leaves in it: then it is theirs to remove
                CgroupFs.rmdir(d, 0);
            } catch (HostSetupFailure ignored) {
                // still in use
            }
        }
    }
}
