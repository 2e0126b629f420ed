package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.mount.FsOp;
import io.jiso.mount.FsOp.Bind;
import io.jiso.mount.FsOp.CgroupFs;
import io.jiso.mount.FsOp.MaskProc;
import io.jiso.mount.FsOp.Proc;
import io.jiso.mount.FsOp.SystemBind;
import io.jiso.mount.FsOp.Tmpfs;
import io.jiso.namespace.NamespaceType;
import io.jiso.spawn.HostFacts;
import io.jiso.spawn.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file-system ops a builder's spec carries: the preset its choices give
 * (fresh root, host's root, none), the caller's mounts in order with their
 * sources resolved, and the snapshot that later changes to the builder do
 * not reach. Planned for fixed host facts, without root.
 */
class SpecMountOpsTest {
    private static final HostFacts UNPRIVILEGED =
            new HostFacts(false, 1000, 1000, false, false, Map.of(), 2, Specs.LAYOUT);

    @TempDir
    Path tmp;

    private static SandboxSpec spec(IsolatedProcessBuilder b) throws Exception {
        return Specs.of(b);
    }

    private static boolean has(List<FsOp> ops, FsOp op) {
        return ops.contains(op);
    }

    @Test
    void theDefaultIsAFreshRootWithTheHostsEtcAndItsOwnProc() throws Exception {
        SandboxSpec s = spec(new IsolatedProcessBuilder("/bin/true"));
        assertTrue(s.freshRoot());
        List<FsOp> preset = s.rootPreset();
        assertEquals(new SystemBind("/usr"), preset.getFirst(), "the layout's system directories first");
        assertTrue(has(preset, new SystemBind("/etc")));
        assertTrue(has(preset, new Tmpfs("/tmp", 64L << 20, "1777")), "a 64 MiB /tmp");
        assertTrue(has(preset, new Proc(true)) && has(preset, new MaskProc()));
        assertEquals(List.of(), s.mounts());
    }

    @Test
    void theBuildersChoicesChangeThePreset() throws Exception {
        List<FsOp> minimal = spec(new IsolatedProcessBuilder("/bin/true")
                        .etc(Etc.MINIMAL)
                        .tmpSize(8 << 20))
                .rootPreset();
        assertFalse(has(minimal, new SystemBind("/etc")));
        assertTrue(has(minimal, new SystemBind("/etc/alternatives")), "the package directories of the layout");
        assertTrue(has(minimal, new Tmpfs("/tmp", 8 << 20, "1777")));

        assertTrue(
                has(
                        spec(new IsolatedProcessBuilder("/bin/true").share(Namespace.PID))
                                .rootPreset(),
                        new Proc(false)),
                "the host's /proc without a pid namespace");

        SandboxSpec host = spec(new IsolatedProcessBuilder("/bin/true").hostRoot());
        assertFalse(host.freshRoot());
        assertEquals(List.of(new Tmpfs("/tmp", 64L << 20, "1777"), new Proc(true), new MaskProc()), host.rootPreset());

        SandboxSpec shared = spec(new IsolatedProcessBuilder("/bin/true").share(Namespace.MOUNT));
        assertEquals(List.of(), shared.rootPreset(), "the host's mounts, untouched");
        assertFalse(shared.freshRoot());
    }

    @Test
    void theCgroupFileSystemIsMountedOnlyWhenAsked() throws Exception {
        assertTrue(spec(new IsolatedProcessBuilder("/bin/true").cgroupfs(true))
                .rootPreset()
                .contains(new CgroupFs("/sys/fs/cgroup")));
        assertFalse(spec(new IsolatedProcessBuilder("/bin/true").cgroupfs(false)).rootPreset().stream()
                .anyMatch(op -> op instanceof CgroupFs));
    }

    @Test
    void theCallersMountsComeInOrderWithSourcesResolvedAndTmpfsOwnedByItsUser() throws Exception {
        Path dir = Files.createDirectories(tmp.toRealPath().resolve("judge"));
        Path file = Files.writeString(dir.resolve("solution.py"), "print(42)\n");
        SandboxSpec s = spec(new IsolatedProcessBuilder("/bin/true")
                .bindReadOnly(dir, "/judge")
                .tmpfs("/scratch", 16 << 20)
                .bind(file, "/box/solution.py")
                .user(1000, 1001));
        assertEquals(
                List.of(
                        new Bind(dir.toString(), dir.toString(), "/judge", false, false),
                        new Tmpfs("/scratch", 16 << 20, "0755,uid=1000,gid=1001"),
                        new Bind(file.toString(), file.toString(), "/box/solution.py", true, true)),
                s.mounts());
        FsOp nobody = spec(new IsolatedProcessBuilder("/bin/true").tmpfs("/scratch", 1 << 20))
                .mounts()
                .getFirst();
        assertEquals(
                new Tmpfs("/scratch", 1 << 20, "0755,uid=65534,gid=65534"),
                nobody,
                "a root JVM's sandbox runs as nobody, and can write its scratch space");
    }

    @Test
    void anUnprivilegedJvmsSandboxIsRootOfItsOwnUserNamespace() throws Exception {
        SandboxSpec s = new IsolatedProcessBuilder("/bin/true")
                .tmpfs("/scratch", 1 << 20)
                .spec(UNPRIVILEGED);
        assertTrue(s.creates(NamespaceType.USER), "every other namespace needs it first");
        assertEquals(
                new Tmpfs("/scratch", 1 << 20, "0755,uid=0,gid=0"), s.mounts().getFirst());
    }

    @Test
    void aSpecIsASnapshotTheBuilderNoLongerReaches() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a"));
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("/bin/echo", "one").bindReadOnly(dir, "/a");
        b.environment().clear();
        b.environment().put("Z", "1");
        b.environment().put("A", "2");
        SandboxSpec s = spec(b);
        b.command("/bin/echo", "two").tmpfs("/b", 1 << 20).environment().put("B", "3");
        assertEquals(List.of("/bin/echo", "one"), s.command());
        assertEquals(1, s.mounts().size());
        assertEquals(List.of("Z", "A"), List.copyOf(s.environment().keySet()), "the caller's order: the child's envp");
        assertEquals(2, spec(b).mounts().size(), "a new spec sees the changes");
    }
}
