package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.read;
import static io.jiso.cgroup.CgroupTestSupport.startIn;
import static io.jiso.cgroup.CgroupTestSupport.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.FeatureUnavailableException;
import io.jiso.Privileges;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A configured parent: leaves go below it, and a controller the parent does
 * not delegate is refused with the reason. The test plays the administrator
 * who prepares the parent, inside a jiso directory of its own.
 */
class CgroupParentTest {
    private static final String PARENT = "/jiso/parent-test-" + ProcessHandle.current().pid();
    private static final List<Path> createdJiso = new ArrayList<>();

    @BeforeEach
    void needsRoot() {
        Privileges.assumeRoot("plays the administrator, who makes the parent at the root of each hierarchy");
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    /** Makes MOUNT/jiso/parent-test-PID in the v2 tree and every v1 hierarchy; on v2 lets it delegate the given controllers. */
    private static List<Path> prepare(List<String> delegate) throws Exception {
        Layout l = Cgroups.layout();
        List<Path> made = new ArrayList<>();
        List<Path> mounts = new ArrayList<>();
        if (l.v2Mount() != null) {
            mounts.add(l.v2Mount());
        }
        l.v1().forEach(h -> mounts.add(h.mount()));
        for (Path mount : mounts) {
            Path jiso = mount.resolve("jiso");
            if (CgroupFs.mkdir(jiso)) {
                createdJiso.add(jiso);
            }
            Path parent = mount.resolve(PARENT.substring(1));
            CgroupFs.mkdir(parent);
            made.add(parent);
            if (mount.equals(l.v2Mount())) {
                // the parent gets what the root offers; it passes on only what the test delegates
                String available = read(mount.resolve("cgroup.subtree_control"));
                for (String c : List.of("memory", "pids", "io")) {
                    if (available.contains(c)) {
                        CgroupFs.write(jiso.resolve("cgroup.subtree_control"), "+" + c);
                        if (delegate.contains(c)) {
                            CgroupFs.write(parent.resolve("cgroup.subtree_control"), "+" + c);
                        }
                    }
                }
            }
        }
        return made;
    }

    private static void cleanup(List<Path> parents) throws Exception {
        for (Path p : parents) {
            CgroupFs.rmdir(p.resolve("jiso"), 1_000_000_000L); // the jiso directory create() made inside
            CgroupFs.rmdir(p, 1_000_000_000L);
        }
        for (Path jiso : createdJiso) {
            try {
                CgroupFs.rmdir(jiso, 0);
            } catch (io.jiso.HostSetupException e) {
                // EBUSY: other leaves of this JVM still use it; the shutdown hook removes it
            }
        }
        createdJiso.clear();
    }

    @Test
    void leavesGoBelowTheConfiguredParent() throws Exception {
        List<Path> parents = prepare(List.of("memory", "pids", "io"));
        try {
            try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.builder().pidsMax(8).build(), PARENT)) {
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
        } finally {
            cleanup(parents);
        }
    }

    @Test
    void aControllerTheParentDoesNotDelegateIsRefusedWithTheReason() throws Exception {
        // pids where it is a v2 controller (pure v2), else hugetlb (this hybrid machine's only v2 controller)
        boolean pidsOnV2 = CgroupTestSupport.onV2(Controller.PIDS);
        CgroupLimits limits = pidsOnV2 ? CgroupLimits.builder().pidsMax(8).build()
                : CgroupLimits.builder().hugetlbMaxBytes("2MB", 2 << 20).build();
        String controller = pidsOnV2 ? "pids" : "hugetlb";
        List<Path> parents = prepare(List.of()); // delegates nothing
        try {
            FeatureUnavailableException e = assertThrows(FeatureUnavailableException.class, () -> Cgroups.create(limits, PARENT));
            System.out.println("[parent without " + controller + "] " + e.getMessage());
            assertTrue(e.getMessage().contains("controller " + controller) && e.getMessage().contains(PARENT), e.getMessage());
            if (pidsOnV2) {
                assertTrue(e.getMessage().contains(PARENT + "/cgroup.subtree_control"), "says where it is missing: " + e.getMessage());
            }
        } finally {
            cleanup(parents);
        }
    }
}
