package io.jiso;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.cgroup.Cgroups;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every device test of {@link DeviceFilterCgroupTest} again, through the whole
 * spawn path, with the cgroup v1 devices controller instead of the BPF program
 * (what pure v1 hosts get; chosen here with -Djiso.cgroup.devices=v1 so that it
 * runs on hybrid hosts, where no BPF program is attached then).
 */
@KernelTest
class DeviceFilterCgroupV1Test extends DeviceFilterCgroupTest {
    @BeforeAll
    static void chooseTheV1List() throws Exception {
        Privileges.assumeCgroupLeaves();
        System.setProperty(Cgroups.DEVICES_PROPERTY, "v1");
        if (!Cgroups.canRestrictDevices()) {
            System.out.println("[devices v1] skipped: this kernel mounts no cgroup v1 devices hierarchy");
            System.clearProperty(Cgroups.DEVICES_PROPERTY);
        }
        Assumptions.assumeTrue(System.getProperty(Cgroups.DEVICES_PROPERTY) != null, "no v1 devices hierarchy");
    }

    @AfterAll
    static void back() {
        System.clearProperty(Cgroups.DEVICES_PROPERTY);
    }

    @Test
    void theSandboxIsInAJisoLeafOfTheDevicesHierarchy() throws Exception {
        String cgroups = Run.of(new IsolatedProcessBuilder("cat", "/proc/self/cgroup").share(Namespace.CGROUP)).ok().out();
        assertTrue(cgroups.lines().anyMatch(l -> l.matches("\\d+:devices:/(.*/)?jiso/jiso-\\d+-\\d+")), cgroups);
    }
}
