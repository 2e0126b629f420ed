package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When jiso-init may run real-time in a v2 leaf: read from a temporary tree, as jiso's directory and its leaf. */
class CgroupV2RealtimeTest {
    @TempDir
    Path jiso;

    private CgroupV2 leaf(String offeredToJiso, Set<String> leafControllers) throws Exception {
        Files.writeString(jiso.resolve("cgroup.controllers"), offeredToJiso + "\n");
        Path leaf = Files.createDirectories(jiso.resolve("leaf"));
        return new CgroupV2(leaf, leafControllers, -1);
    }

    @Test
    void harmfulWhereV2OffersCpuAndTheLeafHasItNot() throws Exception {
        assertFalse(leaf("cpuset cpu io memory pids", Set.of("memory", "pids")).realtimeHarmless());
    }

    @Test
    void harmlessWhereTheLeafHasTheCpuController() throws Exception {
        assertTrue(leaf("cpuset cpu io memory pids", Set.of("cpu", "memory", "pids"))
                .realtimeHarmless());
    }

    @Test
    void harmlessWhereV2OffersNoCpuController() throws Exception {
        // a hybrid host: cpu belongs to a v1 hierarchy
        assertTrue(leaf("", Set.of()).realtimeHarmless());
        assertTrue(leaf("memory pids", Set.of("memory")).realtimeHarmless());
    }
}
