package io.jiso.mount;

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

/**
 * The default file systems, as op lists a spec carries before the caller's
 * mounts: a fresh root (system directories read-only, a minimal /dev, /tmp,
 * /proc with its masks, devpts, /dev/shm) or the host's root with a private
 * /tmp and /proc.
 */
public final class RootPresets {
    private RootPresets() {}

    private static final long SHM_SIZE = 64L << 20;
    private static final List<FsOp> WITH_HOST_ETC = fixedPart(false, HostLayout.current());
    private static final List<FsOp> WITH_MINIMAL_ETC = fixedPart(true, HostLayout.current());

    /** Where the sandbox's own cgroup is mounted (see FsOp.CgroupFs). */
    public static final String CGROUP_FS = "/sys/fs/cgroup";

    /**
     * A fresh root on tmpfs of a host with layout; /proc is new with a new pid
     * namespace, else the host's; with cgroupFs, the sandbox's own cgroup at
     * /sys/fs/cgroup (the only thing in /sys: the host's /sys is never in a fresh root); /etc is
     * the host's, or with minimalEtc one jiso writes (see io.jiso.Etc.MINIMAL).
     */
    public static List<FsOp> freshRoot(
            boolean minimalEtc, long tmpSizeBytes, boolean ownPidNamespace, HostLayout layout, boolean cgroupFs) {
        List<FsOp> fixed = layout != HostLayout.current()
                ? fixedPart(minimalEtc, layout)
                : minimalEtc ? WITH_MINIMAL_ETC : WITH_HOST_ETC;
        List<FsOp> ops = new ArrayList<>(fixed.size() + 6);
        ops.addAll(fixed);
        ops.add(new Tmpfs("/tmp", tmpSizeBytes, "1777"));
        ops.add(new Proc(ownPidNamespace));
        ops.add(new MaskProc());
        ops.add(new Devpts("/dev/pts"));
        ops.add(new Tmpfs("/dev/shm", SHM_SIZE, "1777"));
        if (cgroupFs) {
            ops.add(new CgroupFs(CGROUP_FS));
        }
        return List.copyOf(ops);
    }

    /** Whether ops mount the sandbox's own cgroup (its leaf must then exist). */
    public static boolean mountsCgroupFs(List<FsOp> ops) {
        for (FsOp op : ops) {
            if (op instanceof CgroupFs) {
                return true;
            }
        }
        return false;
    }

    /** The host's root: a private /tmp, and a new /proc (masked) with a new pid namespace. */
    public static List<FsOp> hostRoot(long tmpSizeBytes, boolean ownPidNamespace) {
        Tmpfs tmp = new Tmpfs("/tmp", tmpSizeBytes, "1777");
        return ownPidNamespace ? List.of(tmp, new Proc(true), new MaskProc()) : List.of(tmp);
    }

    /** The part of a fresh root that is the same for every sandbox: built once into a template. */
    private static List<FsOp> fixedPart(boolean minimalEtc, HostLayout layout) {
        List<FsOp> ops = new ArrayList<>();
        for (HostLayout.Entry e : layout.systemDirectories()) {
            ops.add(e.symlinkTarget() != null ? new Symlink(e.symlinkTarget(), e.path()) : new SystemBind(e.path()));
        }
        if (minimalEtc) {
            ops.addAll(minimalEtc(layout));
        } else if (layout.hasEtc()) {
            ops.add(new SystemBind("/etc"));
        }
        // /dev is a directory of the root tmpfs, not a tmpfs of its own: every superblock costs the
        // spawn a few hundred microseconds to make and tear down. The root is nodev, so a node made
        // with mknod is useless; the device binds are mounts of their own.
        ops.add(new Directory("/dev", 0755));
        for (String node : new String[] {"null", "zero", "full", "random", "urandom", "tty"}) {
            ops.add(new DeviceNode("/dev/" + node));
        }
        ops.add(new Symlink("pts/ptmx", "/dev/ptmx"));
        ops.add(new Symlink("/proc/self/fd", "/dev/fd"));
        ops.add(new Symlink("/proc/self/fd/0", "/dev/stdin"));
        ops.add(new Symlink("/proc/self/fd/1", "/dev/stdout"));
        ops.add(new Symlink("/proc/self/fd/2", "/dev/stderr"));
        return List.copyOf(ops);
    }

    /** See io.jiso.Etc.MINIMAL. */
    private static List<FsOp> minimalEtc(HostLayout layout) {
        List<FsOp> ops = new ArrayList<>();
        ops.add(new Directory("/etc", 0755));
        ops.add(new File("/etc/passwd", """
                root:x:0:0:root:/root:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
                """));
        ops.add(new File("/etc/group", """
                root:x:0:
                nogroup:x:65534:
                """));
        ops.add(new File("/etc/hosts", """
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                """));
        ops.add(new File("/etc/nsswitch.conf", """
                passwd: files
                group: files
                shadow: files
                hosts: files
                networks: files
                protocols: files
                services: files
                """));
        for (String dir : layout.packageEtc()) {
            ops.add(new SystemBind(dir));
        }
        return ops;
    }
}
