package io.jiso.mount;

import static io.jiso.plan.PlanSteps.indexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.mount.FsOp.Bind;
import io.jiso.mount.FsOp.Devpts;
import io.jiso.mount.FsOp.Directory;
import io.jiso.mount.FsOp.MaskProc;
import io.jiso.mount.FsOp.MountPoint;
import io.jiso.mount.FsOp.Proc;
import io.jiso.mount.FsOp.SystemBind;
import io.jiso.mount.FsOp.Tmpfs;
import io.jiso.nativegen.Linux;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Roots made from a template: which ops a template holds (and so which specs
 * share one), the template's own steps, and a sandbox's steps into its copy.
 */
class RootTemplateStepsTest {
    private static final List<FsOp> PRESET = List.of(
            new SystemBind("/usr"),
            new Directory("/dev", 0755),
            new Tmpfs("/tmp", 1 << 20, "1777"),
            new Proc(false),
            new MaskProc(),
            new Devpts("/dev/pts"));
    private static final Bind JUDGE = new Bind("/srv/judge/42", "/srv/judge/42", "/judge", false, false);
    private static final Bind SOLUTION = new Bind("/srv/s.py", "/srv/s.py", "/box/s.py", false, true);

    private final Arena arena = Arena.ofConfined();
    private final StepList list = new StepList(arena);

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void aTemplateHoldsTheSharedOpsAndAMountPointForEachMountMadePerSandbox() {
        List<FsOp> template = RootTemplateSteps.template(PRESET, List.of(JUDGE, SOLUTION));
        assertEquals(
                List.of(
                        new SystemBind("/usr"),
                        new Directory("/dev", 0755),
                        new MountPoint("/tmp", false),
                        new MountPoint("/proc", false),
                        new MountPoint("/dev/pts", false),
                        new MountPoint("/judge", false),
                        new MountPoint("/box/s.py", true)),
                template,
                "MaskProc mounts nothing of its own");
        assertTrue(template.stream().noneMatch(FsOp::perSandbox));
        assertThrows(UnsupportedOperationException.class, () -> template.add(new MaskProc()));
    }

    @Test
    void aMountPointBeneathAnEarlierMountIsNotInTheTemplateWhereItWouldBeHidden() {
        List<FsOp> mounts = List.of(
                new Tmpfs("/tmp/build", 1 << 20, "0755"),
                JUDGE,
                new Bind("/srv/out", "/srv/out", "/judge/out", true, false),
                new Tmpfs("/judgement", 1 << 20, "0755"));
        List<FsOp> template = RootTemplateSteps.template(PRESET, mounts);
        List<FsOp> points =
                template.stream().filter(op -> op instanceof MountPoint).toList();
        assertEquals(
                List.of(
                        new MountPoint("/tmp", false),
                        new MountPoint("/proc", false),
                        new MountPoint("/dev/pts", false),
                        new MountPoint("/judge", false),
                        new MountPoint("/judgement", false)),
                points);
    }

    @Test
    void specsWithEqualListsShareATemplateAndOthersDoNot() {
        assertEquals(
                RootTemplateSteps.template(PRESET, List.of(JUDGE)),
                RootTemplateSteps.template(
                        PRESET, List.of(new Bind("/elsewhere", "/elsewhere", "/judge", true, false))),
                "the source of a bind is the sandbox's own, not the template's");
        assertFalse(RootTemplateSteps.template(PRESET, List.of(JUDGE))
                .equals(RootTemplateSteps.template(
                        PRESET, List.of(new Bind("/srv/judge/42", "/srv/judge/42", "/judge2", false, false)))));
    }

    @Test
    void theTemplateIsBuiltOnAFreshRootAndLeftReadOnlyWithoutTheHost() {
        RootTemplateSteps.template(list, RootTemplateSteps.template(PRESET, List.of(JUDGE)));
        List<Decoded> s = PlanSteps.of(list);
        int pivot = PlanSteps.calls(s).indexOf("pivot_root");
        int usr = indexOf(s, "bind /usr on /usr");
        int judge = indexOf(s, "open /judge beneath the root, following no symlink");
        int detach = indexOf(s, "detach the old root");
        assertTrue(
                0 < pivot && pivot < usr && usr < judge && judge < detach,
                PlanSteps.descriptions(s).toString());
        assertEquals("/oldroot/usr", s.get(usr).string(0));
        assertEquals("make the root read-only", s.getLast().what());
        assertThrows(
                IllegalArgumentException.class,
                () -> RootTemplateSteps.template(new StepList(arena), List.of(new Tmpfs("/tmp", 1 << 20, "1777"))),
                "a per-sandbox op is no part of a template");
    }

    @Test
    void aSandboxClonesWhatItNeedsFromTheHostThenEntersAPrivateCopy() {
        RootTemplateSteps.enterCopy(list, PRESET, List.of(JUDGE), 905, null);
        List<Decoded> s = PlanSteps.of(list);
        int source = indexOf(s, "bind /srv/judge/42 on /judge");
        int proc = indexOf(s, "bind /proc");
        int setns = indexOf(s, "enter the root template's mount namespace");
        int unshare = indexOf(s, "copy the root template into a mount namespace of its own");
        assertTrue(
                0 <= source && source < proc && proc < setns && setns + 1 == unshare,
                PlanSteps.descriptions(s).toString());
        assertEquals(905, s.get(setns).args()[0]);
        assertEquals(Linux.CLONE_NEWNS, s.get(setns).args()[1]);
        assertEquals(Linux.CLONE_NEWNS, s.get(unshare).args()[0]);
        int tmp = indexOf(s, "mount tmpfs on /tmp");
        int attach = indexOf(s, "attach the bind on /judge");
        assertTrue(unshare < tmp && tmp < attach);
        assertFalse(PlanSteps.calls(s).contains("pivot_root"), "the template is the root already");
        assertFalse(PlanSteps.calls(s).contains("umount2"), "nothing to detach: the point of a template");
        // /judge is in the template: one lookup, nothing made
        Decoded target = s.get(attach - 2);
        assertEquals("judge", target.string(1));
        assertEquals(-1, indexOf(s, "create directory /judge"));
    }

    @Test
    void aCallersMountBeneathTheSandboxsOwnTmpIsMadeThere() {
        RootTemplateSteps.enterCopy(list, PRESET, List.of(new Tmpfs("/tmp/build", 1 << 20, "0755")), 905, null);
        List<Decoded> s = PlanSteps.of(list);
        int enter = indexOf(s, "enter /tmp/build");
        assertEquals("build", s.get(enter - 2).string(1));
        assertEquals("mkdirat", s.get(enter - 2).call());
        assertEquals("tmp", s.get(enter - 3).string(1), "from the sandbox's /tmp, mounted just before");
    }
}
