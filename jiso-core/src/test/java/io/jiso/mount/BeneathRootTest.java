package io.jiso.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.open_how;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import io.jiso.plan.StepList.Step;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mount points resolved beneath the new root, as steps: every lookup is an
 * openat2 relative to an fd of the root or of the directory before it, with
 * RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS, and each missing directory is made
 * relative to its parent's fd, never through a path.
 */
class BeneathRootTest {
    private static final long BENEATH_NO_LINKS = Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_SYMLINKS;

    private final Arena arena = Arena.ofConfined();
    private final StepList steps = new StepList(arena);

    @AfterEach
    void free() {
        arena.close();
    }

    private static MemorySegment how(Decoded openat2) {
        return PlanSteps.at(openat2.args()[2], open_how.sizeof());
    }

    @Test
    void anExistingMountPointIsOneLookupBeneathTheRoot() {
        Step fd = new BeneathRoot(steps).mountPoint("/srv/work", "/srv/work", false);
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(List.of("openat", "openat2"), PlanSteps.calls(s));
        assertEquals("/", s.get(0).string(1), "the root as it is now");
        Decoded open = s.get(1);
        assertEquals(fd.index(), open.index());
        assertTrue(open.argFrom(0, s.get(0)));
        assertEquals("srv/work", open.string(1), "relative to the root's fd");
        assertEquals(BENEATH_NO_LINKS, open_how.resolve(how(open)));
        assertEquals(Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, open_how.flags(how(open)));
        assertEquals(open_how.sizeof(), open.args()[3]);
    }

    @Test
    void missingDirectoriesAreMadeOneComponentAtATimeFromTheirParentsFd() {
        Step fd = new BeneathRoot(steps).mountPoint("/", "/srv/work/out", false);
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(
                List.of("openat", "mkdirat", "openat2", "mkdirat", "openat2", "mkdirat", "openat2"),
                PlanSteps.calls(s));
        Decoded parent = s.get(0);
        for (String name : List.of("srv", "work", "out")) {
            Decoded mkdir = s.get(parent.index() + 1);
            Decoded open = s.get(parent.index() + 2);
            assertEquals(name, mkdir.string(1));
            assertTrue(mkdir.argFrom(0, parent), name + " is made in its parent's fd");
            assertTrue(mkdir.tolerates(Linux.EEXIST));
            assertEquals(name, open.string(1));
            assertTrue(open.argFrom(0, parent));
            assertEquals(BENEATH_NO_LINKS, open_how.resolve(how(open)), "a link planted at " + name + " fails");
            parent = open;
        }
        assertEquals(s.getLast().index(), fd.index());
    }

    @Test
    void aFileMountPointIsCreatedLastWithoutBlockingOnAFifo() {
        new BeneathRoot(steps).mountPoint("/box", "/box/solution.py", true);
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(List.of("openat", "openat2", "openat2"), PlanSteps.calls(s), "no mkdirat for the file");
        assertEquals("box", s.get(1).string(1));
        Decoded file = s.get(2);
        assertEquals("solution.py", file.string(1));
        assertTrue(file.argFrom(0, s.get(1)));
        long flags = open_how.flags(how(file));
        assertEquals(Linux.O_CREAT | Linux.O_NONBLOCK, flags & (Linux.O_CREAT | Linux.O_NONBLOCK | Linux.O_DIRECTORY));
        assertEquals(0644, open_how.mode(how(file)));
        assertEquals(BENEATH_NO_LINKS, open_how.resolve(how(file)));
    }

    @Test
    void anExistingFileMountPointIsOpenedAsAPath() {
        new BeneathRoot(steps).mountPoint("/etc/hosts", "/etc/hosts", true);
        Decoded open = PlanSteps.of(steps).get(1);
        assertEquals(Linux.O_PATH | Linux.O_CLOEXEC, open_how.flags(how(open)), "not O_DIRECTORY, not created");
    }

    @Test
    void theRootIsOpenedOnceForAllMountPoints() {
        BeneathRoot beneath = new BeneathRoot(steps);
        beneath.mountPoint("/a", "/a", false);
        beneath.mountPoint("/", "/b", false);
        List<Decoded> s = PlanSteps.of(steps);
        assertEquals(
                1, s.stream().filter(d -> d.what().equals("open the new root")).count());
        assertTrue(s.getLast().argFrom(0, s.get(0)), "b is made in the root opened for a");
    }

    @Test
    void aHostPathFollowsNoSymlinkButMayBeAnywhere() {
        BeneathRoot.openHostPath(steps, "/srv/judge/42", "bind /srv/judge/42 on /judge");
        Decoded open = PlanSteps.of(steps).getFirst();
        assertEquals("openat2", open.call());
        assertEquals(Linux.AT_FDCWD, (int) open.args()[0]);
        assertTrue(open.plain(0));
        assertEquals("/srv/judge/42", open.string(1));
        assertEquals(Linux.RESOLVE_NO_SYMLINKS, open_how.resolve(how(open)));
        assertEquals(Linux.O_PATH | Linux.O_CLOEXEC, open_how.flags(how(open)));
    }
}
