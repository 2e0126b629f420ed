package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When jiso-init may run real-time in a v2 leaf: from what v2 offers jiso's directory and what the leaf has. */
class CgroupV2RealtimeTest {
    private static CgroupV2 leaf(String offeredToJiso, Set<String> leafControllers) {
        boolean cpuOffered = Set.of(offeredToJiso.split(" ")).contains("cpu");
        return new CgroupV2(Path.of("/nonexistent/jiso/leaf"), leafControllers, cpuOffered, -1);
    }

    @Test
    void harmfulWhereV2OffersCpuAndTheLeafHasItNot() {
        assertFalse(leaf("cpuset cpu io memory pids", Set.of("memory", "pids")).realtimeHarmless());
    }

    @Test
    void harmlessWhereTheLeafHasTheCpuController() {
        assertTrue(leaf("cpuset cpu io memory pids", Set.of("cpu", "memory", "pids"))
                .realtimeHarmless());
    }

    @Test
    void harmlessWhereV2OffersNoCpuController() {
        // a hybrid host: cpu belongs to a v1 hierarchy
        assertTrue(leaf("", Set.of()).realtimeHarmless());
        assertTrue(leaf("memory pids", Set.of("memory")).realtimeHarmless());
    }
}
