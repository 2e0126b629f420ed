package io.jiso.cgroup;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.SetupFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One owner's cgroup leaves: where they go (the parent inside each
 * hierarchy), how they restrict devices, the leaves made ahead of need for
 * its spawns (with the thread that makes them) and the leaves it has open.
 * Each runtime has one; {@link Cgroups#defaultSite()} is the JVM's default.
 * {@link #close()} kills and removes every leaf it made and ends its thread.
 */
public final class LeafSite implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeafSite.class);
    private final String parent;
    private final String deviceSetting;
    private final ReadyLeaves ready;
    /**
     * createForSpawn's bases per request, worked out once: bases() asks the
     * kernel whether the v2 root is writable, and firstUse() sweeps, on the
     * spawn's own path (together ~25 µs, the mean of 9,000 spawns measured in place).
     */
    private final Map<SpawnRequest, Cgroups.Bases> spawnBases = new ConcurrentHashMap<>();

    private volatile boolean closed;

    /**
     * @param parent the parent cgroup inside each hierarchy ("/a/b"), or null for the default
     * @param deviceSetting "bpf", "v1", or null to choose by the host's layout
     * @param threadName the name of the thread that makes leaves ahead of need
     */
    public LeafSite(String parent, String deviceSetting, String threadName) {
        this.parent = parent;
        this.deviceSetting = deviceSetting;
        this.ready = new ReadyLeaves(threadName);
    }

    /** The parent cgroup inside each hierarchy, or null for the default. */
    public String parent() {
        return parent;
    }

    /** How leaves restrict devices: "bpf", "v1", or null to choose by the host's layout. */
    public String deviceSetting() {
        return deviceSetting;
    }

    /** What decides a spawn's bases: the controllers its limits need, the device mechanism, who else wants some. */
    private record SpawnRequest(
            Set<Controller> controllers, DeviceControl control, boolean forRuntimes, boolean realtimeInit) {}

    /** What makes two leaves interchangeable before their limits are written. */
    private record Shape(Cgroups.Bases bases, List<AllowedDevice> devices, DeviceControl control) {}

    /** The device mechanism for these rules, or null to leave devices as the parent has them. */
    DeviceControl control(List<AllowedDevice> devices) throws SetupFailure {
        return devices == null ? null : DeviceControl.of(Cgroups.layout(), deviceSetting, devices);
    }

    /** Whether leaves can restrict devices here (a v2 tree or a v1 devices hierarchy, as the setting says). */
    public boolean canRestrictDevices() throws SetupFailure {
        try {
            DeviceControl.of(Cgroups.layout(), deviceSetting, List.of());
            return true;
        } catch (FeatureUnavailable e) {
            return false;
        }
    }

    /**
     * The checks of the device setting against this host, for a runtime's eager validation.
     *
     * @throws SetupFailure when the host cannot honour it
     */
    public static void checkDeviceSetting(String setting) throws SetupFailure {
        DeviceControl.of(Cgroups.layout(), setting, List.of());
    }

    /** As {@link Cgroups#create(CgroupLimits, String, List)} under this site's parent. */
    public CgroupLeaf create(CgroupLimits limits, List<AllowedDevice> devices) throws SetupFailure {
        open();
        return Cgroups.create(this, limits, parent, devices, control(devices));
    }

    /**
     * A leaf under this site's parent, from a leaf made ahead of need when
     * one of the same shape is ready (its limits are written now); either
     * way another is made in the background for the next spawn. For the
     * spawn path; see ReadyLeaves.
     */
    public CgroupLeaf createForSpawn(
            CgroupLimits limits, List<AllowedDevice> devices, boolean forRuntimes, boolean realtimeInit)
            throws SetupFailure {
        open();
        DeviceControl control = control(devices);
        SpawnRequest request = new SpawnRequest(limits.controllers(), control, forRuntimes, realtimeInit);
        Cgroups.Bases bases = spawnBases.get(request);
        if (bases == null) {
            bases = Cgroups.bases(Cgroups.layout(), limits, parent, control, forRuntimes, realtimeInit);
            Cgroups.firstUse(bases);
            spawnBases.put(request, bases);
        }
        Cgroups.Bases b = bases;
        CgroupLeaf leaf = ready.take(
                new Shape(bases, devices, control),
                b.fds(),
                () -> Cgroups.make(b, CgroupLimits.none(), devices, control));
        if (leaf == null) {
            leaf = Cgroups.make(bases, limits, devices, control);
        } else {
            try {
                leaf.apply(limits);
            } catch (SetupFailure | RuntimeException e) {
                leaf.discard();
                throw e;
            }
        }
        Cgroups.opened(leaf, this);
        return leaf;
    }

    /** Removes the leaves made ahead of need (the next spawns make them again); for leak checks. */
    public void releaseReadyLeaves() {
        ready.release(0);
    }

    /**
     * At the JVM's fd limit: removes the leaves made ahead of need, and the next spawns make none
     * ahead, so that they find those fds free.
     */
    public void releaseReadyLeavesAtFdLimit() {
        ready.release(FD_LIMIT_PAUSE);
    }

    /** How many spawns after a release at the fd limit make no leaf ahead. */
    private static final int FD_LIMIT_PAUSE = 16;

    /**
     * The directory under which this site's leaves go (in its "jiso"
     * subdirectory) in one hierarchy: under the parent when set, else the
     * v2 root where the JVM may write it, else the JVM's own cgroup.
     */
    public Path leafBase(Path mount, Path ownDir, boolean v2) {
        return Cgroups.base(mount, ownDir, parent, v2);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("this runtime is closed: it makes no more cgroup leaves");
        }
    }

    /**
     * Refuses new leaves, removes those made ahead and ends their thread, then
     * kills and removes every leaf of this site still open (their owners'
     * later reads fail as for a closed leaf). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        ready.shutdown();
        for (CgroupLeaf leaf : Cgroups.openIn(this)) {
            try {
                leaf.close();
            } catch (SetupFailure | RuntimeException e) {
                LOG.warn("could not remove cgroup leaf {}: {}", leaf.name(), e.getMessage());
            }
        }
    }
}
