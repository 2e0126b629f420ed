package io.jiso.spawn;

import io.jiso.cgroup.Cgroups;
import io.jiso.cgroup.LeafSite;
import io.jiso.net.NetworkNamespacePool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one runtime owns behind its spawns: its settings, its cgroup leaves
 * ({@link LeafSite}), the reaper, the housekeeping thread, the spawner
 * threads, the network namespace pool and the root templates. The threads
 * are named {@code <prefix>reaper}, {@code <prefix>housekeeping},
 * {@code <prefix>spawner-N}, {@code <prefix>netns} and
 * {@code <prefix>cgroup-leaves}; the default's prefix is "jiso-".
 * {@link #close} ends all of it.
 */
public final class Services {
    private static final Logger LOG = LoggerFactory.getLogger(Services.class);
    /** How long close() waits for the sandboxes it killed to be reported, and for each thread to end. */
    private static final long CLOSE_WAIT_MILLIS = 10_000;
    /** The services not closed, for the leak checks' list of the fds jiso keeps open. */
    private static final Set<Services> LIVE = ConcurrentHashMap.newKeySet();

    private static volatile Services defaultServices;
    private static volatile RuntimeSettings defaultSettings;

    private final RuntimeSettings settings;
    private final String threadPrefix;
    final LeafSite leaves;
    final NetworkNamespacePool network;
    final Spawner spawner;
    final RootTemplates templates;
    final Reaper reaper;
    /** Cleanup after exits, off the reaper's thread. */
    final ExecutorService housekeeping;
    /** Starts under way: close() waits for them, so none outlives the threads and pools it uses. */
    private final AtomicInteger starting = new AtomicInteger();

    private volatile boolean closed;

    private Services(RuntimeSettings settings, String threadPrefix, LeafSite leaves) {
        this.settings = settings;
        this.threadPrefix = threadPrefix;
        this.leaves = leaves;
        try {
            this.reaper = new Reaper(threadPrefix + "reaper");
        } catch (IOException e) {
            throw new UncheckedIOException("create the reaper's epoll set", e);
        }
        this.network = new NetworkNamespacePool(settings.reuseNetworkNamespaces(), threadPrefix + "netns");
        this.spawner = new Spawner(threadPrefix + "spawner");
        this.templates = new RootTemplates(settings.rootTemplates(), spawner);
        this.housekeeping = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadPrefix + "housekeeping");
            t.setDaemon(true);
            return t;
        });
        LIVE.add(this);
    }

    /** New services with these settings; their threads' names start with threadPrefix. */
    public static Services create(RuntimeSettings settings, String threadPrefix) {
        return new Services(
                settings,
                threadPrefix,
                new LeafSite(settings.cgroupParent(), settings.deviceControl(), threadPrefix + "cgroup-leaves"));
    }

    /**
     * The JVM's default services, made at first use with the settings of the
     * system properties and the default cgroup site; never closed.
     */
    public static Services defaultServices() {
        Services s = defaultServices;
        if (s == null) {
            synchronized (Services.class) {
                if (defaultServices == null) {
                    defaultServices = new Services(defaultSettings(), "jiso-", Cgroups.defaultSite());
                }
                s = defaultServices;
            }
        }
        return s;
    }

    /** The default services' settings, read from the system properties once, without starting anything. */
    public static RuntimeSettings defaultSettings() {
        RuntimeSettings s = defaultSettings;
        if (s == null) {
            synchronized (Services.class) {
                if (defaultSettings == null) {
                    defaultSettings = RuntimeSettings.fromSystemProperties();
                }
                s = defaultSettings;
            }
        }
        return s;
    }

    public RuntimeSettings settings() {
        return settings;
    }

    /** The prefix of this runtime's thread names. */
    public String threadPrefix() {
        return threadPrefix;
    }

    /** This runtime's cgroup leaves. */
    public LeafSite leaves() {
        return leaves;
    }

    /** This runtime's network namespace pool. */
    public NetworkNamespacePool network() {
        return network;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Marks a start under way; throws IllegalStateException once closed. Pair with {@link #endStart()}. */
    void beginStart() {
        starting.incrementAndGet();
        if (closed) {
            starting.decrementAndGet();
            throw new IllegalStateException("this JisoRuntime is closed: it starts no more sandboxes");
        }
    }

    void endStart() {
        starting.decrementAndGet();
    }

    /** The fds the runtimes not closed keep open to copy fresh roots from (for leak checks). */
    static Collection<Integer> rootTemplateFds() {
        List<Integer> fds = new ArrayList<>();
        LIVE.forEach(s -> fds.addAll(s.templates.fds()));
        return fds;
    }

    /** Closes the network namespaces and cgroup leaves made ahead of need, and makes none for the next spawns. */
    void releasePooledFds(boolean cgroupsUsed) {
        network.release();
        if (cgroupsUsed) {
            leaves.releaseReadyLeavesAtFdLimit();
        }
    }

    /**
     * Refuses new starts, waits (boundedly) for those under way, kills every
     * sandbox still running and waits up to 10 s for their exits to be
     * reported, ends the threads, and removes the cgroup leaves, pooled
     * network namespaces and root templates made here. Idempotent; the
     * default services are never closed.
     */
    public void close() {
        if (this == defaultServices) {
            throw new IllegalStateException("the default runtime is never closed");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        while (starting.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        reaper.close(CLOSE_WAIT_MILLIS);
        housekeeping.shutdown();
        try {
            if (!housekeeping.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("{}housekeeping did not end within {} ms", threadPrefix, CLOSE_WAIT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leaves.close();
        network.close();
        templates.close();
        spawner.close(CLOSE_WAIT_MILLIS);
        LIVE.remove(this);
    }
}
