package io.jiso.mount;

import static io.jiso.plan.PlanSteps.described;
import static io.jiso.plan.PlanSteps.descriptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.cgroup.LeafHierarchies;
import io.jiso.mount.FsOp.Bind;
import io.jiso.mount.FsOp.CgroupFs;
import io.jiso.mount.FsOp.DeviceNode;
import io.jiso.mount.FsOp.File;
import io.jiso.mount.FsOp.Proc;
import io.jiso.mount.FsOp.SystemBind;
import io.jiso.mount.FsOp.Tmpfs;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.mount_attr;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What each file-system op becomes, as plan data: the system calls, their
 * paths and flags, and which fd each works on (the kernel tests look at the
 * mounts a sandbox then sees).
 */
class FsOpStepsTest {
    private static final long ATTR_RO = Linux.MOUNT_ATTR_RDONLY | Linux.MOUNT_ATTR_NOSUID | Linux.MOUNT_ATTR_NODEV;
    private static final long ATTR_RW = Linux.MOUNT_ATTR_NOSUID | Linux.MOUNT_ATTR_NODEV;

    private final Arena arena = Arena.ofConfined();
    private final StepList steps = new StepList(arena);

    @AfterEach
    void free() {
        arena.close();
    }

    private static long attrSet(Decoded setattr) {
        return mount_attr.attr_set(PlanSteps.at(setattr.args()[3], mount_attr.sizeof()));
    }

    @Test
    void aSystemDirectoryIsABindOfTheHostsTreeMadeReadOnlyAsAWhole() {
        new FsOpSteps(steps).build(new SystemBind("/usr"), "/oldroot");
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(List.of("mkdirat", "mount", "mount_setattr"), PlanSteps.calls(s));
        assertEquals("/usr", s.get(0).string(1));
        assertTrue(s.get(0).tolerates(Linux.EEXIST), "a directory the template has already is fine");
        Decoded bind = s.get(1);
        assertEquals("/oldroot/usr", bind.string(0), "the source is the host's tree, moved to /oldroot");
        assertEquals("/usr", bind.string(1));
        assertEquals(Linux.MS_BIND | Linux.MS_REC, bind.args()[3], "the mounts beneath /usr come too");
        Decoded ro = s.get(2);
        assertEquals("/usr", ro.string(1));
        assertEquals(Linux.AT_RECURSIVE, ro.args()[2], "read-only down the whole bound tree");
        assertEquals(ATTR_RO, attrSet(ro));
    }

    @Test
    void aFileOfTheRootIsCreatedExclusivelyAndWrittenWhole() {
        String hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
        new FsOpSteps(steps).build(new File("/etc/hosts", hosts), "/oldroot");
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(List.of("openat", "write", "close"), PlanSteps.calls(s));
        assertEquals("/etc/hosts", s.get(0).string(1));
        long flags = s.get(0).args()[2];
        assertEquals(
                Linux.O_CREAT | Linux.O_EXCL,
                flags & (Linux.O_CREAT | Linux.O_EXCL),
                "a file found there already fails: the root is a fresh tmpfs");
        assertEquals(0644, s.get(0).args()[3]);
        Decoded write = s.get(1);
        assertTrue(write.argFrom(0, s.get(0)), "written through the fd the open returned");
        assertEquals(hosts.length(), write.args()[2], "no NUL written");
        assertEquals(hosts, PlanSteps.bytes(write.args()[1], write.args()[2]));
        assertTrue(s.get(2).argFrom(0, s.get(0)));
    }

    @Test
    void aDeviceNodeIsTheHostsNodeBoundOnAnEmptyFileWithoutItsSubmounts() {
        new FsOpSteps(steps).build(new DeviceNode("/dev/null"), "/oldroot");
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(List.of("openat", "close", "mount"), PlanSteps.calls(s));
        assertEquals("/dev/null", s.get(0).string(1));
        Decoded bind = s.get(2);
        assertEquals("/oldroot/dev/null", bind.string(0));
        assertEquals(Linux.MS_BIND, bind.args()[3]);
    }

