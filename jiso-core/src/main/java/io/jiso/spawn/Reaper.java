package io.jiso.spawn;

import static io.jiso.nativegen.Linux.EPOLL_CTL_ADD;
import static io.jiso.nativegen.Linux.EPOLL_CTL_DEL;

import io.jiso.nativegen.Linux;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that waits for every child at once, in epoll_wait on
 * their exit fds (see {@link ChildProcess#exitFd}). No thread per process, no
 * polling loop with a timeout, and no wake-up when a child starts: the thread
 * that started it adds its fd to the set, and the reaper sleeps until one
 * ends. Each ready fd costs O(1), however many children run.
 */
final class Reaper {
    private Reaper() {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    /** One event per child: a fd that stays readable cannot wake the reaper again. */
    private static final int ONE_EXIT = Linux.EPOLLIN | Linux.EPOLLONESHOT;
    private static final int BATCH = 64;
    /** Children by the key their event carries: a number never reused, unlike an fd. */
    private static final Map<Long, ChildProcess> WATCHED = new ConcurrentHashMap<>();
    private static final AtomicLong KEYS = new AtomicLong();
    private static final int EPOLL;

    static {
        try {
            EPOLL = Sys.epollCreate(Linux.EPOLL_CLOEXEC);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
        Thread t = new Thread(Reaper::run, "jiso-reaper");
        t.setDaemon(true);
        t.start();
    }

    /** Reports the child's exit when it comes; if it cannot be watched, ends it and throws. */
    static void watch(ChildProcess child) {
        long key = KEYS.incrementAndGet();
        WATCHED.put(key, child);
        try {
            Sys.epollCtl(EPOLL, EPOLL_CTL_ADD, child.exitFd(), ONE_EXIT, key);
        } catch (IOException e) {
            WATCHED.remove(key);
            child.kill();
            child.exited(); // reaps it and removes its leaf
            throw new IllegalStateException("cannot watch the child for its exit", e);
        }
    }

    /** Removes the child's fd from the set, before exited() closes it. */
    private static void forget(ChildProcess child) {
        try {
            Sys.epollCtl(EPOLL, EPOLL_CTL_DEL, child.exitFd(), 0, 0);
        } catch (IOException e) {
            LOG.warn("jiso reaper: {}", e.toString()); // disabled anyway (one-shot); the close removes it
        }
    }

    private static void run() {
        MemorySegment events = Arena.ofAuto().allocate((long) Sys.EPOLL_EVENT_SIZE * BATCH, 8);
        while (true) {
            try {
                int ready = Sys.epollWait(EPOLL, events, BATCH, -1);
                for (int i = 0; i < ready; i++) {
                    ChildProcess child = WATCHED.remove(Sys.epollEventData(events, i));
                    if (child != null) {
                        forget(child);
                        child.exited();
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("jiso reaper: {}", e.toString(), e);
            }
        }
    }
}
