package io.jiso.cgroup;

/**
 * The cgroup controllers jiso uses, with their names in each version. A null
 * v2 name means v2 has the feature in every cgroup without a controller
 * (cpu.stat replaces cpuacct, cgroup.freeze replaces the freezer, a
 * BPF_PROG_TYPE_CGROUP_DEVICE program replaces the devices lists).
 */
enum Controller {
    MEMORY("memory", "memory"),
    CPU("cpu", "cpu"),
    CPUACCT(null, "cpuacct"),
    CPUSET("cpuset", "cpuset"),
    IO("io", "blkio"),
    PIDS("pids", "pids"),
    HUGETLB("hugetlb", "hugetlb"),
    FREEZER(null, "freezer"),
    DEVICES(null, "devices");

    final String v2Name;
    final String v1Name;

    Controller(String v2Name, String v1Name) {
        this.v2Name = v2Name;
        this.v1Name = v1Name;
    }
}
