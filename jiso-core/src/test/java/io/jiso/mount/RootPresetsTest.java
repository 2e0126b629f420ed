package io.jiso.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.mount.FsOp.CgroupFs;
import io.jiso.mount.FsOp.DeviceNode;
import io.jiso.mount.FsOp.Devpts;
import io.jiso.mount.FsOp.Directory;
import io.jiso.mount.FsOp.File;
import io.jiso.mount.FsOp.MaskProc;
import io.jiso.mount.FsOp.Proc;
import io.jiso.mount.FsOp.Symlink;
import io.jiso.mount.FsOp.SystemBind;
import io.jiso.mount.FsOp.Tmpfs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default file systems as op lists, for a given host layout: what a fresh
 * root and the host's root consist of, in order (the kernel tests look at the
 * mounts inside; GoldenPlanTest at the steps the ops become).
 */
class RootPresetsTest {
    /** Merged /usr, a host /etc, one package directory of /etc that a minimal /etc still shows. */
    private static final HostLayout MERGED = new HostLayout(
            List.of(
                    new HostLayout.Entry("/usr", null),
                    new HostLayout.Entry("/bin", "usr/bin"),
                    new HostLayout.Entry("/lib", "usr/lib")),
            true,
            List.of("/etc/alternatives"));
    /** A host without /etc, with a /lib of its own. */
    private static final HostLayout SPLIT = new HostLayout(
            List.of(new HostLayout.Entry("/usr", null), new HostLayout.Entry("/lib", null)), false, List.of());

    private static final List<FsOp> DEV = List.of(
            new Directory("/dev", 0755),
            new DeviceNode("/dev/null"),
            new DeviceNode("/dev/zero"),
            new DeviceNode("/dev/full"),
            new DeviceNode("/dev/random"),
            new DeviceNode("/dev/urandom"),
            new DeviceNode("/dev/tty"),
            new Symlink("pts/ptmx", "/dev/ptmx"),
            new Symlink("/proc/self/fd", "/dev/fd"),
            new Symlink("/proc/self/fd/0", "/dev/stdin"),
            new Symlink("/proc/self/fd/1", "/dev/stdout"),
            new Symlink("/proc/self/fd/2", "/dev/stderr"));

    private static List<FsOp> perSandbox(long tmp, boolean ownPids) {
        return List.of(
                new Tmpfs("/tmp", tmp, "1777"),
                new Proc(ownPids),
                new MaskProc(),
                new Devpts("/dev/pts"),
                new Tmpfs("/dev/shm", 64L << 20, "1777"));
    }

    @Test
    void aFreshRootIsTheSystemDirectoriesEtcDevThenWhatEachSandboxGetsItsOwn() {
        List<FsOp> expected = new ArrayList<>(List.of(
                new SystemBind("/usr"),
                new Symlink("usr/bin", "/bin"),
                new Symlink("usr/lib", "/lib"),
                new SystemBind("/etc")));
        expected.addAll(DEV);
        expected.addAll(perSandbox(1 << 20, true));
        List<FsOp> ops = RootPresets.freshRoot(false, 1 << 20, true, MERGED, false);
        assertEquals(expected, ops);
        assertThrows(UnsupportedOperationException.class, () -> ops.add(new MaskProc()), "a spec's list is fixed");
        // what a template holds and what each sandbox mounts itself
        assertEquals(4 + DEV.size(), ops.stream().filter(op -> !op.perSandbox()).count());
        assertTrue(ops.subList(4 + DEV.size(), ops.size()).stream().allMatch(FsOp::perSandbox));
    }

    @Test
    void withoutAPidNamespaceProcIsTheHostsAndWithoutEtcThereIsNone() {
        List<FsOp> ops = RootPresets.freshRoot(false, 8 << 20, false, SPLIT, false);
        assertEquals(List.of(new SystemBind("/usr"), new SystemBind("/lib")), ops.subList(0, 2));
        assertEquals(DEV, ops.subList(2, 2 + DEV.size()), "no /etc bind on a host without /etc");
        assertEquals(perSandbox(8 << 20, false), ops.subList(2 + DEV.size(), ops.size()));
    }

    @Test
    void aMinimalEtcIsJisosFilesAndThePackageDirectories() {
        List<FsOp> ops = RootPresets.freshRoot(true, 1 << 20, true, MERGED, false);
        assertFalse(ops.contains(new SystemBind("/etc")), "none of the host's /etc");
        List<FsOp> etc = ops.subList(3, 9);
        assertEquals(new Directory("/etc", 0755), etc.get(0));
        List<String> files =
                etc.subList(1, 5).stream().map(op -> ((File) op).path()).toList();
        assertEquals(List.of("/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf"), files);
        String passwd = ((File) etc.get(1)).content();
        assertTrue(passwd.startsWith("root:x:0:0:") && passwd.contains("\nnobody:x:65534:65534:"), passwd);
        assertTrue(((File) etc.get(3)).content().startsWith("127.0.0.1\tlocalhost\n"));
        assertEquals(new SystemBind("/etc/alternatives"), etc.get(5));
        assertEquals(new Directory("/dev", 0755), ops.get(9));
        assertFalse(
                RootPresets.freshRoot(false, 1 << 20, true, MERGED, false)
                        .contains(new SystemBind("/etc/alternatives")),
                "the host's /etc has them already");
    }

    @Test
    void theCgroupFileSystemComesLastAndOnlyWhenAsked() {
        List<FsOp> without = RootPresets.freshRoot(false, 1 << 20, true, MERGED, false);
        List<FsOp> with = RootPresets.freshRoot(false, 1 << 20, true, MERGED, true);
        assertEquals(without.size() + 1, with.size());
        assertEquals(without, with.subList(0, without.size()));
        assertEquals(new CgroupFs("/sys/fs/cgroup"), with.getLast());
        assertEquals("/sys/fs/cgroup", with.getLast().mountPoint());
        assertTrue(RootPresets.mountsCgroupFs(with));
        assertFalse(RootPresets.mountsCgroupFs(without));
        assertFalse(RootPresets.mountsCgroupFs(RootPresets.hostRoot(1 << 20, true)));
    }

    @Test
    void theHostsRootGetsAPrivateTmpAndWithAPidNamespaceItsOwnMaskedProc() {
        assertEquals(
                List.of(new Tmpfs("/tmp", 4 << 20, "1777"), new Proc(true), new MaskProc()),
                RootPresets.hostRoot(4 << 20, true));
        assertEquals(List.of(new Tmpfs("/tmp", 4 << 20, "1777")), RootPresets.hostRoot(4 << 20, false));
    }

    @Test
    void theCurrentLayoutsListsAreSharedAndEqualToAFreshBuild() {
        HostLayout here = HostLayout.current();
        for (boolean minimalEtc : new boolean[] {false, true}) {
            List<FsOp> cached = RootPresets.freshRoot(minimalEtc, 1 << 20, true, here, false);
            List<FsOp> built = RootPresets.freshRoot(
                    minimalEtc,
                    1 << 20,
                    true,
                    new HostLayout(here.systemDirectories(), here.hasEtc(), here.packageEtc()),
                    false);
            assertEquals(built, cached, "minimalEtc " + minimalEtc);
        }
    }
}
