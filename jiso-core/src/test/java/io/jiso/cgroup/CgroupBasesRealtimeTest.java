package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupLayoutTest.HYBRID_CGROUP;
import static io.jiso.cgroup.CgroupLayoutTest.HYBRID_MOUNTS;
import static io.jiso.cgroup.CgroupLayoutTest.PURE_V2_MOUNTS;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A spawn whose jiso-init watches a time limit wants the v2 cpu controller
 * for its leaf, where init may then run real-time (CgroupV2#realtimeHarmless);
 * on a hybrid host cpu is v1's and nothing changes. Layouts parsed from text.
 */
class CgroupBasesRealtimeTest {
    private static Cgroups.Bases bases(Layout l, boolean realtimeInit) throws Exception {
        return Cgroups.bases(l, CgroupLimits.none(), "/test-parent", DeviceControl.BPF, false, realtimeInit);
    }

    @Test
    void pureV2WantsCpuForATimeLimitedSpawnOnly() throws Exception {
        Layout v2 = Layout.parse(PURE_V2_MOUNTS, "0::/\n");
        assertTrue(bases(v2, true).v2Wanted().contains(Controller.CPU));
        assertFalse(bases(v2, false).v2Wanted().contains(Controller.CPU));
    }

    @Test
    void hybridLeavesCpuToV1() throws Exception {
        Layout hybrid = Layout.parse(HYBRID_MOUNTS, HYBRID_CGROUP);
        assertFalse(bases(hybrid, true).v2Wanted().contains(Controller.CPU));
        assertFalse(bases(hybrid, true).v1().keySet().stream()
                .anyMatch(h -> h.controllers().contains("cpu")));
    }
}
