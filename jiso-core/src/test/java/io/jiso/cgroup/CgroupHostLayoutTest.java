package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.FakeHost;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layout detection from other hosts' /proc/self/mountinfo and
 * /proc/self/cgroup, and where leaves go on them, without root or a cgroup
 * tree: the files come from a {@link FakeHost}.
 */
class CgroupHostLayoutTest {
    private static final Path CG = Path.of("/sys/fs/cgroup");

    @TempDir
    Path tmp;

    private FakeHost host;

    @BeforeEach
    void host() {
        host = new FakeHost(tmp);
    }

    private Layout detect(String mountinfo, String cgroup) throws Exception {
        host.procSelf(mountinfo, cgroup);
        return Layout.detect(host);
    }

    @Test
    void pureV2ReadsBothFilesOfTheHost() throws Exception {
        Layout l = detect(CgroupLayoutTest.PURE_V2_MOUNTS, "0::/system.slice/judge.service\n");
        assertEquals(Layout.Kind.V2, l.kind());
        assertEquals(CG, l.v2Mount());
        assertEquals(CG.resolve("system.slice/judge.service"), l.v2OwnDir());
        assertEquals(List.of(), l.v1());
    }

    @Test
    void hybridPutsEachControllerInOnePlace() throws Exception {
        Layout l = detect(CgroupLayoutTest.HYBRID_MOUNTS, CgroupLayoutTest.HYBRID_CGROUP);
        assertEquals(Layout.Kind.HYBRID, l.kind());
        assertEquals(CG.resolve("unified"), l.v2Mount());
        assertEquals(CG.resolve("unified"), l.v2OwnDir(), "0::/ is the root of the v2 tree");
        assertEquals(
                CG.resolve("memory/process_api/1e86"),
                l.v1For(Controller.MEMORY).ownDir());
        assertEquals(CG.resolve("pids"), l.v1For(Controller.PIDS).mount());
        assertNull(l.v1For(Controller.IO), "no blkio hierarchy: io is the v2 tree's");
        assertNull(l.v1For(Controller.FREEZER), "no freezer hierarchy: freezing is the v2 tree's");
    }

    @Test
    void pureV1() throws Exception {
        Layout l = detect(CgroupLayoutTest.PURE_V1_MOUNTS, CgroupLayoutTest.PURE_V1_CGROUP);
        assertEquals(Layout.Kind.V1, l.kind());
        assertNull(l.v2Mount());
        assertNull(l.v2OwnDir());
        assertEquals(Set.of("cpu", "cpuacct"), l.v1For(Controller.CPUACCT).controllers());
        assertEquals(
                CG.resolve("freezer/user/1000"), l.v1For(Controller.FREEZER).ownDir());
        assertEquals(
                CG.resolve("net_cls,net_prio"),
                l.v1().stream()
                        .filter(h -> h.controllers().contains("net_prio"))
                        .findFirst()
                        .orElseThrow()
                        .ownDir(),
                "its own cgroup is the root");
    }

    @Test
    void missingControllersAreNowhere() throws Exception {
        // pure v1 with only cpu and a named hierarchy: memory, pids, freezer are missing
        String mounts = """
                28 25 0:25 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
                29 25 0:26 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd
                """;
        Layout l = detect(mounts, "2:cpu:/a\n1:name=systemd:/a\n");
        assertEquals(Layout.Kind.V1, l.kind());
        assertEquals(1, l.v1().size(), "name=systemd carries no controller");
        assertNull(l.v1For(Controller.MEMORY));
        assertNull(l.v1For(Controller.PIDS));
        assertEquals(CG.resolve("cpu/a"), l.v1For(Controller.CPU).ownDir());
    }

