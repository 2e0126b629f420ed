package io.jiso.cgroup;

/**
 * Run in a separate JVM by {@link CgroupSweepTest}: makes a leaf with a
 * sleeping child in it, says READY, and waits to be killed with SIGKILL.
 */
public final class CgroupCrashHelper {
    private CgroupCrashHelper() {
    }

    public static void main(String[] args) throws Exception {
        CgroupLeaf leaf = Cgroups.create(CgroupLimits.builder().pidsMax(32).build());
        Process sleeper = CgroupTestSupport.startIn(leaf, "sleep", "1000");
        System.out.println("READY " + leaf.name() + " " + sleeper.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
