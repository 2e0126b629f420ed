package io.jiso.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the parent does between clone3 and the child's first step, as the
 * plan records it: /proc writes and program runs in the order asked, each
 * with the words a failure report uses.
 */
class PlanParentWritesTest {
    @Test
    void writesAndRunsKeepTheirOrderAndSayWhatTheyAre() {
        try (Arena arena = Arena.ofConfined()) {
            Plan plan = new Plan(arena);
            plan.writeProcFile("setgroups", "deny");
            plan.runWithChildPid("/usr/bin/newuidmap", List.of("0", "100000", "65536"));
            plan.writeProcFile("gid_map", "0 1000 1\n");
            List<Plan.ParentWrite> w = plan.parentWrites();
            assertEquals(3, w.size());
            assertEquals(new Plan.ParentWrite("setgroups", "deny", null, "write setgroups of the child"), w.get(0));
            assertEquals(
                    List.of("/usr/bin/newuidmap", "<child pid>", "0", "100000", "65536"),
                    w.get(1).argv(),
                    "the child's pid is the program's first argument");
            assertEquals("run /usr/bin/newuidmap <child pid> 0 100000 65536", plan.describeParentWrite(1));
            assertEquals("gid_map", plan.parentWriteFile(2));
            assertNull(plan.parentWriteFile(1), "a program run writes no /proc file of its own");
            assertEquals("write gid_map of the child", plan.describeParentWrite(2));
        }
    }

    @Test
    void theListHandedOutIsASnapshot() {
        try (Arena arena = Arena.ofConfined()) {
            Plan plan = new Plan(arena);
            plan.writeProcFile("uid_map", "0 0 1\n");
            List<Plan.ParentWrite> before = plan.parentWrites();
            plan.writeProcFile("gid_map", "0 0 1\n");
            assertEquals(1, before.size());
            assertThrows(UnsupportedOperationException.class, () -> before.add(null));
            assertEquals(-1, plan.cgroupFd, "no leaf until one is given");
        }
    }
}
