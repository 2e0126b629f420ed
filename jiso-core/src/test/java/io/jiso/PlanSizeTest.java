package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.cgroup.LeafHierarchies;
import io.jiso.spawn.PlanSize;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plan's length, printed for comparison (the spawn path is the product):
 * a default spawn's mounts are the preset's, by path, with no step of the
 * resolution beneath the root that the caller's mounts get.
 */
class PlanSizeTest {

    @Test
    void theDefaultPlanResolvesNothingBeneathTheRoot() throws Exception {
        var spec = new IsolatedProcessBuilder("/bin/true").spec();
        List<String> template = PlanSize.steps(spec, true);
        List<String> host = PlanSize.steps(spec, false);
        System.out.println(
                "[default plan] from a template: " + template.size() + " steps, from the host: " + host.size());
        assertEquals(
                List.of(),
                template.stream().filter(s -> s.contains("beneath the root")).toList());
        assertEquals(
                List.of(),
                host.stream().filter(s -> s.contains("beneath the root")).toList());
        assertTrue(template.size() < host.size(), "a copy of a template needs fewer steps");
    }

    @Test
    void aCallersBindIsClonedAndAttachedOntoAResolvedTarget() throws Exception {
        var binds = new IsolatedProcessBuilder("/bin/true")
                .bindReadOnly(Path.of("/usr/share"), "/srv/in")
                .bind(Path.of("/usr/share/doc"), "/srv/in/doc/deep")
                .tmpfs("/scratch", 1 << 20)
                .spec();
        List<String> template = PlanSize.steps(binds, true);
        System.out.println("[two binds, one tmpfs] from a template: " + template.size() + " steps, from the host: "
                + PlanSize.steps(binds, false).size());
        // in the template: one open each; beneath the first bind: the bind, then doc, then deep
        assertEquals(
                List.of(
                        "open /srv/in beneath the root, following no symlink",
                        "open /srv/in beneath the root, following no symlink",
                        "open /srv/in/doc beneath the root, following no symlink",
                        "open /srv/in/doc/deep beneath the root, following no symlink",
                        "open /scratch beneath the root, following no symlink"),
                template.stream().filter(s -> s.contains("beneath the root")).toList());
    }

    @Test
    void aLeafRuntimesReadIsMountedReadOnlyOnlyWhenTheSpawnHasALeaf() throws Exception {
        // cgroupfs(true): by default a JVM that is not root mounts it on pure v2 only
        var limited = new IsolatedProcessBuilder("/bin/true")
                .memoryMax(256 << 20)
                .cgroupfs(true)
                .spec();
        LeafHierarchies v2 = new LeafHierarchies(true, List.of());
        LeafHierarchies hybrid = new LeafHierarchies(
                true,
                List.of(
                        new LeafHierarchies.V1("memory", "memory"),
                        new LeafHierarchies.V1("cpu,cpuacct", "cpu,cpuacct")));
        List<String> none = PlanSize.steps(limited, true, null);
        List<String> pure = PlanSize.steps(limited, true, v2);
        List<String> mixed = PlanSize.steps(limited, true, hybrid);
        System.out.println("[memoryMax plan from a template] without a leaf: " + none.size() + " steps, v2 leaf: "
                + pure.size() + ", hybrid leaf (two v1 hierarchies): " + mixed.size()
                + "; from the host, v2 leaf: "
                + PlanSize.steps(limited, false, v2).size());
        assertEquals(List.of(), none.stream().filter(s -> s.contains("cgroup")).toList(), "no leaf, no mount");
        // the mount point is in the template: one open beneath the root, enter it, mount
        assertEquals(
                List.of(
                        "open /sys/fs/cgroup beneath the root, following no symlink",
                        "enter /sys/fs/cgroup",
                        "mount cgroup2 on /sys/fs/cgroup read-only"),
                pure.stream()
                        .filter(s -> s.contains("cgroup") && !s.contains("move into"))
                        .toList());
        assertEquals(
                List.of(
                        "open /sys/fs/cgroup beneath the root, following no symlink",
                        "enter /sys/fs/cgroup",
                        "mount tmpfs on /sys/fs/cgroup",
                        "open /sys/fs/cgroup beneath the root, following no symlink",
                        "enter the tmpfs on /sys/fs/cgroup",
                        "create directory /sys/fs/cgroup/memory",
                        "mount cgroup (memory) on /sys/fs/cgroup/memory read-only",
                        "create directory /sys/fs/cgroup/cpu,cpuacct",
                        "mount cgroup (cpu,cpuacct) on /sys/fs/cgroup/cpu,cpuacct read-only",
                        "create directory /sys/fs/cgroup/unified",
                        "mount cgroup2 on /sys/fs/cgroup/unified read-only",
                        "make the tmpfs on /sys/fs/cgroup read-only"),
                mixed.stream()
                        .filter(s -> s.contains("cgroup") && !s.contains("move into"))
                        .toList());
        var unlimited = new IsolatedProcessBuilder("/bin/true").spec();
        assertEquals(
                PlanSize.steps(unlimited, true).size(),
                PlanSize.steps(unlimited, true, v2).size(),
                "no limit runtimes read: no cgroup mount by default");
    }
}
