package io.jiso.spawn;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which thread creates a child. PR_SET_PDEATHSIG fires when the parent
 * *thread* ends, so a child that relies on it, created from a short-lived
 * thread (a retiring pool thread, a virtual thread's carrier), would be
 * killed with it: such children (no pid namespace, root templates' holders)
 * are made by daemon threads that live as long as their runtime ({@link #run}),
 * each with native memory of its own; the runtime's close() ends them after
 * it has killed its sandboxes. A sandbox under jiso-init watches the JVM
 * process itself and is made on the calling thread ({@link #runHere}).
 */
final class Spawner {
    private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final ThreadLocal<SpawnMemory> MEMORY = ThreadLocal.withInitial(SpawnMemory::new);
    private final AtomicInteger counter = new AtomicInteger();
    private final ExecutorService pool;

    /** Threads named threadPrefix-1, -2...; started when first needed. */
    Spawner(String threadPrefix) {
        pool = Executors.newFixedThreadPool(THREADS, task -> {
            Thread t = new Thread(task, threadPrefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Ends the threads (their children die with them: PR_SET_PDEATHSIG); for a runtime's close(). */
    void close(long timeoutMillis) {
        pool.shutdown();
        try {
            pool.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Spawn memory for runHere(), reused across threads; a few are kept, more are made when needed. */
    private static final BlockingQueue<SpawnMemory> SPARE = new ArrayBlockingQueue<>(THREADS * 2);

    /**
     * Runs a spawn on the calling thread, for children that must not die with
     * it (see ChildSteps: jiso-init holds a lifeline to the JVM instead of
     * PR_SET_PDEATHSIG). Handing a spawn to another thread costs two
     * wake-ups, and on a busy machine the second one waits behind the very
     * child just started: about 0.4 ms of a 2 ms spawn measured on 2 CPUs.
     */
    static <T> T runHere(Job<T> job) throws IOException {
        SpawnMemory memory = SPARE.poll();
        if (memory == null) {
            memory = new SpawnMemory();
        }
        try (SpawnMemory m = memory.reset()) {
            return job.run(m);
        } finally {
            SPARE.offer(memory);
        }
    }

    /** What a spawn does on a spawner thread, with that thread's memory. */
    interface Job<T> {
        T run(SpawnMemory memory) throws IOException;
    }

    <T> T run(Job<T> job) throws IOException {
        Callable<T> task = () -> {
            try (SpawnMemory memory = MEMORY.get().reset()) {
                return job.run(memory);
            }
        };
        // submit(), not execute(): an exception must not end the thread (and kill its children).
        Future<T> result = pool.submit(task);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the spawn is under way; it finishes in microseconds
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
