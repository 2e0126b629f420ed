package io.jiso.spawn;

import io.jiso.nativegen.libc.pollfd;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that waits for every child at once: poll(2) on their
 * pidfds plus an eventfd to learn of new ones. No thread per process, no
 * polling loop with a timeout. A child's exit fd (see ChildProcess#exitFd)
 * turns readable when its main process has ended.
 */
final class Reaper {
    private Reaper() {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    private static final short POLLIN = (short) io.jiso.nativegen.Abi.current().intConstant("POLLIN");
    private static final List<ChildProcess> ADDED = new ArrayList<>();
    private static final int WAKEUP;

    static {
        try {
            WAKEUP = Sys.eventfd(0, io.jiso.nativegen.Abi.current().intConstant("EFD_CLOEXEC"));
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
        Thread t = new Thread(Reaper::run, "jiso-reaper");
        t.setDaemon(true);
        t.start();
    }

    static void watch(ChildProcess child) {
        synchronized (ADDED) {
            ADDED.add(child);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
            Sys.writeFully(WAKEUP, one, 8, "wake the reaper");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run() {
        List<ChildProcess> children = new ArrayList<>();
        Arena arena = Arena.ofConfined();
        MemorySegment fds = arena.allocate(pollfd.layout(), 64);
        MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
        while (true) {
            try {
                synchronized (ADDED) {
                    children.addAll(ADDED);
                    ADDED.clear();
                }
                if (fds.byteSize() < pollfd.layout().byteSize() * (children.size() + 1)) {
                    fds = arena.allocate(pollfd.layout(), 2L * (children.size() + 1));
                }
                entry(fds, 0, WAKEUP);
                for (int i = 0; i < children.size(); i++) {
                    entry(fds, i + 1, children.get(i).exitFd());
                }
                Sys.poll(fds, children.size() + 1, -1);
                if ((pollfd.revents(pollfd.asSlice(fds, 0)) & POLLIN) != 0) {
                    Sys.read(WAKEUP, counter, 8);
                }
                for (int i = children.size() - 1; i >= 0; i--) {
                    if (pollfd.revents(pollfd.asSlice(fds, i + 1)) != 0) {
                        children.remove(i).exited();
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("jiso reaper: {}", e.toString(), e);
            }
        }
    }

    private static void entry(MemorySegment fds, int index, int fd) {
        MemorySegment e = pollfd.asSlice(fds, index);
        pollfd.fd(e, fd);
        pollfd.events(e, POLLIN);
        pollfd.revents(e, (short) 0);
    }
}