    @Test
    void opsGoOnlyWhereTheyBelong() {
        FsOpSteps ops = new FsOpSteps(steps);
        IllegalArgumentException perSandbox = assertThrows(
                IllegalArgumentException.class, () -> ops.build(new Tmpfs("/tmp", 1 << 20, "1777"), "/oldroot"));
        assertTrue(perSandbox.getMessage().contains("not part of a template"), perSandbox.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ops.mountPreset(new SystemBind("/usr"), "", true));
        assertThrows(IllegalArgumentException.class, () -> ops.mountCaller(new Proc(true), "/"));
    }

    @Test
    void aNewProcIsANewInstanceWithoutSuidDevicesOrExec() {
        new FsOpSteps(steps).mountPreset(new Proc(true), "", true);
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(List.of("mkdirat", "mount"), PlanSteps.calls(s));
        assertEquals(0555, s.get(0).args()[2], "/proc's mount point is not writable");
        Decoded mount = s.get(1);
        assertEquals("proc", mount.string(2));
        assertEquals("/proc", mount.string(1));
        assertEquals(Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC, mount.args()[3]);
    }

    @Test
    void theHostsProcIsClonedWhileInSightThenAttachedNosuidNodev() {
        Proc proc = new Proc(false);
        FsOpSteps ops = new FsOpSteps(steps);
        ops.cloneHostTrees(List.of(proc), true);
        ops.mountPreset(proc, "", false);
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(List.of("open_tree", "move_mount", "mount_setattr"), PlanSteps.calls(s));
        assertEquals("/proc", s.get(0).string(1));
        assertTrue(s.get(1).argFrom(0, s.get(0)), "the clone is what is attached");
        assertEquals("/proc", s.get(1).string(3));
        assertEquals(ATTR_RW, attrSet(s.get(2)), "the host's /proc stays writable where it was");

        // without a clone (a fresh root built from the host's tree): a bind from where the host's tree is
        StepList other = new StepList(arena);
        new FsOpSteps(other).mountPreset(proc, "/oldroot", true);
        Decoded bind = described(PlanSteps.of(other), "bind /proc on /proc");
        assertEquals("/oldroot/proc", bind.string(0));
        assertEquals(Linux.MS_BIND | Linux.MS_REC, bind.args()[3]);
    }

    @Test
    void aCallersBindIsOpenedWithoutSymlinksClonedRestrictedAndThenAttached() {
        Bind ro = new Bind("/srv/judge/42", "/srv/judge/42", "/judge", false, false);
        Bind rw = new Bind("/srv/work/out", "/srv/work/out", "/judge/out", true, false);
        FsOpSteps ops = new FsOpSteps(steps);
        ops.cloneHostTrees(List.of(ro, rw), false);
        ops.mountCaller(ro, "/");
        ops.mountCaller(rw, "/judge");
        List<Decoded> s = PlanSteps.of(steps);

        Decoded openSource = s.get(0);
        assertEquals("openat2", openSource.call());
        assertEquals("/srv/judge/42", openSource.string(1));
        Decoded tree = s.get(1);
        assertEquals("open_tree", tree.call());
        assertTrue(tree.argFrom(0, openSource), "the tree cloned is the one opened, not a path looked up again");
        assertEquals(Linux.OPEN_TREE_CLONE, tree.args()[2] & Linux.OPEN_TREE_CLONE);

        Decoded setRo = described(s, "set read-only on /judge");
        Decoded setRw = described(s, "set nosuid,nodev on /judge/out");
        assertTrue(setRo.argFrom(0, tree), "restricted on the detached tree, before it is attached");
        assertEquals(ATTR_RO, attrSet(setRo));
        assertEquals(ATTR_RW, attrSet(setRw));
        Decoded attach = described(s, "attach the bind on /judge");
        assertTrue(setRo.index() < attach.index());
        assertTrue(attach.argFrom(0, tree));
        Decoded target = s.get(attach.index() - 2);
        assertEquals("openat2", target.call());
        assertTrue(attach.argFrom(2, target), "attached onto the fd of the target resolved beneath the root");
        assertEquals(Linux.MOVE_MOUNT_F_EMPTY_PATH | Linux.MOVE_MOUNT_T_EMPTY_PATH, attach.args()[4]);
    }

