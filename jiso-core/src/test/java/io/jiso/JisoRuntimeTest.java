package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.cgroup.Cgroups;
import io.jiso.cgroup.Layout;
import io.jiso.spawn.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runtimes of their own: each with its configuration, its threads, its
 * cgroup leaves and network namespaces, all gone after close(), which kills
 * what still runs. What is checked is what the kernel shows: /proc/PID/cgroup,
 * the cgroup filesystem, the JVM's threads and fds.
 */
@KernelTest
class JisoRuntimeTest {
    private static final String[] THREAD_KINDS = {"reaper", "housekeeping", "spawner-", "netns", "cgroup-leaves"};

    @Test
    void twoRuntimesWithDifferentParentsRunAtOnceEachLeafUnderItsOwn() throws Exception {
        Privileges.assumeRoot("makes the parent cgroups as an administrator would");
        Privileges.assumeCgroupLeaves();
        try (Parent a = new Parent("rt-a");
                Parent b = new Parent("rt-b");
                JisoRuntime ra = JisoRuntime.builder().cgroupParent(a.path).build();
                JisoRuntime rb = JisoRuntime.builder().cgroupParent(b.path).build()) {
            IsolatedProcess pa = waiting(ra);
            IsolatedProcess pb = waiting(rb);
            try {
                List<Path> leavesA = leafDirs(pa.pid());
                List<Path> leavesB = leafDirs(pb.pid());
                assertFalse(leavesA.isEmpty(), "the sandbox has a leaf");
                for (Path leaf : leavesA) {
                    assertTrue(leaf.toString().contains(a.path + "/jiso/jiso-"), leaf + " under " + a.path);
                    assertTrue(Files.isDirectory(leaf), leaf.toString());
                }
                for (Path leaf : leavesB) {
                    assertTrue(leaf.toString().contains(b.path + "/jiso/jiso-"), leaf + " under " + b.path);
                }
                assertEquals(leavesA.size(), leavesB.size(), "the same hierarchies");
            } finally {
                pa.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                pb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void closeKillsEndsThreadsAndRemovesLeavesAndNamespaces() throws Exception {
        Privileges.assumeRoot("the network namespace pool and the parent cgroup need root");
        Privileges.assumeCgroupLeaves();
        try (Parent parent = new Parent("rt-close")) {
            JisoRuntime runtime =
                    JisoRuntime.builder().cgroupParent(parent.path).build();
            String prefix = runtime.threadPrefix();
            Run.of(new IsolatedProcessBuilder(runtime, "true")).ok(); // an exit: housekeeping
            Run.of(new IsolatedProcessBuilder(runtime, "true").share(Namespace.PID))
                    .ok(); // a spawner thread
            assertTrue(Launcher.awaitHousekeeping(10_000));
            IsolatedProcess live = waiting(runtime);
            List<Path> leaves = leafDirs(live.pid());
            assertFalse(leaves.isEmpty());
            Set<String> before = threadsOf(prefix);
            for (String kind : THREAD_KINDS) {
                assertTrue(before.stream().anyMatch(n -> n.startsWith(prefix + kind)), kind + " among " + before);
            }
            assertTrue(!leafNames(parent).isEmpty(), "leaves made ahead and the live one: " + leafNames(parent));
            Map<Integer, String> pooled = new HashMap<>();
            for (int fd : runtime.services().network().readyFds()) {
                pooled.put(fd, link(fd));
            }
            assertFalse(pooled.isEmpty(), "the runtime's pool holds namespaces made ahead");
            assertTrue(pooled.values().stream().allMatch(l -> l.startsWith("net:[")), pooled.toString());

            runtime.close();

            assertTrue(live.waitFor(10, TimeUnit.SECONDS), "close() killed the live sandbox");
            assertEquals(137, live.exitValue(), "SIGKILL");
            assertFalse(ProcessHandle.of(live.pid()).map(ProcessHandle::isAlive).orElse(false), "no process left");
            assertEquals(Set.of(), threadsOf(prefix), "the runtime's threads ended");
            for (Path leaf : leaves) {
                assertFalse(Files.exists(leaf), leaf + " removed");
            }
            assertEquals(List.of(), leafNames(parent), "no leaf left, made ahead or used");
            pooled.forEach((fd, was) -> assertFalse(was.equals(link(fd)), "pooled namespace fd " + fd + " closed"));
            assertTrue(runtime.isClosed());
            runtime.close(); // idempotent
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> new IsolatedProcessBuilder(runtime, "true").start());
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(
                    IllegalStateException.class,
                    () -> Run.of(new IsolatedProcessBuilder(runtime, "true").share(Namespace.PID)));
        }
    }

    @Test
    void theDefaultRuntimeWorksAfterAnotherClosedAndCannotBeClosed() throws Exception {
        JisoRuntime other = JisoRuntime.builder().build();
        assertEquals(
                "ok\n",
                Run.of(new IsolatedProcessBuilder(other, "echo", "ok")).ok().out());
        other.close();
        assertEquals("ok\n", Run.sh("echo ok").ok().out());
        JisoRuntime.defaultRuntime().close(); // no effect, as the common pool's
        assertFalse(JisoRuntime.defaultRuntime().isClosed());
        assertEquals("ok\n", Run.sh("echo ok").ok().out());
        assertTrue(threadsOf("jiso-reaper").contains("jiso-reaper"), "the default's reaper runs");
    }

    @Test
    void aPlainBuilderUsesTheDefaultRuntime() {
        assertEquals(JisoRuntime.defaultRuntime(), new IsolatedProcessBuilder("true").runtime());
        try (JisoRuntime r = JisoRuntime.builder().build()) {
            assertEquals(r, new IsolatedProcessBuilder(r, List.of("true")).runtime());
        }
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> new IsolatedProcessBuilder((JisoRuntime) null, "true"));
        assertTrue(e.getMessage().contains("runtime"), e.getMessage());
    }

    @Test
    void theConfigurationIsKeptAndEachFieldIsValidated() throws Exception {
        try (JisoRuntime r = JisoRuntime.builder()
                .cgroupParent("/a/b")
                .reuseNetworkNamespaces(false)
                .rootTemplates(false)
                .build()) {
            assertEquals("/a/b", r.cgroupParent().orElseThrow());
            assertFalse(r.reuseNetworkNamespaces());
            assertFalse(r.rootTemplates());
            assertEquals(JisoRuntime.DeviceControl.AUTOMATIC, r.deviceControl());
        }
        JisoRuntime.Builder b = JisoRuntime.builder();
        b.cgroupParent("/").cgroupParent(null).cgroupParent("/system.slice/judge.service");
        for (String bad : List.of("", "a/b", "/a//b", "/a/", "/a/./b", "/a/../b", "/..", "/a\0b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.cgroupParent(bad), bad);
            assertTrue(e.getMessage().startsWith("cgroupParent must be an absolute path"), e.getMessage());
        }
        NullPointerException npe = assertThrows(NullPointerException.class, () -> b.deviceControl(null));
        assertEquals("deviceControl", npe.getMessage());
        Layout layout = Cgroups.layout();
        boolean tree = layout.v2Mount() != null;
        boolean list = layout.v1().stream().anyMatch(h -> h.controllers().contains("devices"));
        check(b, JisoRuntime.DeviceControl.BPF, tree);
        check(b, JisoRuntime.DeviceControl.V1, list);
        b.deviceControl(JisoRuntime.DeviceControl.AUTOMATIC);
    }

    private static void check(JisoRuntime.Builder b, JisoRuntime.DeviceControl control, boolean available) {
        if (available) {
            b.deviceControl(control);
            try (JisoRuntime r = b.build()) {
                assertEquals(control, r.deviceControl());
            }
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.deviceControl(control));
            assertTrue(e.getMessage().startsWith("deviceControl " + control), e.getMessage());
        }
    }

    /** A sandbox that waits on its stdin. */
    private static IsolatedProcess waiting(JisoRuntime runtime) throws IOException {
        return new IsolatedProcessBuilder(runtime, "cat").start();
    }

    /** The directories of the process's cgroups in every hierarchy, from /proc/PID/cgroup. */
    private static List<Path> leafDirs(long pid) throws IOException {
        Layout layout = Cgroups.layout();
        List<Path> dirs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (!f[2].contains("/jiso/jiso-")) {
                continue;
            }
            Path mount = f[1].isEmpty()
                    ? layout.v2Mount()
                    : layout.v1().stream()
                            .filter(h -> Set.of(f[1].split(",")).stream().allMatch(h.controllers()::contains))
                            .map(Layout.V1Hierarchy::mount)
                            .findFirst()
                            .orElse(null);
            if (mount != null) {
                dirs.add(mount.resolve(f[2].substring(1)));
            }
        }
        return dirs;
    }

