package io.jiso.spawn;

import static io.jiso.nativegen.Linux.EPOLL_CTL_ADD;
import static io.jiso.nativegen.Linux.EPOLL_CTL_DEL;

import io.jiso.nativegen.Linux;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that waits for every child of a runtime at once, in
 * epoll_wait on their exit fds (see {@link ChildProcess#exitFd}). No thread
 * per process, no polling loop with a timeout, and no wake-up when a child
 * starts: the thread that started it adds its fd to the set, and the reaper
 * sleeps until one ends. Each ready fd costs O(1), however many children run.
 * {@link #close} kills the children still watched, reports their exits and
 * ends the thread; a pipe in the set, whose write end it closes, wakes it.
 */
final class Reaper {
    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    /** One event per child: a fd that stays readable cannot wake the reaper again. */
    private static final int ONE_EXIT = Linux.EPOLLIN | Linux.EPOLLONESHOT;

    private static final int BATCH = 64;
    /** The event key of the wake-up pipe; children's keys start at 1. */
    private static final long WAKE = 0;
    /** Children by the key their event carries: a number never reused, unlike an fd. */
    private final Map<Long, ChildProcess> watched = new ConcurrentHashMap<>();

    private final AtomicLong keys = new AtomicLong();
    private final int epoll;
    /** The wake-up pipe: closing its write end ([1]) makes the read end ready. */
    private final int[] wake;

    private final Thread thread;
    private volatile boolean closing;

    Reaper(String threadName) throws IOException {
        epoll = Sys.epollCreate(Linux.EPOLL_CLOEXEC);
        try {
            wake = Sys.pipe2(Linux.O_CLOEXEC);
            Sys.epollCtl(epoll, EPOLL_CTL_ADD, wake[0], Linux.EPOLLIN, WAKE);
        } catch (IOException | RuntimeException e) {
            Sys.close(epoll);
            throw e;
        }
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Reports the child's exit when it comes; if it cannot be watched, ends it and throws. */
    void watch(ChildProcess child) {
        long key = keys.incrementAndGet();
        watched.put(key, child);
        try {
            Sys.epollCtl(epoll, EPOLL_CTL_ADD, child.exitFd(), ONE_EXIT, key);
        } catch (IOException e) {
            watched.remove(key);
            child.kill();
            child.exited(); // reaps it and removes its leaf
            throw new IllegalStateException("cannot watch the child for its exit", e);
        }
    }

    /** Removes the child's fd from the set, before exited() closes it. */
    private void forget(ChildProcess child) {
        try {
            Sys.epollCtl(epoll, EPOLL_CTL_DEL, child.exitFd(), 0, 0);
        } catch (IOException e) {
            LOG.warn("jiso reaper: {}", e.toString()); // disabled anyway (one-shot); the close removes it
        }
    }

    private void run() {
        MemorySegment events = Arena.ofAuto().allocate((long) Sys.EPOLL_EVENT_SIZE * BATCH, 8);
        while (!closing) {
            try {
                int ready = Sys.epollWait(epoll, events, BATCH, -1);
                for (int i = 0; i < ready; i++) {
                    ChildProcess child = watched.remove(Sys.epollEventData(events, i));
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

    /** The children watched: started and not yet reported. */
    List<ChildProcess> live() {
        return List.copyOf(watched.values());
    }

    /**
     * Kills every child still watched, waits up to timeoutMillis for the
     * reaper to report their exits, then ends the thread. A child whose exit
     * did not come in time (a process the kernel could not kill) is logged
     * and its exit never reported.
     */
    void close(long timeoutMillis) {
        for (ChildProcess child : live()) {
            try {
                child.kill();
            } catch (RuntimeException e) {
                LOG.warn("jiso reaper: could not kill process {}: {}", child.pid(), e.getMessage());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!watched.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!watched.isEmpty()) {
            LOG.warn(
                    "jiso reaper: processes {} did not exit within {} ms of SIGKILL",
                    watched.values().stream().map(ChildProcess::pid).toList(),
                    timeoutMillis);
        }
        closing = true;
        Sys.close(wake[1]); // the read end turns ready: epoll_wait returns, the loop sees closing
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            Sys.close(wake[0]);
            Sys.close(epoll);
        }
    }
}
