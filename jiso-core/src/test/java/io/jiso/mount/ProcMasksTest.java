package io.jiso.mount;

import static io.jiso.plan.PlanSteps.described;
import static io.jiso.plan.PlanSteps.indexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.mount.FsOp.MaskProc;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.mount_attr;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How /proc is masked, as the steps of a MaskProc op: what is hidden, what is
 * made read-only, that a path a kernel lacks is no failure, and that the
 * empty directory used for hiding is gone from /tmp afterwards.
 */
class ProcMasksTest {
    private static final long ATTR_RO = Linux.MOUNT_ATTR_RDONLY | Linux.MOUNT_ATTR_NOSUID | Linux.MOUNT_ATTR_NODEV;

    private final Arena arena = Arena.ofConfined();
    private List<Decoded> steps;

    @BeforeEach
    void mask() {
        StepList list = new StepList(arena);
        new FsOpSteps(list).mountPreset(new MaskProc(), "", false);
        steps = PlanSteps.of(list);
    }

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void kernelMemoryKeysAndHostTimersAreCoveredWithDevNull() {
        for (String file : List.of("/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug")) {
            assertTrue(ProcMasks.HIDDEN_FILES.contains(file), file);
        }
        for (String file : ProcMasks.HIDDEN_FILES) {
            Decoded hide = described(steps, "hide " + file);
            assertEquals("mount", hide.call());
            assertEquals("/dev/null", hide.string(0));
            assertEquals(file, hide.string(1));
            assertEquals(Linux.MS_BIND, hide.args()[3]);
            assertTrue(hide.tolerates(Linux.ENOENT), "a kernel without " + file + " has nothing to hide");
        }
    }

    @Test
    void hiddenDirectoriesGetAnEmptyReadOnlyDirectoryThatLeavesTmpAfterwards() {
        Decoded made = described(steps, "create directory /tmp/.jiso-empty");
        assertEquals(0555, made.args()[2]);
        int removed = indexOf(steps, "remove /tmp/.jiso-empty");
        assertEquals("unlinkat", steps.get(removed).call());
        assertEquals(Linux.AT_REMOVEDIR, steps.get(removed).args()[2]);
        for (String dir : ProcMasks.HIDDEN_DIRECTORIES) {
            Decoded hide = described(steps, "hide " + dir);
            assertEquals("/tmp/.jiso-empty", hide.string(0));
            assertTrue(made.index() < hide.index() && hide.index() < removed, "bound while it exists: " + dir);
            Decoded ro = described(steps, "make " + dir + " read-only");
            assertEquals(hide.index() + 1, ro.index());
            assertEquals(ATTR_RO, mount_attr.attr_set(PlanSteps.at(ro.args()[3], mount_attr.sizeof())));
            assertTrue(hide.tolerates(Linux.ENOENT) && ro.tolerates(Linux.ENOENT));
        }
    }

    @Test
    void theMachinesKnobsAreBoundReadOnlyOntoThemselvesWithEverythingBelow() {
        for (String path : List.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus")) {
            assertTrue(ProcMasks.READ_ONLY.contains(path), path);
        }
        for (String path : ProcMasks.READ_ONLY) {
            Decoded bind = described(steps, "bind " + path + " read-only");
            assertEquals(path, bind.string(0));
            assertEquals(path, bind.string(1));
            assertEquals(Linux.MS_BIND | Linux.MS_REC, bind.args()[3]);
            Decoded ro = described(steps, "make " + path + " read-only");
            assertEquals(Linux.AT_RECURSIVE, ro.args()[2], "binfmt_misc and the like under it too");
            assertEquals(ATTR_RO, mount_attr.attr_set(PlanSteps.at(ro.args()[3], mount_attr.sizeof())));
            assertTrue(bind.index() < ro.index());
        }
    }

    @Test
    void everyStepIsAccountedFor() {
        int expected = ProcMasks.HIDDEN_FILES.size()
                + 1
                + 2 * ProcMasks.HIDDEN_DIRECTORIES.size()
                + 1
                + 2 * ProcMasks.READ_ONLY.size();
        assertEquals(expected, steps.size(), PlanSteps.descriptions(steps).toString());
    }
}
