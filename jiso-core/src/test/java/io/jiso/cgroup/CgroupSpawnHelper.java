package io.jiso.cgroup;

import io.jiso.IsolatedProcess;
import io.jiso.IsolatedProcessBuilder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Run in a separate JVM by {@link CgroupShutdownTest}: spawns sandboxes with
 * a limit (so each has a leaf) in 8 threads, without end, each carrying the
 * marker given in its environment; says READY after the first.
 */
public final class CgroupSpawnHelper {
    private CgroupSpawnHelper() {}

    public static void main(String[] args) {
        AtomicBoolean said = new AtomicBoolean();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(
                    () -> {
                        while (true) {
                            try {
                                IsolatedProcessBuilder b = new IsolatedProcessBuilder("sleep", "0.2").pidsMax(32);
                                b.environment().put("JISO_TEST_MARKER", args[0]);
                                IsolatedProcess p = b.start();
                                if (!said.getAndSet(true)) {
                                    System.out.println("READY");
                                    System.out.flush();
                                }
                                p.waitFor();
                            } catch (Exception e) {
                                // refused once the JVM shuts down: try again, as a busy server would
                            }
                        }
                    },
                    "spawner-" + i);
            t.start();
        }
    }
}
