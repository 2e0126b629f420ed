package io.jiso.cgroup;

import io.jiso.IsolatedProcess;
import io.jiso.IsolatedProcessBuilder;

/**
 * Run in a separate JVM by {@link CgroupSweepTest}: makes a leaf with a
 * sleeping child in it, a sandbox that runs and one that has finished, says
 * READY, and waits to be killed with SIGKILL.
 */
public final class CgroupCrashHelper {
    private CgroupCrashHelper() {}

    public static void main(String[] args) throws Exception {
        CgroupLeaf leaf = Cgroups.create(CgroupLimits.builder().pidsMax(32).build());
        Process sleeper = CgroupTestSupport.startIn(leaf, "sleep", "1000");
        IsolatedProcess running =
                new IsolatedProcessBuilder("sleep", "1000").pidsMax(16).start();
        IsolatedProcess finished =
                new IsolatedProcessBuilder("true").pidsMax(16).start();
        if (finished.waitFor() != 0) {
            throw new AssertionError("true failed");
        }
        awaitSettledLeaves();
        System.out.println("READY " + leaf.name() + " " + sleeper.pid() + " " + running.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Background threads remove the finished sandbox's leaf and make the next
     * ready ones after the exit: the test compares two listings of this JVM's
     * leaves, so READY waits until they stop changing (on a slow host that
     * takes seconds).
     */
    private static void awaitSettledLeaves() throws InterruptedException {
        long pid = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + 60_000_000_000L * CgroupTestSupport.SLOW;
        var last = CgroupSweepTest.leavesOf(pid);
        int stable = 0;
        while (stable < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100 * CgroupTestSupport.SLOW);
            var now = CgroupSweepTest.leavesOf(pid);
            stable = now.equals(last) ? stable + 1 : 0;
            last = now;
        }
    }
}
