package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.read;
import static io.jiso.cgroup.CgroupTestSupport.startIn;
import static io.jiso.cgroup.CgroupTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.cgroup.CgroupTestSupport.TestParent;
import io.jiso.plan.FeatureUnavailable;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A configured parent: leaves go below it, and a controller the parent does
 * not delegate is refused with the reason. The test plays the administrator
 * who prepares the parent, inside a jiso directory of its own.
 */
@KernelTest
class CgroupParentTest {
    private static final String NAME = "parent-test-" + ProcessHandle.current().pid();
    private static final String PARENT = "/jiso/" + NAME;

    @BeforeEach
    void needsRoot() {
        Privileges.assumeRoot("plays the administrator, who makes the parent at the root of each hierarchy");
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    /** Makes the parent in every hierarchy; on v2 lets it delegate the given controllers. */
    private static TestParent prepare(List<String> delegate) throws Exception {
        TestParent parent = new TestParent(NAME);
        Path v2 = Cgroups.layout().v2Mount();
        if (v2 == null) {
            return parent;
        }
        try {
            // the parent gets what the root offers; it passes on only what the test delegates
            String available = read(v2.resolve("cgroup.subtree_control"));
            for (String c : List.of("memory", "pids", "io")) {
                if (available.contains(c)) {
                    CgroupFs.write(v2.resolve("jiso/cgroup.subtree_control"), "+" + c);
                    if (delegate.contains(c)) {
                        CgroupFs.write(parent.in(v2).resolve("cgroup.subtree_control"), "+" + c);
                    }
                }
            }
            return parent;
        } catch (Exception e) {
            parent.close();
            throw e;
        }
    }

    @Test
    void leavesGoBelowTheConfiguredParent() throws Exception {
        try (TestParent parent = prepare(List.of("memory", "pids", "io"))) {
            try (CgroupLeaf leaf =
                    Cgroups.create(CgroupLimits.builder().pidsMax(8).build(), PARENT)) {
                for (Path d : leaf.dirs()) {
                    assertTrue(d.toString().endsWith(PARENT + "/jiso/" + leaf.name()), d.toString());
                }
                Process p = startIn(leaf, "sleep", "1000");
                String cgroups = read(Path.of("/proc/" + p.pid() + "/cgroup"));
                assertTrue(cgroups.lines().anyMatch(s -> s.endsWith(PARENT + "/jiso/" + leaf.name())), cgroups);
                assertEquals("8", read(leaf.dirFor(Controller.PIDS).resolve("pids.max")));
                leaf.close();
                assertEquals(137, waitFor(p, 30));
            }
        }
    }

    @Test
    void aControllerTheParentDoesNotDelegateIsRefusedWithTheReason() throws Exception {
        // pids where it is a v2 controller (pure v2), else hugetlb (this hybrid machine's only v2 controller)
        boolean pidsOnV2 = CgroupTestSupport.onV2(Controller.PIDS);
        CgroupLimits limits = pidsOnV2
                ? CgroupLimits.builder().pidsMax(8).build()
                : CgroupLimits.builder().hugetlbMaxBytes("2MB", 2 << 20).build();
        String controller = pidsOnV2 ? "pids" : "hugetlb";
        try (TestParent parent = prepare(List.of())) { // delegates nothing
            FeatureUnavailable e = assertThrows(FeatureUnavailable.class, () -> Cgroups.create(limits, PARENT));
            System.out.println("[parent without " + controller + "] " + e.getMessage());
            assertTrue(
                    e.getMessage().contains("controller " + controller)
                            && e.getMessage().contains(PARENT),
                    e.getMessage());
            if (pidsOnV2) {
                assertTrue(
                        e.getMessage().contains(PARENT + "/cgroup.subtree_control"),
                        "says where it is missing: " + e.getMessage());
            }
        }
    }
}