    private static Set<String> threadsOf(String prefix) {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    private static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException closed) {
            return "";
        }
    }

    /** The leaves (jiso-*) under the parent's jiso directory, in every hierarchy. */
    private static List<String> leafNames(Parent parent) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path dir : parent.dirs) {
            Path jiso = dir.resolve("jiso");
            if (Files.isDirectory(jiso)) {
                try (Stream<Path> s = Files.list(jiso)) {
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith("jiso-"))
                            .forEach(n -> names.add(dir + ": " + n));
                }
            }
        }
        return names;
    }

    /**
     * A parent cgroup MOUNT/jiso/NAME in the v2 tree and every v1 hierarchy,
     * made as an administrator would; close() removes it with the jiso
     * directory the runtime made in it, and MOUNT/jiso if it made that.
     */
    private static final class Parent implements AutoCloseable {
        final String path;
        final List<Path> dirs = new ArrayList<>();
        private final List<Path> madeJiso = new ArrayList<>();

        Parent(String name) throws IOException {
            path = "/jiso/test-" + name + "-" + ProcessHandle.current().pid();
            Layout l = Cgroups.layout();
            List<Path> mounts = new ArrayList<>();
            if (l.v2Mount() != null) {
                mounts.add(l.v2Mount());
            }
            l.v1().forEach(h -> mounts.add(h.mount()));
            for (Path mount : mounts) {
                Path jiso = mount.resolve("jiso");
                if (!Files.isDirectory(jiso)) {
                    Files.createDirectory(jiso);
                    madeJiso.add(jiso);
                }
                dirs.add(Files.createDirectory(mount.resolve(path.substring(1))));
            }
        }

        @Override
        public void close() throws IOException {
            for (Path dir : dirs) {
                Files.deleteIfExists(dir.resolve("jiso"));
                Files.deleteIfExists(dir);
            }
            for (Path jiso : madeJiso) {
                try {
                    Files.deleteIfExists(jiso);
                } catch (IOException inUse) {
                    // the default runtime's leaves are there: its shutdown hook removes it
                }
            }
        }
    }
}
