package io.jiso;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every device test of {@link DeviceFilterCgroupTest} again, through the whole
 * spawn path, with the cgroup v1 devices controller instead of the BPF program
 * (what pure v1 hosts get; chosen here with a runtime's deviceControl(V1) so
 * that it runs on hybrid hosts, where no BPF program is attached then).
 */
@KernelTest
class DeviceFilterCgroupV1Test extends DeviceFilterCgroupTest {
    private static JisoRuntime v1;

    @BeforeAll
    static void chooseTheV1List() throws Exception {
        Privileges.assumeCgroupLeaves();
        try {
            v1 = JisoRuntime.builder()
                    .deviceControl(JisoRuntime.DeviceControl.V1)
                    .build();
        } catch (IllegalArgumentException e) {
            System.out.println("[devices v1] skipped: " + e.getMessage());
        }
        Assumptions.assumeTrue(v1 != null, "no v1 devices hierarchy");
    }

    @AfterAll
    static void back() {
        if (v1 != null) {
            v1.close();
        }
    }

    @Override
    JisoRuntime runtime() {
        return v1;
    }

    @Test
    void theSandboxIsInAJisoLeafOfTheDevicesHierarchy() throws Exception {
        String cgroups = Run.of(new IsolatedProcessBuilder(v1, "cat", "/proc/self/cgroup").share(Namespace.CGROUP))
                .ok()
                .out();
        assertTrue(cgroups.lines().anyMatch(l -> l.matches("\\d+:devices:/(.*/)?jiso/jiso-\\d+-\\d+")), cgroups);
    }
}
