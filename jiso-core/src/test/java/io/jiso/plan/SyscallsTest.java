package io.jiso.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.plan.PlanSteps.Decoded;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The multi-step idioms several concerns share, as the steps they add. */
class SyscallsTest {
    private final Arena arena = Arena.ofConfined();
    private final StepList list = new StepList(arena);

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void mkdirsMakesEveryComponentAndAcceptsExistingOnes() {
        Syscalls.mkdirs(list, "/run/jiso/box", 0700);
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(
                List.of("/run", "/run/jiso", "/run/jiso/box"),
                s.stream().map(d -> d.string(1)).toList());
        for (Decoded d : s) {
            assertEquals("mkdirat", d.call());
            assertEquals(Linux.AT_FDCWD, (int) d.args()[0]);
            assertEquals(0700, d.args()[2]);
            assertTrue(d.tolerates(Linux.EEXIST), d.what());
        }
    }

    @Test
    void writeFileIsOneWriteOfTheContentToAnExistingFile() {
        Syscalls.writeFile(list, "/proc/self/setgroups", "deny");
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(List.of("openat", "write", "close"), PlanSteps.calls(s));
        long flags = s.get(0).args()[2];
        assertEquals(Linux.O_WRONLY | Linux.O_CLOEXEC, flags, "no O_CREAT: /proc files exist or the kernel lacks them");
        assertTrue(s.get(1).argFrom(0, s.get(0)));
        assertEquals(4, s.get(1).args()[2]);
        assertEquals("deny", PlanSteps.bytes(s.get(1).args()[1], 4));
        assertTrue(s.get(2).argFrom(0, s.get(0)));
        assertEquals(0, s.get(0).toleratedErrnos(), "a failed open fails the start");
    }

    @Test
    void createFileKeepsAnExistingFile() {
        Syscalls.createFile(list, "/dev/null");
        List<Decoded> s = PlanSteps.of(list);
        assertEquals(List.of("openat", "close"), PlanSteps.calls(s));
        long flags = s.get(0).args()[2];
        assertEquals(Linux.O_CREAT, flags & (Linux.O_CREAT | Linux.O_EXCL | Linux.O_TRUNC));
        assertEquals(0644, s.get(0).args()[3]);
        assertTrue(s.get(1).argFrom(0, s.get(0)));
    }

    @Test
    void aSymlinkThatExistsIsKept() {
        Syscalls.symlink(list, "usr/bin", "/bin");
        Decoded d = PlanSteps.of(list).getFirst();
        assertEquals("symlinkat", d.call());
        assertEquals("usr/bin", d.string(0));
        assertEquals(Linux.AT_FDCWD, (int) d.args()[1]);
        assertEquals("/bin", d.string(2));
        assertTrue(d.tolerates(Linux.EEXIST));
        assertEquals("symlink /bin -> usr/bin", d.what());
    }
}
