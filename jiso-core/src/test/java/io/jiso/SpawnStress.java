package io.jiso;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spawns /bin/true with full default isolation from several threads while
 * others churn garbage, and prints one line of counts for {@link SpawnStressTest}.
 * Run in its own JVM (the test sets -Xmx256m).
 */
public final class SpawnStress {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int perThread = Integer.parseInt(args[1]);
        Run.sh("true").ok(); // the stage, reaper and spawner threads exist before the baseline
        Leftovers before = Leftovers.now();
        AtomicBoolean churn = new AtomicBoolean(true);
        AtomicLong garbage = new AtomicLong();
        List<Thread> churners = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                while (churn.get()) {
                    byte[][] junk = new byte[64][];
                    for (int j = 0; j < junk.length; j++) {
                        junk[j] = new byte[16 * 1024];
                    }
                    garbage.addAndGet(junk.length);
                }
            });
            t.start();
            churners.add(t);
        }
        AtomicInteger spawns = new AtomicInteger();
        AtomicInteger hangs = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<Thread> spawners = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                for (int j = 0; j < perThread; j++) {
                    try {
                        IsolatedProcess p = new IsolatedProcessBuilder("/bin/true")
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .redirectError(ProcessBuilder.Redirect.DISCARD)
                                .start();
                        p.getOutputStream().close();
                        if (!p.waitFor(30, TimeUnit.SECONDS)) {
                            hangs.incrementAndGet();
                            p.destroyForcibly();
                        } else if (p.exitValue() != 0) {
                            failures.incrementAndGet();
                        }
                        spawns.incrementAndGet();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        e.printStackTrace();
                    }
                }
            });
            t.start();
            spawners.add(t);
        }
        for (Thread t : spawners) {
            t.join();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        churn.set(false);
        for (Thread t : churners) {
            t.join();
        }
        Leftovers after = Leftovers.now();
        System.out.println("RESULT spawns=" + spawns + " hangs=" + hangs + " failures=" + failures + " millis=" + millis
                + " garbageMiB=" + garbage.get() / 64 + " fdsBefore=" + before.fds() + " fdsAfter=" + after.fds()
                + " mountsBefore=" + before.mounts() + " mountsAfter=" + after.mounts()
                + " children=[" + after.children() + "]");
    }
}
