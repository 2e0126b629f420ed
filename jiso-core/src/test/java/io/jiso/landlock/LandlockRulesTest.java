package io.jiso.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules as data: what each list grants, per path and per kernel ABI, and what the record refuses. */
class LandlockRulesTest {
    private static final long READ_FILE = Linux.LANDLOCK_ACCESS_FS_READ_FILE;
    private static final long READ_DIR = Linux.LANDLOCK_ACCESS_FS_READ_DIR;
    private static final long WRITE_FILE = Linux.LANDLOCK_ACCESS_FS_WRITE_FILE;
    private static final long EXECUTE = Linux.LANDLOCK_ACCESS_FS_EXECUTE;
    private static final long REFER = Linux.LANDLOCK_ACCESS_FS_REFER;
    private static final long MAKE_REG = Linux.LANDLOCK_ACCESS_FS_MAKE_REG;
    private static final long REMOVE_FILE = Linux.LANDLOCK_ACCESS_FS_REMOVE_FILE;

    private static LandlockRules rules(List<String> ro, List<String> rw, List<String> exec) {
        return new LandlockRules(ro, rw, exec);
    }

    @Test
    void eachListGrantsItsRightsAndNoMore() {
        long handled = LandlockSteps.handledRights(2);
        Map<String, Long> r =
                LandlockSteps.rightsByPath(rules(List.of("/etc"), List.of("/tmp"), List.of("/usr")), handled);
        assertEquals(READ_FILE | READ_DIR, r.get("/etc"), "read-only: read files and list directories");
        assertEquals(READ_FILE | READ_DIR | EXECUTE, r.get("/usr"));
        assertEquals(handled & ~EXECUTE, r.get("/tmp"), "read-write: every handled right but execute");
        assertTrue((r.get("/tmp") & (WRITE_FILE | MAKE_REG | REMOVE_FILE | REFER))
                == (WRITE_FILE | MAKE_REG | REMOVE_FILE | REFER));
    }

    @Test
    void aPathInSeveralListsGetsTheUnionOnce() {
        long handled = LandlockSteps.handledRights(2);
        Map<String, Long> r = LandlockSteps.rightsByPath(
                rules(List.of("/work", "/opt"), List.of("/work"), List.of("/work", "/opt")), handled);
        assertEquals(2, r.size());
        assertEquals(handled, r.get("/work"), "read-write and executable: every handled right");
        assertEquals(READ_FILE | READ_DIR | EXECUTE, r.get("/opt"));
        assertEquals(List.of("/work", "/opt"), List.copyOf(r.keySet()), "in the order first named");
    }

    @Test
    void rightsNeverExceedWhatTheKernelHandles() {
        LandlockRules all = rules(List.of("/a"), List.of("/b"), List.of("/c"));
        for (int abi = 1; abi <= 6; abi++) {
            long handled = LandlockSteps.handledRights(abi);
            for (long granted : LandlockSteps.rightsByPath(all, handled).values()) {
                assertEquals(0, granted & ~handled, "ABI " + abi);
            }
        }
        assertEquals(
                0,
                LandlockSteps.rightsByPath(all, LandlockSteps.handledRights(1)).get("/b") & REFER,
                "no REFER before ABI 2");
    }

    @Test
    void handledRightsGrowWithTheAbiAndStopAtWhatTheHeadersKnow() {
        assertEquals(0, LandlockSteps.handledRights(0));
        assertEquals(0, LandlockSteps.handledRights(-1), "an error reading the version is no Landlock");
        long one = LandlockSteps.handledRights(1);
        long two = LandlockSteps.handledRights(2);
        assertEquals(13, Long.bitCount(one), "the thirteen rights of Linux 5.13");
        assertEquals(0, one & REFER);
        assertEquals(one | REFER, two);
        assertEquals(two, LandlockSteps.handledRights(5), "nothing the headers lack is asked for");
    }

    @Test
    void pathsMustBeAbsoluteInEveryListAndTheListsAreCopies() {
        for (int list = 0; list < 3; list++) {
            List<List<String>> lists = new ArrayList<>(List.of(List.of(), List.of(), List.of()));
            lists.set(list, List.of("/ok", "relative/dir"));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> rules(lists.get(0), lists.get(1), lists.get(2)));
            assertEquals("Landlock paths must be absolute: relative/dir", e.getMessage());
        }
        List<String> mine = new ArrayList<>(List.of("/etc"));
        LandlockRules r = rules(mine, List.of(), List.of());
        mine.add("/root");
        assertEquals(List.of("/etc"), r.readOnly());
        assertThrows(UnsupportedOperationException.class, () -> r.readWrite().add("/x"));
        assertThrows(NullPointerException.class, () -> rules(List.of("/a"), null, List.of()));
    }

    @Test
    void emptyOnlyWhenNoListNamesAPath() {
        assertTrue(rules(List.of(), List.of(), List.of()).isEmpty());
        assertFalse(rules(List.of("/a"), List.of(), List.of()).isEmpty());
        assertFalse(rules(List.of(), List.of("/a"), List.of()).isEmpty());
        assertFalse(rules(List.of(), List.of(), List.of("/a")).isEmpty());
    }
}
