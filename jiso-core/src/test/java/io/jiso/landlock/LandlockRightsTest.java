package io.jiso.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rights each Landlock path gets, as planned (LandlockTest applies them in a child). */
class LandlockRightsTest {

    @Test
    void rightsArePerPathUnions() {
        long handled = LandlockSteps.handledRights(2);
        Map<String, Long> r = LandlockSteps.rightsByPath(
                new LandlockRules(List.of("/etc", "/usr"), List.of("/tmp"), List.of("/usr")), handled);
        long exec = Linux.LANDLOCK_ACCESS_FS_EXECUTE;
        long readFile = Linux.LANDLOCK_ACCESS_FS_READ_FILE;
        assertTrue((r.get("/usr") & exec) != 0);
        assertEquals(0, r.get("/etc") & exec);
        assertEquals(0, r.get("/tmp") & exec);
        assertTrue((r.get("/tmp") & Linux.LANDLOCK_ACCESS_FS_REFER) != 0);
        assertTrue((r.get("/etc") & readFile) != 0);
        assertEquals(
                0,
                LandlockSteps.rightsByPath(
                                        new LandlockRules(List.of(), List.of("/tmp"), List.of()),
                                        LandlockSteps.handledRights(1))
                                .get("/tmp")
                        & Linux.LANDLOCK_ACCESS_FS_REFER);
        assertThrows(IllegalArgumentException.class, () -> new LandlockRules(List.of("etc"), List.of(), List.of()));
    }
}