    @Test
    void aCallersTmpfsIsMountedOnTheResolvedDirectoryNotOnAPath() {
        FsOpSteps ops = new FsOpSteps(steps);
        ops.mountCaller(new Tmpfs("/scratch", 16 << 20, "0755,uid=1000,gid=1000"), "/");
        List<Decoded> s = PlanSteps.of(steps);
        Decoded enter = described(s, "enter /scratch");
        assertEquals("fchdir", enter.call());
        assertTrue(enter.argFrom(0, s.get(enter.index() - 1)), "the directory just resolved");
        Decoded mount = s.get(enter.index() + 1);
        assertEquals("mount", mount.call());
        assertEquals(".", mount.string(1));
        assertEquals("tmpfs", mount.string(2));
        assertEquals("mode=0755,uid=1000,gid=1000,size=" + (16 << 20), mount.string(4));
        assertEquals(Linux.MS_NOSUID | Linux.MS_NODEV, mount.args()[3]);
    }

    @Test
    void withoutALeafTheCgroupFileSystemMountsNothing() {
        new FsOpSteps(steps, null).mountPreset(new CgroupFs("/sys/fs/cgroup"), "", true);
        assertEquals(0, steps.size());
        new FsOpSteps(steps, new LeafHierarchies(false, List.of()))
                .mountPreset(new CgroupFs("/sys/fs/cgroup"), "", true);
        assertEquals(0, steps.size());
    }

    @Test
    void onAPureV2HostTheLeafIsOneReadOnlyCgroup2Mount() {
        new FsOpSteps(steps, new LeafHierarchies(true, List.of()))
                .mountPreset(new CgroupFs("/sys/fs/cgroup"), "", false);
        List<Decoded> s = PlanSteps.of(steps);
        Decoded mount = described(s, "mount cgroup2 on /sys/fs/cgroup read-only");
        assertEquals(s.size() - 1, mount.index(), "nothing after it");
        assertEquals("cgroup2", mount.string(2));
        assertEquals(".", mount.string(1));
        long flags = Linux.MS_RDONLY | Linux.MS_NOSUID | Linux.MS_NODEV | Linux.MS_NOEXEC;
        assertEquals(flags, mount.args()[3]);
        assertEquals("fchdir", s.get(mount.index() - 1).call());
        assertFalse(
                descriptions(s).stream().anyMatch(d -> d.startsWith("mount tmpfs")),
                descriptions(s).toString());
    }

    @Test
    void onV1EachHierarchyOfTheLeafIsMountedInATmpfsMadeReadOnlyLast() {
        LeafHierarchies hybrid = new LeafHierarchies(
                true,
                List.of(
                        new LeafHierarchies.V1("cpu,cpuacct", "cpu,cpuacct"),
                        new LeafHierarchies.V1("memory", "memory")));
        new FsOpSteps(steps, hybrid).mountPreset(new CgroupFs("/sys/fs/cgroup"), "", false);
        List<Decoded> s = PlanSteps.of(steps);
        List<String> what = descriptions(s);
        int tmpfs = what.indexOf("mount tmpfs on /sys/fs/cgroup");
        int cpu = what.indexOf("mount cgroup (cpu,cpuacct) on /sys/fs/cgroup/cpu,cpuacct read-only");
        int memory = what.indexOf("mount cgroup (memory) on /sys/fs/cgroup/memory read-only");
        int unified = what.indexOf("mount cgroup2 on /sys/fs/cgroup/unified read-only");
        int readOnly = what.indexOf("make the tmpfs on /sys/fs/cgroup read-only");
        assertTrue(0 < tmpfs && tmpfs < cpu && cpu < memory && memory < unified && unified < readOnly, what.toString());
        assertEquals(s.size() - 1, readOnly);
        assertEquals("cpu,cpuacct", s.get(cpu).string(4), "the hierarchy's controllers as mount options");
        assertEquals("cgroup", s.get(cpu).string(2));
        assertEquals("memory", s.get(memory).string(1));
        assertEquals(0, s.get(unified).args()[4], "cgroup2 takes no options");
        assertEquals(ATTR_RO, attrSet(s.get(readOnly)));
    }
}
