package io.jiso.cgroup;

import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.FdLimit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaves made ahead of need, per shape (where the leaf goes, which
 * controllers, which device rules; not its limits, which are written when it
 * is taken). Creating a leaf is the costliest part of a spawn's cgroup work
 * (on a v1 host a memory cgroup's creation alone takes a few hundred
 * microseconds), and a background thread can do it while the previous
 * sandbox runs. A few leaves per shape, for a few shapes; a shape whose
 * leaves cannot be made ahead is made on demand as before. A leaf holds an fd
 * per hierarchy (up to a dozen on a v1 host): all the ready leaves together
 * hold no more fds than {@link FdLimit#readyLeaves()} allows, so near a low fd
 * limit there are fewer of them, or none.
 */
final class ReadyLeaves {
    private static final Logger LOG = LoggerFactory.getLogger(ReadyLeaves.class);
    private static final int PER_SHAPE = 2;
    private static final int SHAPES = 4;
    private static final long FD_BUDGET = FdLimit.readyLeaves();

    interface Maker {
        CgroupLeaf make() throws Exception;
    }

    private final Map<Object, Deque<CgroupLeaf>> ready = new HashMap<>();
    private final Map<Object, Integer> making = new HashMap<>();
    /** Shapes whose leaf could not be made ahead (e.g. no delegation): made on demand from then on. */
    private final Set<Object> refused = new HashSet<>();

    private final ExecutorService thread;
    /** Bumped by release(): leaves made for an older epoch are discarded, not kept. */
    private long epoch;
    /** The fds of the leaves ready or being made. */
    private long heldFds;
    /** After a release at the fd limit: how many more takes make no leaf ahead. */
    private int paused;
    /** Set by shutdown(): no more leaves are made ahead. */
    private boolean shut;

    /** The thread that makes leaves gets this name, and is started at the first take. */
    ReadyLeaves(String threadName) {
        thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A ready leaf of this shape, whose leaves hold fds each, or null; asks for another one in the
     * background either way.
     */
    CgroupLeaf take(Object shape, int fds, Maker maker) {
        CgroupLeaf leaf;
        long asked;
        synchronized (this) {
            Deque<CgroupLeaf> q = ready.get(shape);
            leaf = q == null ? null : q.poll();
            if (leaf != null) {
                heldFds -= fds;
            }
            if (shut || refused.contains(shape) || q == null && ready.size() >= SHAPES) {
                return null; // enough shapes kept ready; this one is made on demand
            }
            ready.computeIfAbsent(shape, k -> new ArrayDeque<>());
            int inFlight = making.getOrDefault(shape, 0);
            if (ready.get(shape).size() + inFlight >= PER_SHAPE || heldFds + fds > FD_BUDGET) {
                return leaf;
            }
            if (paused > 0) {
                paused--;
                return leaf;
            }
            making.put(shape, inFlight + 1);
            heldFds += fds;
            asked = epoch;
        }
        thread.execute(() -> makeOne(shape, fds, maker, asked));
        return leaf;
    }

    private void makeOne(Object shape, int fds, Maker maker, long asked) {
        CgroupLeaf made = null;
        boolean atFdLimit = false;
        try {
            made = maker.make();
        } catch (Exception e) {
            atFdLimit = e instanceof SetupFailure i && i.errno() == Errno.EMFILE;
            LOG.debug("no cgroup leaf made ahead: {}", e.getMessage());
        }
        synchronized (this) {
            making.merge(shape, -1, Integer::sum);
            if (made == null && !atFdLimit) {
                refused.add(shape);
            }
            if (made != null && asked == epoch && !shut && ready.containsKey(shape)) {
                ready.get(shape).add(made);
                return;
            }
            heldFds -= fds;
        }
        if (made != null) {
            made.discard();
        }
    }

    /**
     * Removes every ready leaf and waits for one being made; later take() calls make them (and
     * retry refused shapes) again, after pauseTakes of them that make none (at the fd limit, so
     * that the spawns that follow find the fds free).
     */
    void release(int pauseTakes) {
        List<CgroupLeaf> all = new ArrayList<>();
        synchronized (this) {
            paused = pauseTakes;
            epoch++;
            ready.values().forEach(all::addAll);
            for (CgroupLeaf leaf : all) {
                heldFds -= leaf.fds();
            }
            ready.clear();
            refused.clear();
        }
        all.forEach(CgroupLeaf::discard);
        try {
            thread.submit(() -> {}).get(10, TimeUnit.SECONDS); // what was being made is discarded by now
        } catch (RejectedExecutionException shutDown) {
            // shutdown() waits for the thread itself
        } catch (Exception e) {
            LOG.debug("cgroup leaves still being made: {}", e.toString());
        }
    }

    /** Removes every ready leaf, waits for one being made (then removed) and ends the thread; for good. */
    void shutdown() {
        synchronized (this) {
            shut = true;
        }
        release(0);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the thread making cgroup leaves ahead did not end within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
