package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupLayoutTest.HYBRID_CGROUP;
import static io.jiso.cgroup.CgroupLayoutTest.HYBRID_MOUNTS;
import static io.jiso.cgroup.CgroupLayoutTest.PURE_V1_CGROUP;
import static io.jiso.cgroup.CgroupLayoutTest.PURE_V1_MOUNTS;
import static io.jiso.cgroup.CgroupLayoutTest.PURE_V2_MOUNTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.FeatureUnavailable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which mechanism restricts devices on each kind of host, and that rules are never dropped without one. */
class CgroupDeviceControlTest {
    private static final String DEVICES_MOUNT =
            "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n";
    private static final List<AllowedDevice> RULES = List.of(CgroupTestSupport.device("c 1:3 mr"));

    private static Layout pureV2() throws Exception {
        return Layout.parse(PURE_V2_MOUNTS, "0::/\n");
    }

    private static Layout hybrid() throws Exception {
        return Layout.parse(HYBRID_MOUNTS + DEVICES_MOUNT, HYBRID_CGROUP + "5:devices:/\n");
    }

    private static Layout pureV1(boolean devices) throws Exception {
        String mounts = devices ? PURE_V1_MOUNTS : PURE_V1_MOUNTS.replaceAll(".*rw,devices\n", "");
        return Layout.parse(mounts, PURE_V1_CGROUP);
    }

    @Test
    void aV2TreeMeansTheBpfProgramUnlessV1IsChosen() throws Exception {
        assertEquals(DeviceControl.BPF, DeviceControl.of(pureV2(), null, RULES));
        assertEquals(DeviceControl.BPF, DeviceControl.of(hybrid(), null, RULES), "hybrid keeps the pure v2 path");
        assertEquals(DeviceControl.BPF, DeviceControl.of(hybrid(), "bpf", RULES));
        assertEquals(DeviceControl.V1, DeviceControl.of(hybrid(), " v1 ", RULES));
    }

    @Test
    void pureV1UsesItsDevicesHierarchy() throws Exception {
        assertEquals(Layout.Kind.V1, pureV1(true).kind());
        assertEquals(DeviceControl.V1, DeviceControl.of(pureV1(true), null, RULES));
        assertEquals(DeviceControl.V1, DeviceControl.of(pureV1(true), "v1", RULES));
    }

    @Test
    void withoutAnyMechanismRulesAreRefusedNotDropped() throws Exception {
        Layout bare = pureV1(false);
        assertEquals(null, bare.v1For(Controller.DEVICES));
        FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> DeviceControl.of(bare, null, RULES));
        assertTrue(e.getMessage().contains("c 1:3 mr") && e.getMessage().contains("devices hierarchy"), e.getMessage());
    }

    @Test
    void aChoiceTheHostCannotHonourIsRefused() throws Exception {
        FeatureUnavailable e =
                assertThrows(FeatureUnavailable.class, () -> DeviceControl.of(pureV1(true), "bpf", RULES));
        assertTrue(e.getMessage().contains("no cgroup v2 tree"), e.getMessage());
        e = assertThrows(FeatureUnavailable.class, () -> DeviceControl.of(pureV2(), "v1", RULES));
        assertTrue(e.getMessage().contains("devices"), e.getMessage());
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> DeviceControl.of(pureV2(), "ebpf", RULES));
        assertTrue(bad.getMessage().contains(Cgroups.DEVICES_PROPERTY), bad.getMessage());
    }

    @Test
    void v1LinesSpellEachRule() {
        assertEquals(List.of("c 1:3 mr"), DeviceAllowList.lines(CgroupTestSupport.device("c 1:3 mr")));
        assertEquals(List.of("b 8:* rw"), DeviceAllowList.lines(CgroupTestSupport.device("b 8:* rw")));
        assertEquals(List.of("c *:* m", "b *:* m"), DeviceAllowList.lines(CgroupTestSupport.device("a *:* m")));
    }
}
