package io.jiso.net;

import io.jiso.namespace.NamespaceType;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.FdLimit;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network namespaces made ahead of need, and reused when a sandbox left no
 * trace in one. A namespace's creation and teardown cost about a millisecond
 * of CPU on this project's host (per-namespace sysctl tables, lo, the
 * teardown's kernel worker), as much as ProcessBuilder's whole spawn, and
 * back to back on a small machine that work competes with the spawns. A
 * background thread keeps a few ready; a spawn joins one with setns instead
 * of cloning with CLONE_NEWNET. When none is ready, or the thread cannot make
 * them, the spawn creates its own as before.
 *
 * <p>Reuse. After a sandbox has ended, with every one of its processes gone,
 * the spawn side may {@link #giveBack give back} its namespace: only when the
 * sandbox could not change the namespace's configuration (it kept no
 * capability, under no_new_privs, and did not run as root, who may write the
 * namespace's sysctls where a /proc/sys is writable) and could not outlive
 * its PID 1 (its own pid namespace), and no other sandbox joined the
 * namespace. The thread then
 * compares what the namespace shows in /proc/net (lo's counters, the IPv4 and
 * IPv6 counters, the sockets in use and in TIME_WAIT) with what it showed
 * when it was made. Any difference (a packet sent, even one refused for want
 * of a route, or a socket that outlived its process) and the namespace is
 * closed, never handed out again. A reused namespace is therefore one that
 * nobody could tell from a new one, except by its inode number.
 * Reuse is a choice of the pool's owner (a runtime's {@code reuseNetworkNamespaces}).
 *
 * <p>Each runtime has its own pool and thread; {@link #close()} ends the
 * thread and closes the namespaces ready, and those given back later.
 *
 * <p>The thread enters a namespace by unshare or setns on itself and always
 * returns to the JVM's: a namespace change of one thread, that runs no other
 * code, affects no other thread of the JVM.
 */
public final class NetworkNamespacePool implements AutoCloseable {
    private final boolean reuse;
    private final ExecutorService thread;

    /**
     * @param reuse whether namespaces given back that show no trace of use are handed out again
     * @param threadName the name of the pool's thread, started at the first take
     */
    public NetworkNamespacePool(boolean reuse, String threadName) {
        this.reuse = reuse;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    private static final Logger LOG = LoggerFactory.getLogger(NetworkNamespacePool.class);
    /** System property the default runtime reads reuseNetworkNamespaces from ("false" turns reuse off). */
    public static final String REUSE_PROPERTY = "jiso.netns.reuse";
    /** A namespace given back while this many are ready is closed: 4, fewer near a low fd limit (each is an fd). */
    private static final int MAX_READY = (int) Math.min(4, FdLimit.pooledNamespaces());
    /** Fresh namespaces are made while fewer than this many are ready or on their way: 2, or 1 near a low fd limit, or none. */
    private static final int TARGET = Math.min(2, MAX_READY / 2 + MAX_READY % 2);

    private static final long CLONE_NEWNET = NamespaceType.NET.cloneFlag();
    /** LIFO: the namespace used last is handed out first (its memory is the most likely cached). */
    private final BlockingDeque<Integer> ready = new LinkedBlockingDeque<>();
    /** What each namespace made here showed in /proc/net when it was new, by fd. */
    private final Map<Integer, String> pristine = new ConcurrentHashMap<>();
    /** Namespaces being made or checked. */
    private final AtomicInteger onTheirWay = new AtomicInteger();
    /** The tasks of every pool not yet done (for awaitIdle). */
    private static final AtomicInteger PENDING_TASKS = new AtomicInteger();
    /** The JVM's own network namespace, opened once by the first pool thread that needs it. */
    private static volatile int host = -1;

    private volatile boolean broken;
    private volatile boolean closed;

    /**
     * An O_CLOEXEC fd of a network namespace with lo up, never used or left
     * as new, owned by the caller (close it or {@link #giveBack} it), or -1
     * if none is ready.
     */
    public int take() {
        Integer fd = ready.pollFirst();
        refill();
        return fd == null ? -1 : fd;
    }

    /**
     * Takes back a namespace from {@link #take()} whose sandbox has ended:
     * the caller vouches that none of its processes is left and that it could
     * not reconfigure the namespace (see the class comment). It is reused if
     * it shows no trace of use, else closed.
     */
    public void giveBack(int fd) {
        if (!pristine.containsKey(fd) || broken || closed || !reuse) {
            discard(fd);
            return;
        }
        onTheirWay.incrementAndGet();
        submit(
                () -> {
                    try {
                        if (!closed && ready.size() < MAX_READY && paused.get() == 0 && unused(fd)) {
                            ready.addFirst(fd);
                        } else {
                            discard(fd);
                        }
                    } finally {
                        onTheirWay.decrementAndGet();
                    }
                    refill();
                },
                () -> {
                    onTheirWay.decrementAndGet();
                    discard(fd);
                });
    }

    /** Whether the sandbox that had this namespace may give it back (see {@link #giveBack}). */
    public boolean reuseEnabled() {
        return reuse;
    }

    /**
     * Closes every namespace that is ready, for a spawn that met the fd limit; the next takes make
     * none ahead, so that they find those fds free, later ones make new ones again.
     */
    public void release() {
        paused.set(FD_LIMIT_PAUSE);
        for (Integer fd = ready.pollFirst(); fd != null; fd = ready.pollFirst()) {
            discard(fd);
        }
    }

    /** How many takes after a {@link #release()} make no namespace ahead. */
    private static final int FD_LIMIT_PAUSE = 16;

    private final AtomicInteger paused = new AtomicInteger();

    /** Whether this refill is one of the paused ones (the count never goes below zero). */
    private boolean tookPause() {
        for (int n = paused.get(); n > 0; n = paused.get()) {
            if (paused.compareAndSet(n, n - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Waits until the threads of every pool have nothing left to do (for leak checks and tests); false on timeout. */
    public static boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (PENDING_TASKS.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    private void refill() {
        if (broken || closed || tookPause()) {
            return;
        }
        while (true) {
            int wanted = onTheirWay.get();
            if (ready.size() + wanted >= TARGET) {
                return;
            }
            if (onTheirWay.compareAndSet(wanted, wanted + 1)) {
                break;
            }
        }
        submit(
                () -> {
                    try {
                        if (!broken && !closed) {
                            ready.addLast(create());
                        }
                    } catch (IOException | RuntimeException e) {
                        // e.g. not root: spawns create their own, and fail there if they must; at the fd limit
                        // (EMFILE) only this one is not made
                        if (!(e instanceof SetupFailure i && i.errno() == Errno.EMFILE)) {
                            broken = true;
                        }
                        LOG.debug("no network namespace made ahead: {}", e.getMessage());
                    } finally {
                        onTheirWay.decrementAndGet();
                    }
                },
                onTheirWay::decrementAndGet);
    }

    /** Runs the task on the pool's thread; once the pool is closed, runs ifClosed here instead. */
    private void submit(Runnable task, Runnable ifClosed) {
        PENDING_TASKS.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } finally {
                    PENDING_TASKS.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            PENDING_TASKS.decrementAndGet();
            ifClosed.run();
        }
    }

    /** How long a new namespace's view may take to stop counting the socket that brought lo up. */
    private static final long SETTLE_MILLIS = 100;

    /** On the pool's thread: a new namespace with lo up, its pristine view recorded. */
    private int create() throws IOException {
        openHost();
        Sys.unshare(CLONE_NEWNET);
        int fd = -1;
        try {
            fd = Sys.open("/proc/thread-self/ns/net", Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
            int socket = Sys.socket(LoopbackSteps.AF_INET, LoopbackSteps.SOCK_DGRAM | LoopbackSteps.SOCK_CLOEXEC, 0);
            try (Arena arena = Arena.ofConfined()) {
                Sys.ioctl(socket, LoopbackSteps.SIOCSIFFLAGS, LoopbackSteps.upRequest(arena), "bring lo up");
            } finally {
                Sys.close(socket);
            }
            pristine.put(fd, NamespaceTrace.readSettled(SETTLE_MILLIS));
            return fd;
        } catch (IOException | RuntimeException e) {
            if (fd >= 0) {
                Sys.close(fd);
            }
            throw e;
        } finally {
            Sys.setns(host, CLONE_NEWNET); // this thread goes back to the JVM's network
        }
    }

    /** On the pool's thread: whether the namespace still shows what it showed when new. */
    private boolean unused(int fd) {
        try {
            Sys.setns(fd, CLONE_NEWNET);
        } catch (IOException e) {
            LOG.debug("network namespace not reused: {}", e.getMessage());
            return false;
        }
        try {
            return NamespaceTrace.read().equals(pristine.get(fd));
        } catch (IOException | RuntimeException e) {
            LOG.debug("network namespace not reused: {}", e.getMessage());
            return false;
        } finally {
            try {
                Sys.setns(host, CLONE_NEWNET);
            } catch (IOException e) {
                broken = true; // never again make or check one from a thread that could not go home
                LOG.warn("network namespace pool stopped: {}", e.getMessage());
            }
        }
    }

    /**
     * Closes a namespace from {@link #take()} that will not be given back;
     * its record goes first, as the fd number may be reused at once.
     */
    public void discard(int fd) {
        pristine.remove(fd);
        Sys.close(fd);
    }

    /** On a pool's thread, which is in the JVM's network namespace: opens it, once for every pool. */
    private static synchronized void openHost() throws IOException {
        if (host < 0) {
            host = Sys.open("/proc/thread-self/ns/net", Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
        }
    }

    /**
     * Makes no more namespaces, ends the thread once its tasks are done and
     * closes the namespaces ready; those given back later are closed. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the network namespace pool's thread did not end within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Integer fd = ready.pollFirst(); fd != null; fd = ready.pollFirst()) {
            discard(fd);
        }
    }

    /** The fds of the namespaces ready (for leak checks: a closed pool has none). */
    public List<Integer> readyFds() {
        return List.copyOf(ready);
    }
}
