package io.jiso.cgroup;

import java.util.List;

/**
 * The hierarchies a leaf is in that runtimes read their limits from (memory,
 * cpu, cpuacct, cpuset, pids), for mounting them inside the sandbox rooted at
 * the leaf: the v2 tree, and each v1 hierarchy with its mount point's name on
 * the host ("memory", "cpu,cpuacct") and the controllers to mount it with.
 * Only hierarchies the leaf has a directory in are listed: in any other the
 * sandbox's cgroup namespace would be rooted at the JVM's own cgroup.
 */
public record LeafHierarchies(boolean unified, List<V1> v1) {
    /** A v1 hierarchy: the directory name under /sys/fs/cgroup and the mount's options. */
    public record V1(String name, String options) {}

    public LeafHierarchies {
        v1 = List.copyOf(v1);
    }
}
