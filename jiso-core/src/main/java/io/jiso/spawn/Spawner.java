package io.jiso.spawn;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that create children. PR_SET_PDEATHSIG fires when the parent
 * *thread* ends, so a child created from a short-lived thread (a retiring
 * pool thread, a virtual thread's carrier) would be killed with it. These
 * daemon threads never end, so a child dies with the JVM and not before.
 * Each owns the native memory of its spawns.
 */
final class Spawner {
    private Spawner() {
    }

    private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ThreadLocal<SpawnMemory> MEMORY = ThreadLocal.withInitial(SpawnMemory::new);
    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, task -> {
        Thread t = new Thread(task, "jiso-spawner-" + COUNTER.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** What a spawn does on a spawner thread, with that thread's memory. */
    interface Job<T> {
        T run(SpawnMemory memory) throws IOException;
    }

    static <T> T run(Job<T> job) throws IOException {
        Callable<T> task = () -> {
            try (SpawnMemory memory = MEMORY.get().reset()) {
                return job.run(memory);
            }
        };
        // submit(), not execute(): an exception must not end the thread (and kill its children).
        Future<T> result = POOL.submit(task);
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
