package io.jiso.net;

import io.jiso.Namespace;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * New network namespaces, made ahead of need. Creating one costs about half a
 * millisecond in the kernel, the largest single part of a default spawn; a
 * background thread makes a few in advance (each fresh, with lo up, used
 * once), and a spawn joins one with setns instead of cloning with
 * CLONE_NEWNET. When none is ready, or the thread cannot make them, the spawn
 * creates its own as before.
 *
 * <p>The thread makes each namespace by unshare(CLONE_NEWNET) on itself,
 * opening it, and setns back: a namespace change of one thread, that runs no
 * other code, affects no other thread of the JVM.
 */
public final class NetworkNamespacePool {
    private NetworkNamespacePool() {
    }

    private static final Logger LOG = LoggerFactory.getLogger(NetworkNamespacePool.class);
    private static final int SIZE = 4;
    private static final long CLONE_NEWNET = Namespace.NET.cloneFlag();
    private static final BlockingQueue<Integer> READY = new ArrayBlockingQueue<>(SIZE);
    private static final Semaphore WANTED = new Semaphore(SIZE);
    private static volatile boolean started;
    private static volatile boolean broken;

    /**
     * An O_CLOEXEC fd of a fresh network namespace with lo up, owned by the
     * caller (close it after the spawn), or -1 if none is ready.
     */
    public static int take() {
        if (!started) {
            start();
        }
        Integer fd = READY.poll();
        if (fd == null) {
            return -1;
        }
        WANTED.release();
        return fd;
    }

    private static synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        Thread t = new Thread(NetworkNamespacePool::fill, "jiso-netns");
        t.setDaemon(true);
        t.start();
    }

    private static void fill() {
        int host;
        try {
            host = Sys.open("/proc/thread-self/ns/net", Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
        } catch (IOException e) {
            LOG.debug("no network namespace pool: {}", e.getMessage());
            return;
        }
        while (!broken) {
            WANTED.acquireUninterruptibly();
            try {
                READY.add(create(host));
            } catch (IOException | RuntimeException e) {
                broken = true; // e.g. not root: spawns create their own, and fail there if they must
                LOG.debug("no network namespace pool: {}", e.getMessage());
            }
        }
    }

    private static int create(int host) throws IOException {
        Sys.unshare(CLONE_NEWNET);
        try {
            int fd = Sys.open("/proc/thread-self/ns/net", Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
            int socket = Sys.socket(LoopbackSteps.AF_INET, LoopbackSteps.SOCK_DGRAM | LoopbackSteps.SOCK_CLOEXEC, 0);
            try (Arena arena = Arena.ofConfined()) {
                Sys.ioctl(socket, LoopbackSteps.SIOCSIFFLAGS, LoopbackSteps.upRequest(arena), "bring lo up");
            } catch (IOException e) {
                Sys.close(fd);
                throw e;
            } finally {
                Sys.close(socket);
            }
            return fd;
        } finally {
            Sys.setns(host, CLONE_NEWNET); // this thread goes back to the JVM's network
        }
    }
}
