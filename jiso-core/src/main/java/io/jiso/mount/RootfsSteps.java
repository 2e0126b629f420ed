package io.jiso.mount;

import static io.jiso.spawn.Syscalls.AT_FDCWD;
import static io.jiso.spawn.Syscalls.CHDIR;
import static io.jiso.spawn.Syscalls.UNLINKAT;
import static io.jiso.spawn.Syscalls.createFile;
import static io.jiso.spawn.Syscalls.mkdir;
import static io.jiso.spawn.Syscalls.mkdirs;
import static io.jiso.spawn.Syscalls.symlink;

import io.jiso.Namespace;
import io.jiso.nativegen.Abi;
import io.jiso.nativegen.libc.mount_attr;
import io.jiso.spawn.SandboxSpec;
import io.jiso.spawn.SandboxSpec.Bind;
import io.jiso.spawn.SandboxSpec.MountSpec;
import io.jiso.spawn.SandboxSpec.Tmpfs;
import io.jiso.spawn.StepList;
import java.lang.foreign.MemorySegment;

/**
 * The mount namespace's steps: stop propagation to the host, then either build
 * a fresh root on tmpfs (read-only binds of the host's system directories, a
 * minimal /dev, a new /proc with sensitive entries masked, a private /tmp,
 * the user's mounts, pivot_root with the old root detached) or keep the
 * host's root with a new /proc and /tmp.
 */
public final class RootfsSteps {
    private RootfsSteps() {
    }

    private static final Abi ABI = Abi.current();
    private static final int MOUNT = ABI.syscall("mount");
    private static final int UMOUNT2 = ABI.syscall("umount2");
    private static final int PIVOT_ROOT = ABI.syscall("pivot_root");
    private static final int MOUNT_SETATTR = ABI.syscall("mount_setattr");
    private static final long MS_BIND = ABI.longConstant("MS_BIND");
    private static final long MS_REC = ABI.longConstant("MS_REC");
    private static final long MS_PRIVATE = ABI.longConstant("MS_PRIVATE");
    private static final long MS_NOSUID = ABI.longConstant("MS_NOSUID");
    private static final long MS_NODEV = ABI.longConstant("MS_NODEV");
    private static final long MS_NOEXEC = ABI.longConstant("MS_NOEXEC");
    private static final int MNT_DETACH = ABI.intConstant("MNT_DETACH");
    private static final int AT_RECURSIVE = ABI.intConstant("AT_RECURSIVE");
    private static final int AT_REMOVEDIR = ABI.intConstant("AT_REMOVEDIR");
    private static final long ATTR_RDONLY = ABI.longConstant("MOUNT_ATTR_RDONLY");
    private static final long ATTR_NOSUID = ABI.longConstant("MOUNT_ATTR_NOSUID");
    private static final long ATTR_NODEV = ABI.longConstant("MOUNT_ATTR_NODEV");
    private static final int ENOENT = ABI.intConstant("ENOENT");

    /** Where the new root is assembled before pivot_root; any directory of the host does. */
    private static final String STAGING = "/tmp";
    private static final String OLD_ROOT = "/oldroot";
    /** An empty directory of the sandbox's /tmp, bound over what must look empty, then removed. */
    private static final String EMPTY = "/tmp/.jiso-empty";
    private static final long SHM_SIZE = 64L << 20;

    /**
     * Adds the mount steps for spec (which must create a mount namespace),
     * starting from a copy of the host's. {@link RootTemplateSteps} does the
     * same from a template, without the copy.
     */
    public static void build(StepList steps, SandboxSpec spec) {
        makeAllPrivate(steps);
        String host = spec.freshRoot() ? OLD_ROOT : "";
        if (spec.freshRoot()) {
            enterEmptyRoot(steps);
            systemDirectories(steps);
            devTree(steps);
        }
        tmpfs(steps, "/tmp", spec.tmpSizeBytes(), "1777");
        mkdir(steps, "/proc", 0555);
        if (spec.creates(Namespace.PID)) {
            mountProc(steps);
        } else if (!host.isEmpty()) {
            bind(steps, host + "/proc", "/proc", true);
        }
        if (spec.creates(Namespace.PID) || !host.isEmpty()) { // else the host's /proc stays, as it is
            maskProc(steps);
        }
        if (spec.freshRoot()) {
            devMounts(steps);
        }
        for (MountSpec m : spec.mounts()) {
            userMount(steps, m, host, spec);
        }
        if (spec.freshRoot()) {
            leaveOldRoot(steps);
        }
    }

