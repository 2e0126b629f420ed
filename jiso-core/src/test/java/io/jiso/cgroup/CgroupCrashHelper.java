package io.jiso.cgroup;

import io.jiso.IsolatedProcess;
import io.jiso.IsolatedProcessBuilder;

/**
 * Run in a separate JVM by {@link CgroupSweepTest}: makes a leaf with a
 * sleeping child in it, a sandbox that runs and one that has finished, says
 * READY, and waits to be killed with SIGKILL.
 */
public final class CgroupCrashHelper {
    private CgroupCrashHelper() {
    }

    public static void main(String[] args) throws Exception {
        CgroupLeaf leaf = Cgroups.create(CgroupLimits.builder().pidsMax(32).build());
        Process sleeper = CgroupTestSupport.startIn(leaf, "sleep", "1000");
        IsolatedProcess running = new IsolatedProcessBuilder("sleep", "1000").pidsMax(16).start();
        IsolatedProcess finished = new IsolatedProcessBuilder("true").pidsMax(16).start();
        if (finished.waitFor() != 0) {
            throw new AssertionError("true failed");
        }
        Thread.sleep(200); // the background thread makes the next ready leaves
        System.out.println("READY " + leaf.name() + " " + sleeper.pid() + " " + running.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
