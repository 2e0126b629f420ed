package io.jiso.cgroup;

import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.HostOps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every leaf of this JVM from before its first mkdir to after its last
 * rmdir, on disk ({@link RunState}) and here, so that the shutdown hook finds
 * all of them: open ones, ready ones, and those being made on another thread
 * (a spawn between its mkdir and its registration, the background thread's
 * next ready leaf). {@link #begin} is refused once the hook runs; the hook
 * waits for the makes under way, then removes every leaf recorded.
 */
final class LeafRecords {
    private static final Logger LOG = LoggerFactory.getLogger(LeafRecords.class);
    private static final long MAKING_TIMEOUT = TimeUnit.SECONDS.toNanos(10);

    private final HostOps host;
    private final Map<String, List<Path>> live = new ConcurrentHashMap<>();
    private volatile RunState disk;
    private int making;
    private boolean closing;
    private boolean warned;

    LeafRecords(HostOps host) {
        this.host = host;
    }

    /** This JVM's run-state directory, made at the first leaf; its failure fails that leaf. */
    RunState disk() throws HostSetupFailure {
        RunState d = disk;
        return d != null ? d : makeDisk();
    }

    private synchronized RunState makeDisk() throws HostSetupFailure {
        if (disk == null) {
            try {
                RunState.Base base =
                        RunState.base(host, host.euid(), host.env("XDG_RUNTIME_DIR"), Path.of("/run"), Path.of("/tmp"));
                if (base.why() != null) {
                    LOG.debug("jiso's run state is in {}: {}", base.dir(), base.why());
                }
                disk = RunState.create(host, base.dir(), RunState.Owner.of(host, host.pid()));
            } catch (HostSetupFailure e) {
                if (!warned) { // spawns without limits then go without a leaf: say why once
                    warned = true;
                    LOG.warn("no cgroup leaves: {}", e.getMessage());
                }
                throw e;
            }
        }
        return disk;
    }

    /**
     * Records a leaf before its first mkdir. From here until {@link #made}
     * the hook waits for it; refused once the hook has started.
     */
    void begin(String name, List<Path> dirs) throws HostSetupFailure {
        RunState d = disk();
        synchronized (this) {
            if (closing) {
                throw new HostSetupFailure("create cgroup leaf " + name, 0, "", "the JVM is shutting down");
            }
            making++;
        }
        try {
            d.record(name, dirs);
            live.put(name, dirs);
        } catch (HostSetupFailure | RuntimeException e) {
            made();
            throw e;
        }
    }

    /** Whether the shutdown hook has started: leaves may vanish under their users from then on. */
    synchronized boolean closing() {
        return closing;
    }

    /** The leaf begun is complete (or undone): the hook may remove it from now on. */
    synchronized void made() {
        making--;
        notifyAll();
    }

    /** After the leaf's last rmdir. */
    void gone(String name) {
        if (live.remove(name) != null) {
            try {
                disk.forget(name);
            } catch (HostSetupFailure e) {
                LOG.debug("record of {} not removed: {}", name, e.getMessage());
            }
        }
    }

    /**
     * The shutdown hook's part: refuses new leaves, waits (bounded) for those
     * under way, then kills and removes every leaf recorded and the run-state
     * directory. Leaves are removed by path, without their objects: their fds
     * stay open until the JVM exits, so a spawn racing with the hook can never
     * use an fd number reused meanwhile; a removed cgroup refuses new tasks.
     */
    void removeAllAtExit() {
        synchronized (this) {
            closing = true;
            long deadline = System.nanoTime() + MAKING_TIMEOUT;
            while (making > 0 && System.nanoTime() < deadline) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (making > 0) {
                LOG.warn("{} cgroup leaves still being made at exit: the next JVM's sweep removes them", making);
            }
        }
        for (Map.Entry<String, List<Path>> e : List.copyOf(live.entrySet())) {
            try {
                DeadLeaves.remove(host, e.getValue());
                gone(e.getKey());
            } catch (SetupFailure | RuntimeException x) {
                LOG.warn("could not remove cgroup leaf {} at exit: {}", e.getKey(), x.getMessage());
            }
        }
        if (disk != null && live.isEmpty()) {
            disk.removeIfEmpty();
        }
    }
}