    static void makeAllPrivate(StepList steps) {
        steps.call("make all mounts private", MOUNT, 0, steps.cStringAddress("/"), 0, MS_REC | MS_PRIVATE, 0);
    }

    /** Read-only binds of the host's system directories, or their symlinks. */
    static void systemDirectories(StepList steps) {
        for (HostLayout.Entry e : HostLayout.systemDirectories()) {
            if (e.symlinkTarget() != null) {
                symlink(steps, e.symlinkTarget(), e.path());
            } else {
                mkdir(steps, e.path(), 0755);
                bind(steps, OLD_ROOT + e.path(), e.path(), false);
            }
        }
    }

    /** Detaches the host's root (every unmount waits for an RCU grace period) and makes the new one read-only. */
    static void leaveOldRoot(StepList steps) {
        steps.call("detach the old root", UMOUNT2, steps.cStringAddress(OLD_ROOT), MNT_DETACH);
        steps.call("remove " + OLD_ROOT, UNLINKAT, AT_FDCWD, steps.cStringAddress(OLD_ROOT), AT_REMOVEDIR);
        setAttributes(steps, "/", ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, false, "make the root read-only");
    }

    /** A tmpfs becomes / and the host's root moves to /oldroot until the binds are done. */
    static void enterEmptyRoot(StepList steps) {
        steps.call("mount the new root (tmpfs) on " + STAGING, MOUNT, steps.cStringAddress("jiso"),
                steps.cStringAddress(STAGING), steps.cStringAddress("tmpfs"), MS_NOSUID | MS_NODEV,
                steps.cStringAddress("mode=0755,size=1m"));
        steps.call("change directory to the new root", CHDIR, steps.cStringAddress(STAGING));
        mkdir(steps, "oldroot", 0700);
        steps.call("pivot_root into the new root", PIVOT_ROOT, steps.cStringAddress("."),
                steps.cStringAddress("oldroot"));
        steps.call("change directory to /", CHDIR, steps.cStringAddress("/"));
    }

    /**
     * A minimal /dev, and mount points for its own mounts ({@link #devMounts}).
     * /dev is a directory of the root tmpfs, not a tmpfs of its own: every
     * superblock costs the spawn a few hundred microseconds to make and tear
     * down. The root is nodev, so a node made with mknod is useless; the
     * device binds below are mounts of their own.
     */
    static void devTree(StepList steps) {
        mkdir(steps, "/dev", 0755);
        for (String node : new String[] {"null", "zero", "full", "random", "urandom", "tty"}) {
            String path = "/dev/" + node;
            createFile(steps, path);
            steps.call("bind " + path, MOUNT, steps.cStringAddress(OLD_ROOT + path), steps.cStringAddress(path), 0,
                    MS_BIND, 0);
        }
        mkdir(steps, "/dev/pts", 0755);
        symlink(steps, "pts/ptmx", "/dev/ptmx");
        mkdir(steps, "/dev/shm", 0755);
        symlink(steps, "/proc/self/fd", "/dev/fd");
        symlink(steps, "/proc/self/fd/0", "/dev/stdin");
        symlink(steps, "/proc/self/fd/1", "/dev/stdout");
        symlink(steps, "/proc/self/fd/2", "/dev/stderr");
    }

    /** What each sandbox's /dev has of its own: ptys and shared memory. */
    static void devMounts(StepList steps) {
        steps.call("mount devpts on /dev/pts", MOUNT, steps.cStringAddress("devpts"),
                steps.cStringAddress("/dev/pts"), steps.cStringAddress("devpts"), MS_NOSUID | MS_NOEXEC,
                steps.cStringAddress("newinstance,ptmxmode=0666,mode=0620"));
        mountTmpfs(steps, "/dev/shm", SHM_SIZE, "1777");
    }

