package io.jiso.net;

import io.jiso.Namespace;
import io.jiso.IsolationException;
import io.jiso.sys.Errno;
import io.jiso.sys.FdLimit;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
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
 * {@code -Djiso.netns.reuse=false} turns reuse off.
 *
 * <p>The thread enters a namespace by unshare or setns on itself and always
 * returns to the JVM's: a namespace change of one thread, that runs no other
 * code, affects no other thread of the JVM.
 */
public final class NetworkNamespacePool {
    private NetworkNamespacePool() {
    }

    private static final Logger LOG = LoggerFactory.getLogger(NetworkNamespacePool.class);
    public static final String REUSE_PROPERTY = "jiso.netns.reuse";
    /** A namespace given back while this many are ready is closed: 4, fewer near a low fd limit (each is an fd). */
    private static final int MAX_READY = (int) Math.min(4, FdLimit.pooledNamespaces());
    /** Fresh namespaces are made while fewer than this many are ready or on their way: 2, or 1 near a low fd limit, or none. */
    private static final int TARGET = Math.min(2, MAX_READY / 2 + MAX_READY % 2);
    private static final long CLONE_NEWNET = Namespace.NET.cloneFlag();
    /** LIFO: the namespace used last is handed out first (its memory is the most likely cached). */
    private static final BlockingDeque<Integer> READY = new LinkedBlockingDeque<>();
    /** What each namespace made here showed in /proc/net when it was new, by fd. */
    private static final Map<Integer, String> PRISTINE = new ConcurrentHashMap<>();
    /** Namespaces being made or checked. */
    private static final AtomicInteger ON_THEIR_WAY = new AtomicInteger();
    private static final AtomicInteger PENDING_TASKS = new AtomicInteger();
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "jiso-netns");
        t.setDaemon(true);
        return t;
    });
    private static volatile int host = -1;
    private static volatile boolean broken;

    /**
     * An O_CLOEXEC fd of a network namespace with lo up, never used or left
     * as new, owned by the caller (close it or {@link #giveBack} it), or -1
     * if none is ready.
     */
    public static int take() {
        Integer fd = READY.pollFirst();
        refill();
        return fd == null ? -1 : fd;
    }

    /**
     * Takes back a namespace from {@link #take()} whose sandbox has ended:
     * the caller vouches that none of its processes is left and that it could
     * not reconfigure the namespace (see the class comment). It is reused if
     * it shows no trace of use, else closed.
     */
    public static void giveBack(int fd) {
        if (!PRISTINE.containsKey(fd) || broken || !reuseEnabled()) {
            discard(fd);
            return;
        }
        ON_THEIR_WAY.incrementAndGet();
        submit(() -> {
            try {
                if (READY.size() < MAX_READY && PAUSED.get() == 0 && unused(fd)) {
                    READY.addFirst(fd);
                } else {
                    discard(fd);
                }
            } finally {
                ON_THEIR_WAY.decrementAndGet();
            }
            refill();
        });
    }

    /** Whether the sandbox that had this namespace may give it back (see {@link #giveBack}). */
    public static boolean reuseEnabled() {
        return Boolean.parseBoolean(System.getProperty(REUSE_PROPERTY, "true"));
    }

    /**
     * Closes every namespace that is ready, for a spawn that met the fd limit; the next takes make
     * none ahead, so that they find those fds free, later ones make new ones again.
     */
    public static void release() {
        PAUSED.set(FD_LIMIT_PAUSE);
        for (Integer fd = READY.pollFirst(); fd != null; fd = READY.pollFirst()) {
            discard(fd);
        }
    }

    /** How many takes after a {@link #release()} make no namespace ahead. */
    private static final int FD_LIMIT_PAUSE = 16;
    private static final AtomicInteger PAUSED = new AtomicInteger();

    /** Whether this refill is one of the paused ones (the count never goes below zero). */
    private static boolean tookPause() {
        for (int n = PAUSED.get(); n > 0; n = PAUSED.get()) {
            if (PAUSED.compareAndSet(n, n - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Waits until the thread has nothing left to do (for leak checks and tests); false on timeout. */
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

    private static void refill() {
        if (broken || tookPause()) {
            return;
        }
        while (true) {
            int wanted = ON_THEIR_WAY.get();
            if (READY.size() + wanted >= TARGET) {
                return;
            }
            if (ON_THEIR_WAY.compareAndSet(wanted, wanted + 1)) {
                break;
            }
        }
        submit(() -> {
            try {
                if (!broken) {
                    READY.addLast(create());
                }
            } catch (IOException | RuntimeException e) {
                // e.g. not root: spawns create their own, and fail there if they must; at the fd limit
                // (EMFILE) only this one is not made
                if (!(e instanceof IsolationException i && i.errno() == Errno.EMFILE)) {
                    broken = true;
                }
                LOG.debug("no network namespace made ahead: {}", e.getMessage());
            } finally {
                ON_THEIR_WAY.decrementAndGet();
            }
        });
    }

    private static void submit(Runnable task) {
        PENDING_TASKS.incrementAndGet();
        THREAD.execute(() -> {
            try {
                task.run();
            } finally {
                PENDING_TASKS.decrementAndGet();
            }
        });
    }

    /** On the pool's thread: a new namespace with lo up, its pristine view recorded. */
    private static int create() throws IOException {
        if (host < 0) {
            host = Sys.open("/proc/thread-self/ns/net", Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
        }
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
            PRISTINE.put(fd, NamespaceTrace.read());
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
    private static boolean unused(int fd) {
        try {
            Sys.setns(fd, CLONE_NEWNET);
        } catch (IOException e) {
            LOG.debug("network namespace not reused: {}", e.getMessage());
            return false;
        }
        try {
            return NamespaceTrace.read().equals(PRISTINE.get(fd));
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
    public static void discard(int fd) {
        PRISTINE.remove(fd);
        Sys.close(fd);
    }
}
