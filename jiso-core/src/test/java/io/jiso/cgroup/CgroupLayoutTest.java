package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jiso.plan.FeatureUnavailable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Layout detection from mountinfo and /proc/self/cgroup of the three kinds of host. */
class CgroupLayoutTest {
    static final String PURE_V2_MOUNTS = """
            22 1 0:21 / /proc rw,nosuid - proc proc rw
            30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;

    // this machine: v1 controllers, a named systemd hierarchy, and a v2 tree at unified
    static final String HYBRID_MOUNTS = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    static final String HYBRID_CGROUP = """
            9:name=systemd:/
            8:pids:/
            4:memory:/process_api/1e86
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    // an old distribution: cpu and cpuacct co-mounted, no cgroup2 at all
    static final String PURE_V1_MOUNTS = """
            25 18 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
            28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
            29 25 0:26 / /sys/fs/cgroup/memory rw,nosuid shared:10 - cgroup cgroup rw,memory
            30 25 0:27 / /sys/fs/cgroup/freezer rw,nosuid shared:11 - cgroup cgroup rw,freezer
            32 25 0:29 / /sys/fs/cgroup/devices rw,nosuid shared:13 - cgroup cgroup rw,devices
            31 25 0:28 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:12 - cgroup cgroup rw,net_cls,net_prio
            """;
    static final String PURE_V1_CGROUP = """
            6:devices:/user.slice
            5:net_cls,net_prio:/
            4:freezer:/user/1000
            3:memory:/user.slice
            2:cpu,cpuacct:/user.slice
            """;

    @Test
    void pureV2() throws Exception {
        Layout l = Layout.parse(PURE_V2_MOUNTS, "0::/system.slice/ci.service\n");
        assertEquals(Layout.Kind.V2, l.kind());
        assertEquals(Path.of("/sys/fs/cgroup"), l.v2Mount());
        assertEquals(Path.of("/sys/fs/cgroup/system.slice/ci.service"), l.v2OwnDir());
        assertNull(l.v1For(Controller.MEMORY));
    }

    @Test
    void hybridLikeThisMachine() throws Exception {
        Layout l = Layout.parse(HYBRID_MOUNTS, HYBRID_CGROUP);
        assertEquals(Layout.Kind.HYBRID, l.kind());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), l.v2Mount());
        assertEquals(
                Path.of("/sys/fs/cgroup/memory/process_api/1e86"),
                l.v1For(Controller.MEMORY).ownDir());
        assertEquals(
                Path.of("/sys/fs/cgroup/cpuacct"), l.v1For(Controller.CPUACCT).ownDir());
        assertEquals(5, l.v1().size(), "name=systemd carries no controller");
        assertNull(l.v1For(Controller.IO), "no blkio mount in this fixture: io would be a v2 controller");
    }

    @Test
    void pureV1WithCoMountedControllers() throws Exception {
        Layout l = Layout.parse(PURE_V1_MOUNTS, PURE_V1_CGROUP);
        assertEquals(Layout.Kind.V1, l.kind());
        assertNull(l.v2Mount());
        assertEquals(l.v1For(Controller.CPU), l.v1For(Controller.CPUACCT));
        assertEquals(
                Path.of("/sys/fs/cgroup/cpu,cpuacct/user.slice"),
                l.v1For(Controller.CPU).ownDir());
        assertEquals(
                Path.of("/sys/fs/cgroup/freezer/user/1000"),
                l.v1For(Controller.FREEZER).ownDir());
        assertEquals(
                Path.of("/sys/fs/cgroup/devices/user.slice"),
                l.v1For(Controller.DEVICES).ownDir(),
                "the devices list is pure v1's device restriction");
    }

    @Test
    void containerSeesOnlyItsSubtree() throws Exception {
        // a bind-mounted subtree: mount root /docker/abc, the process in /docker/abc/app
        String mounts = "40 30 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        assertEquals(
                Path.of("/sys/fs/cgroup/app"),
                Layout.parse(mounts, "0::/docker/abc/app\n").v2OwnDir());
        assertEquals(
                Path.of("/sys/fs/cgroup"),
                Layout.parse(mounts, "0::/elsewhere\n").v2OwnDir());
        String escaped = "40 30 0:30 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n";
        assertEquals(
                Path.of("/sys/fs/my cgroup"), Layout.parse(escaped, "0::/\n").v2Mount());
    }

    @Test
    void noCgroupsAtAll() {
        assertThrows(
                FeatureUnavailable.class,
                () -> Layout.parse(PURE_V2_MOUNTS.lines().findFirst().get(), ""));
    }

    @Test
    void thisHost() throws Exception {
        Layout l = Cgroups.layout();
        System.out.println("[cgroup layout] " + l);
        assertNotNull(l.kind());
    }
}
