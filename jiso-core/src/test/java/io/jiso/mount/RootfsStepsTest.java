package io.jiso.mount;

import static io.jiso.plan.PlanSteps.described;
import static io.jiso.plan.PlanSteps.indexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.mount.FsOp.Bind;
import io.jiso.mount.FsOp.MaskProc;
import io.jiso.mount.FsOp.Proc;
import io.jiso.mount.FsOp.Symlink;
import io.jiso.mount.FsOp.SystemBind;
import io.jiso.mount.FsOp.Tmpfs;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.mount_attr;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A root built from a copy of the host's mount namespace, as plan data: the
 * order that keeps the host's tree out of reach of the caller's paths, and
 * what the host's root (hostRoot()) keeps.
 */
class RootfsStepsTest {
    private static final List<FsOp> PRESET = List.of(
            new SystemBind("/usr"),
            new Symlink("usr/bin", "/bin"),
            new Tmpfs("/tmp", 1 << 20, "1777"),
            new Proc(true),
            new MaskProc());
    private static final Bind WORK = new Bind("/srv/work", "/srv/work", "/work", true, false);

    private final Arena arena = Arena.ofConfined();
    private final StepList list = new StepList(arena);

    @AfterEach
    void free() {
        arena.close();
    }

    /** The index of the first step with call name, after from; -1 if none. */
    private static int next(List<Decoded> s, String call, int from) {
        for (int i = from + 1; i < s.size(); i++) {
            if (s.get(i).call().equals(call)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aFreshRootClonesTheCallersSourcesBeforePivotingAndDetachesTheHostBeforeTheirTargets() {
        RootfsSteps.build(list, true, PRESET, List.of(WORK), null);
        List<Decoded> s = PlanSteps.of(list);

        Decoded first = s.getFirst();
        assertEquals("make all mounts private", first.what());
        assertEquals(Linux.MS_REC | Linux.MS_PRIVATE, first.args()[3], "nothing propagates back to the host");

        int clone = next(s, "open_tree", -1);
        int pivot = next(s, "pivot_root", -1);
        int usr = indexOf(s, "bind /usr on /usr");
        int detach = indexOf(s, "detach the old root");
        int attach = indexOf(s, "attach the bind on /work");
        assertTrue(0 < clone && clone < pivot, "the source is cloned while the host's root is /");
        assertTrue(pivot < usr && usr < detach, "the system binds come from /oldroot");
        assertEquals("/oldroot/usr", s.get(usr).string(0));
        assertTrue(detach < attach);
        for (int i = detach; i < s.size(); i++) {
            if (s.get(i).call().equals("openat2")) {
                String path = s.get(i).string(1);
                assertFalse(path.startsWith("/") || path.startsWith("oldroot"), "resolved after the detach: " + path);
            }
        }
        assertEquals(Linux.MNT_DETACH, s.get(detach).args()[1]);
        assertEquals("remove /oldroot", s.get(detach + 1).what());

        Decoded last = s.getLast();
        assertEquals("make the root read-only", last.what());
        assertEquals("/", last.string(1));
        assertEquals(
                Linux.MOUNT_ATTR_RDONLY | Linux.MOUNT_ATTR_NOSUID | Linux.MOUNT_ATTR_NODEV,
                mount_attr.attr_set(PlanSteps.at(last.args()[3], mount_attr.sizeof())));
    }

    @Test
    void theNewRootIsATmpfsEnteredWithPivotRoot() {
        RootfsSteps.build(list, true, List.of(), List.of(), null);
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(
                List.of(
                        "mount",
                        "mount",
                        "chdir",
                        "mkdirat",
                        "pivot_root",
                        "chdir",
                        "umount2",
                        "unlinkat",
                        "mount_setattr"),
                PlanSteps.calls(s));
        Decoded tmpfs = s.get(1);
        assertEquals("tmpfs", tmpfs.string(2));
        assertEquals(Linux.MS_NOSUID | Linux.MS_NODEV, tmpfs.args()[3]);
        Decoded pivot = s.get(4);
        assertEquals(".", pivot.string(0));
        assertEquals("oldroot", pivot.string(1));
        assertEquals("/", s.get(5).string(0));
    }

    @Test
    void theHostsRootKeepsItsTreeAndGetsThePresetsMountsThenTheCallers() {
        RootfsSteps.build(list, false, RootPresets.hostRoot(4 << 20, true), List.of(WORK), null);
        List<Decoded> s = PlanSteps.of(list);
        List<String> calls = PlanSteps.calls(s);
        assertFalse(calls.contains("pivot_root"));
        assertFalse(calls.contains("umount2"), "nothing of the host's is detached");
        assertEquals(-1, indexOf(s, "make the root read-only"), "the host's root stays as it is");
        Decoded tmp = described(s, "mount tmpfs on /tmp");
        assertEquals("/tmp", tmp.string(1), "by path: the tree is the host's, before any caller's mount");
        assertEquals("mode=1777,size=" + (4 << 20), tmp.string(4));
        assertTrue(indexOf(s, "mount proc on /proc") < indexOf(s, "hide /proc/kcore"));
        assertTrue(indexOf(s, "hide /proc/kcore") < indexOf(s, "attach the bind on /work"));
    }

    @Test
    void aCallersMountBeneathAnEarlierOneIsResolvedFromIt() {
        List<FsOp> mounts =
                List.of(WORK, new Tmpfs("/work/tmp", 1 << 20, "0755"), new Tmpfs("/workshop", 1 << 20, "0755"));
        RootfsSteps.build(list, true, PRESET, mounts, null);
        List<Decoded> s = PlanSteps.of(list);
        // /work/tmp: /work is open from the root as one path, tmp made in it
        int enterTmp = indexOf(s, "enter /work/tmp");
        Decoded openTmp = s.get(enterTmp - 1);
        Decoded mkdirTmp = s.get(enterTmp - 2);
        Decoded openWork = s.get(enterTmp - 3);
        assertEquals("tmp", mkdirTmp.string(1));
        assertEquals("work", openWork.string(1));
        assertTrue(mkdirTmp.argFrom(0, openWork) && openTmp.argFrom(0, openWork));
        // /workshop is not beneath /work: made in the root
        int enterShop = indexOf(s, "enter /workshop");
        Decoded mkdirShop = s.get(enterShop - 2);
        assertEquals("workshop", mkdirShop.string(1));
        Decoded root = described(s, "open the new root");
        assertTrue(root.index() > indexOf(s, "remove /oldroot"), "the new root, once the host's is gone");
        assertTrue(mkdirShop.argFrom(0, root));
    }

    @Test
    void theDeepestEarlierMountContainingAPathIsWhereItsLookupStarts() {
        List<String> mounted = new ArrayList<>(List.of("/tmp", "/work", "/work/out"));
        assertEquals("/work/out", RootfsSteps.deepestMounted(mounted, "/work/out/a", "/"));
        assertEquals("/work", RootfsSteps.deepestMounted(mounted, "/work/outside", "/"), "a prefix is no parent");
        assertEquals("/tmp", RootfsSteps.deepestMounted(mounted, "/tmp", "/"));
        assertEquals("/", RootfsSteps.deepestMounted(mounted, "/srv", "/"));
        assertEquals(null, RootfsSteps.deepestMounted(mounted, "/tmpx", null));
        RootfsSteps.addMountPoint(mounted, new MaskProc());
        assertEquals(3, mounted.size(), "an op that mounts nothing has no mount point");
        RootfsSteps.addMountPoint(mounted, new Proc(true));
        assertEquals("/proc", mounted.getLast());
    }
}