    @Test
    void noCgroupMountIsAFeatureUnavailable() {
        host.procSelf("22 1 0:21 / /proc rw - proc proc rw\n", "0::/\n");
        FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> Layout.detect(host));
        assertTrue(e.getMessage().contains("neither cgroup2 nor a cgroup v1 controller is mounted"), e.getMessage());
    }

    @Test
    void unreadableProcFilesAreAHostSetupFailureNamingTheFile() {
        host.put(Path.of("/proc/self/mountinfo"), CgroupLayoutTest.PURE_V2_MOUNTS);
        HostSetupFailure e = assertThrows(HostSetupFailure.class, () -> Layout.detect(host));
        assertTrue(e.getMessage().contains("/proc/self/cgroup"), e.getMessage());
    }

    @Test
    void cgroupNamespaceRootIsTheMount() throws Exception {
        // a container with its own cgroup namespace: the tree is mounted from its root, the JVM at "/"
        String mounts = "700 690 0:30 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
        assertEquals(CG, detect(mounts, "0::/\n").v2OwnDir());
        assertEquals(CG.resolve("app"), detect(mounts, "0::/app\n").v2OwnDir());
        // moved out of its namespace's root: the kernel shows "/..", which is no directory of the mount
        assertEquals(CG, detect(mounts, "0::/../elsewhere\n").v2OwnDir());
        assertEquals(CG, detect(mounts, "0::/..\n").v2OwnDir());
    }

    @Test
    void boundSubtreeAndARemovedOwnCgroup() throws Exception {
        // without a namespace: a bind mount of /docker/abc, the JVM in /docker/abc/app
        String mounts = "40 30 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        assertEquals(CG.resolve("app"), detect(mounts, "0::/docker/abc/app\n").v2OwnDir());
        assertEquals(
                CG, detect(mounts, "0::/docker/abcdef\n").v2OwnDir(), "a sibling whose name starts alike is not below");
        assertEquals(
                CG.resolve("app"),
                detect(mounts, "0::/docker/abc/app (deleted)\n").v2OwnDir());
    }

    @Test
    void escapedPathsWithSpacesTabsAndBackslashes() throws Exception {
        String mounts = "40 30 0:30 /my\\040slice /mnt/c\\011g\\134x rw - cgroup2 cgroup2 rw\n";
        Layout l = detect(mounts, "0::/my slice/a b\n");
        assertEquals(Path.of("/mnt/c\tg\\x"), l.v2Mount());
        assertEquals(Path.of("/mnt/c\tg\\x/a b"), l.v2OwnDir());
    }

    @Test
    void theFirstMountOfAHierarchyCounts() throws Exception {
        String mounts = """
                32 31 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
                90 31 0:29 /sub /srv/memory-again rw - cgroup cgroup rw,memory
                41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
                91 31 0:38 / /srv/unified-again rw - cgroup2 cgroup2 rw
                """;
        Layout l = detect(mounts, "4:memory:/x\n0::/y\n");
        assertEquals(1, l.v1().size());
        assertEquals(CG.resolve("memory/x"), l.v1For(Controller.MEMORY).ownDir());
        assertEquals(CG.resolve("unified/y"), l.v2OwnDir());
    }

    @Test
    void rootPutsLeavesAtTheV2RootAndAUserInItsDelegatedCgroup() throws Exception {
        Layout l =
                detect(CgroupLayoutTest.PURE_V2_MOUNTS, "0::/user.slice/user-1000.slice/user@1000.service/app.slice\n");
        host.cgroupMount(CG, true, false);
        assertEquals(CG, Layout.leafBase(host, l.v2Mount(), l.v2OwnDir(), null, true), "root may write the v2 root");
        host.readOnly(CG);
        assertEquals(
                l.v2OwnDir(),
                Layout.leafBase(host, l.v2Mount(), l.v2OwnDir(), null, true),
                "a JVM that may not write the root: its own (delegated) cgroup");
    }

    @Test
    void onV1LeavesGoInTheJvmsOwnCgroupEvenWhereTheRootIsWritable() throws Exception {
        Layout l = detect(CgroupLayoutTest.HYBRID_MOUNTS, CgroupLayoutTest.HYBRID_CGROUP);
        Layout.V1Hierarchy memory = l.v1For(Controller.MEMORY);
        host.cgroupMount(memory.mount(), false, false);
        assertEquals(
                CG.resolve("memory/process_api/1e86"),
                Layout.leafBase(host, memory.mount(), memory.ownDir(), null, false));
    }

    @Test
    void theParentOptionWinsInEveryHierarchy() throws Exception {
        Layout l = detect(
                CgroupLayoutTest.HYBRID_MOUNTS, CgroupLayoutTest.HYBRID_CGROUP.replace("0::/", "0::/user.slice"));
        host.cgroupMount(l.v2Mount(), true, false);
        Path v2 = l.v2Mount();
        Path memory = l.v1For(Controller.MEMORY).mount();
        String parent = "/system.slice/judge.service/sandboxes";
        assertEquals(
                v2.resolve("system.slice/judge.service/sandboxes"),
                Layout.leafBase(host, v2, l.v2OwnDir(), parent, true));
        assertEquals(
                memory.resolve("system.slice/judge.service/sandboxes"),
                Layout.leafBase(host, memory, l.v1For(Controller.MEMORY).ownDir(), parent, false));
        assertEquals(
                v2.resolve("a/b"), Layout.leafBase(host, v2, l.v2OwnDir(), "  //a/b \n", true), "stripped, relative");
        assertEquals(
                memory,
                Layout.leafBase(host, memory, l.v1For(Controller.MEMORY).ownDir(), "/", false),
                "/ is the root");
        host.readOnly(v2);
        assertEquals(l.v2OwnDir(), Layout.leafBase(host, v2, l.v2OwnDir(), " ", true), "blank is no parent");
    }
}