    /** A new /proc, for a new pid namespace. */
    static void mountProc(StepList steps) {
        steps.call("mount proc on /proc", MOUNT, steps.cStringAddress("proc"), steps.cStringAddress("/proc"),
                steps.cStringAddress("proc"), MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
    }

    /** Hides what /proc tells of the host (see ProcMasks); needs a writable /tmp. */
    static void maskProc(StepList steps) {
        for (String file : ProcMasks.HIDDEN_FILES) {
            steps.call("hide " + file, MOUNT, steps.cStringAddress("/dev/null"), steps.cStringAddress(file), 0,
                    MS_BIND, 0).tolerate(ENOENT);
        }
        // An empty directory bound read-only, not a tmpfs each: no new superblock. Removed from /tmp
        // once bound; the binds keep it.
        mkdir(steps, EMPTY, 0555);
        for (String dir : ProcMasks.HIDDEN_DIRECTORIES) {
            bindHidden(steps, dir);
        }
        steps.call("remove " + EMPTY, UNLINKAT, AT_FDCWD, steps.cStringAddress(EMPTY), AT_REMOVEDIR);
        for (String path : ProcMasks.READ_ONLY) {
            steps.call("bind " + path + " read-only", MOUNT, steps.cStringAddress(path), steps.cStringAddress(path),
                    0, MS_BIND | MS_REC, 0).tolerate(ENOENT);
            setAttributes(steps, path, ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, true, "make " + path + " read-only")
                    .tolerate(ENOENT);
        }
    }

    private static void bindHidden(StepList steps, String dir) {
        steps.call("hide " + dir, MOUNT, steps.cStringAddress(EMPTY), steps.cStringAddress(dir), 0, MS_BIND, 0)
                .tolerate(ENOENT);
        setAttributes(steps, dir, ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, false, "make " + dir + " read-only")
                .tolerate(ENOENT);
    }

    private static void userMount(StepList steps, MountSpec m, String host, SandboxSpec spec) {
        switch (m) {
            case Bind b -> {
                mountPoint(steps, b.target(), HostLayout.isRegularFile(b.source()));
                bind(steps, host + b.source(), b.target(), b.writable());
            }
            case Tmpfs t -> {
                mkdirs(steps, t.target(), 0755);
                tmpfs(steps, t.target(), t.sizeBytes(), userTmpfsMode(spec));
            }
        }
    }

    /** An empty file or directory to mount on, with its parents. */
    static void mountPoint(StepList steps, String path, boolean file) {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            mkdirs(steps, path.substring(0, slash), 0755);
        }
        if (file) {
            createFile(steps, path);
        } else {
            mkdir(steps, path, 0755);
        }
    }

    private static void bind(StepList steps, String source, String target, boolean writable) {
        String shown = source.startsWith(OLD_ROOT) ? source.substring(OLD_ROOT.length()) : source;
        steps.call("bind " + shown + " on " + target, MOUNT, steps.cStringAddress(source),
                steps.cStringAddress(target), 0, MS_BIND | MS_REC, 0);
        restrictBind(steps, target, writable);
    }

    /** nosuid, nodev and, unless writable, read-only, over a whole bound tree. */
    static void restrictBind(StepList steps, String target, boolean writable) {
        long attributes = ATTR_NOSUID | ATTR_NODEV | (writable ? 0 : ATTR_RDONLY);
        setAttributes(steps, target, attributes, true, "set " + (writable ? "nosuid,nodev" : "read-only") + " on "
                + target);
    }

    private static void tmpfs(StepList steps, String target, long sizeBytes, String mode) {
        mkdir(steps, target, 0755);
        mountTmpfs(steps, target, sizeBytes, mode);
    }

    static void mountTmpfs(StepList steps, String target, long sizeBytes, String mode) {
        steps.call("mount tmpfs on " + target, MOUNT, steps.cStringAddress("tmpfs"), steps.cStringAddress(target),
                steps.cStringAddress("tmpfs"), MS_NOSUID | MS_NODEV,
                steps.cStringAddress("mode=" + mode + ",size=" + sizeBytes));
    }

    /** A user tmpfs is owned by the program's identity: a scratch space it could not write would be useless. */
    static String userTmpfsMode(SandboxSpec spec) {
        return "0755,uid=" + spec.privileges().uid() + ",gid=" + spec.privileges().gid();
    }

    /** mount_setattr(2): unlike a remount it changes a whole bind tree, and it keeps locked flags. */
    private static StepList.Step setAttributes(StepList steps, String path, long attrSet, boolean recursive,
            String what) {
        MemorySegment attr = steps.allocate(mount_attr.layout());
        mount_attr.attr_set(attr, attrSet);
        return steps.call(what, MOUNT_SETATTR, AT_FDCWD, steps.cStringAddress(path), recursive ? AT_RECURSIVE : 0,
                attr.address(), attr.byteSize());
    }
}
