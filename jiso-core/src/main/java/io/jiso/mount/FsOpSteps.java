package io.jiso.mount;

import static io.jiso.nativegen.Linux.AT_EMPTY_PATH;
import static io.jiso.nativegen.Linux.AT_RECURSIVE;
import static io.jiso.nativegen.Linux.AT_REMOVEDIR;
import static io.jiso.nativegen.Linux.ENOENT;
import static io.jiso.nativegen.Linux.MOVE_MOUNT_F_EMPTY_PATH;
import static io.jiso.nativegen.Linux.MOVE_MOUNT_T_EMPTY_PATH;
import static io.jiso.nativegen.Linux.OPEN_TREE_CLOEXEC;
import static io.jiso.nativegen.Linux.OPEN_TREE_CLONE;
import static io.jiso.nativegen.Linux.O_CLOEXEC;
import static io.jiso.nativegen.Linux.O_CREAT;
import static io.jiso.nativegen.Linux.O_EXCL;
import static io.jiso.nativegen.Linux.O_WRONLY;
import static io.jiso.plan.Syscalls.AT_FDCWD;
import static io.jiso.plan.Syscalls.CLOSE;
import static io.jiso.plan.Syscalls.MKDIRAT;
import static io.jiso.plan.Syscalls.OPENAT;
import static io.jiso.plan.Syscalls.UNLINKAT;
import static io.jiso.plan.Syscalls.WRITE;
import static io.jiso.plan.Syscalls.createFile;
import static io.jiso.plan.Syscalls.mkdir;
import static io.jiso.plan.Syscalls.symlink;

import io.jiso.cgroup.LeafHierarchies;
import io.jiso.mount.FsOp.Bind;
import io.jiso.mount.FsOp.CgroupFs;
import io.jiso.mount.FsOp.DeviceNode;
import io.jiso.mount.FsOp.Devpts;
import io.jiso.mount.FsOp.Directory;
import io.jiso.mount.FsOp.File;
import io.jiso.mount.FsOp.MaskProc;
import io.jiso.mount.FsOp.MountPoint;
import io.jiso.mount.FsOp.Proc;
import io.jiso.mount.FsOp.Symlink;
import io.jiso.mount.FsOp.SystemBind;
import io.jiso.mount.FsOp.Tmpfs;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.mount_attr;
import io.jiso.plan.StepList;
import io.jiso.plan.StepList.Step;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one interpreter of {@link FsOp} lists: the steps of each op, for the
 * root built from a copy of the host's namespace ({@link RootfsSteps}) and for
 * a template and its copies ({@link RootTemplateSteps}), which only choose
 * which ops run where.
 *
 * <p>The preset's ops work by path: they name fixed paths of the tree jiso
 * itself made, and run before anything of the caller's is mounted. The
 * caller's mounts go onto an fd of their target, resolved beneath the root
 * without following a symbolic link ({@link BeneathRoot}), from a tree cloned
 * from the host's source as the caller named it.
 */
final class FsOpSteps {
    private static final int MOUNT = Linux.__NR_mount;
    private static final int MOUNT_SETATTR = Linux.__NR_mount_setattr;
    private static final int OPEN_TREE = Linux.__NR_open_tree;
    private static final int MOVE_MOUNT = Linux.__NR_move_mount;
    private static final int FCHDIR = Linux.__NR_fchdir;
    private static final long MS_BIND = Linux.MS_BIND;
    private static final long MS_REC = Linux.MS_REC;
    private static final long MS_NOSUID = Linux.MS_NOSUID;
    private static final long MS_NODEV = Linux.MS_NODEV;
    private static final long MS_NOEXEC = Linux.MS_NOEXEC;
    private static final long MS_RDONLY = Linux.MS_RDONLY;
    private static final long ATTR_RDONLY = Linux.MOUNT_ATTR_RDONLY;
    private static final long ATTR_NOSUID = Linux.MOUNT_ATTR_NOSUID;
    private static final long ATTR_NODEV = Linux.MOUNT_ATTR_NODEV;

    /** An empty directory of the sandbox's /tmp, bound over what must look empty, then removed. */
    private static final String EMPTY = "/tmp/.jiso-empty";

    private final StepList steps;
    private final BeneathRoot beneath;
    /** The leaf's hierarchies for a CgroupFs op, or null: no leaf, nothing to mount there. */
    private final LeafHierarchies cgroups;
    /** The detached trees cloned from the host, by op (identity: two equal binds are two trees). */
    private final Map<FsOp, Step> trees = new IdentityHashMap<>();

    FsOpSteps(StepList steps) {
        this(steps, null);
    }

    FsOpSteps(StepList steps, LeafHierarchies cgroups) {
        this.steps = steps;
        this.beneath = new BeneathRoot(steps);
        this.cgroups = cgroups;
    }

    /**
     * Clones the host's trees that ops bind, while the host's tree is in
     * sight: each caller's bind source, opened with RESOLVE_NO_SYMLINKS, and
     * the host's /proc if hostProc.
     */
    void cloneHostTrees(List<FsOp> ops, boolean hostProc) {
        for (FsOp op : ops) {
            if (op instanceof Bind b) {
                Step source = BeneathRoot.openHostPath(steps, b.source(), describe(b));
                trees.put(
                        op,
                        steps.call(
                                        describe(b),
                                        OPEN_TREE,
                                        0,
                                        steps.cStringAddress(""),
                                        AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
                                .argFromStep(0, source));
            } else if (hostProc && op instanceof Proc p && !p.newInstance()) {
                trees.put(
                        op,
                        steps.call(
                                "bind /proc",
                                OPEN_TREE,
                                AT_FDCWD,
                                steps.cStringAddress("/proc"),
                                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
            }
        }
    }

    private static String describe(Bind b) {
        return "bind " + b.named() + " on " + b.target();
    }

    /** An op of a template (see {@link FsOp#perSandbox()}), with the host's tree at host. */
    void build(FsOp op, String host) {
        switch (op) {
            case SystemBind s -> {
                mkdir(steps, s.path(), 0755);
                steps.call(
                        "bind " + s.path() + " on " + s.path(),
                        MOUNT,
                        steps.cStringAddress(host + s.path()),
                        steps.cStringAddress(s.path()),
                        0,
                        MS_BIND | MS_REC,
                        0);
                restrict(s.path(), false);
            }
            case Symlink l -> symlink(steps, l.target(), l.path());
            case DeviceNode d -> {
                createFile(steps, d.path());
                steps.call(
                        "bind " + d.path(),
                        MOUNT,
                        steps.cStringAddress(host + d.path()),
                        steps.cStringAddress(d.path()),
                        0,
                        MS_BIND,
                        0);
            }
            case Directory d -> mkdir(steps, d.path(), d.mode());
            case File f -> writeNewFile(f.path(), f.content());
            case MountPoint p -> beneath.mountPoint("/", p.path(), p.file());
            default -> throw new IllegalArgumentException("mounted per sandbox, not part of a template: " + op);
        }
    }

    /**
     * A mount of the preset, at a fixed path of the tree jiso made; makes its
     * mount point first when makeMountPoint (a template has it already).
     */
    void mountPreset(FsOp op, String host, boolean makeMountPoint) {
        if (op instanceof CgroupFs c) {
            mountCgroups(c.path(), makeMountPoint ? "/" : c.path());
            return;
        }
        if (makeMountPoint && op.mountPoint() != null) {
            mkdir(steps, op.mountPoint(), op instanceof Proc ? 0555 : 0755);
        }
        switch (op) {
            case Tmpfs t -> mountTmpfs(t.path(), t.sizeBytes(), t.mode());
            case Proc p
            when p.newInstance() ->
                steps.call(
                        "mount proc on /proc",
                        MOUNT,
                        steps.cStringAddress("proc"),
                        steps.cStringAddress("/proc"),
                        steps.cStringAddress("proc"),
                        MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        0);
            case Proc p
            when trees.containsKey(p) -> {
                steps.call(
                                "attach the bind on /proc",
                                MOVE_MOUNT,
                                0,
                                steps.cStringAddress(""),
                                AT_FDCWD,
                                steps.cStringAddress("/proc"),
                                MOVE_MOUNT_F_EMPTY_PATH)
                        .argFromStep(0, trees.get(p));
                restrict("/proc", true);
            }
            case Proc p -> {
                steps.call(
                        "bind /proc on /proc",
                        MOUNT,
                        steps.cStringAddress(host + "/proc"),
                        steps.cStringAddress("/proc"),
                        0,
                        MS_BIND | MS_REC,
                        0);
                restrict("/proc", true);
            }
            case MaskProc m -> maskProc();
            case Devpts d ->
                steps.call(
                        "mount devpts on " + d.path(),
                        MOUNT,
                        steps.cStringAddress("devpts"),
                        steps.cStringAddress(d.path()),
                        steps.cStringAddress("devpts"),
                        MS_NOSUID | MS_NOEXEC,
                        steps.cStringAddress("newinstance,ptmxmode=0666,mode=0620"));
            default -> throw new IllegalArgumentException("not a mount of the preset: " + op);
        }
    }

    /**
     * A caller's mount, onto its target resolved beneath the root without
     * symbolic links; existing is the target or a parent of it known to exist.
     */
    void mountCaller(FsOp op, String existing) {
        Step target = beneath.mountPoint(existing, op.mountPoint(), op.fileMountPoint());
        switch (op) {
            case Bind b -> {
                Step tree = trees.get(b);
                // On the detached tree, before it is attached: nothing of it is ever writable or nosuid-less.
                setAttributes(
                                0,
                                "",
                                AT_EMPTY_PATH | AT_RECURSIVE,
                                attributes(b.writable()),
                                "set " + (b.writable() ? "nosuid,nodev" : "read-only") + " on " + b.target())
                        .argFromStep(0, tree);
                steps.call(
                                "attach the bind on " + b.target(),
                                MOVE_MOUNT,
                                0,
                                steps.cStringAddress(""),
                                0,
                                steps.cStringAddress(""),
                                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
                        .argFromStep(0, tree)
                        .argFromStep(2, target);
            }
            case Tmpfs t -> {
                // mount(2) takes a path: "." after fchdir to the resolved fd is that directory, with no lookup.
                steps.call("enter " + t.path(), FCHDIR, 0).argFromStep(0, target);
                mountTmpfsAt(".", t.path(), t.sizeBytes(), t.mode());
            }
            default -> throw new IllegalArgumentException("not a caller's mount: " + op);
        }
    }

    /**
     * The leaf's hierarchies, read-only at path (see FsOp.CgroupFs). The
     * cgroup namespace was made once the child was in its leaf, so every
     * cgroup mount made here is rooted at the leaf and shows nothing above
     * it. path is resolved beneath the root without following a link, and
     * the v1 mounts go into a tmpfs made here, which nothing else can see yet.
     * A no-op without a leaf (only plans printed by tests lack one: a spec that mounts its cgroup needs it).
     */
    private void mountCgroups(String path, String existing) {
        if (cgroups == null || (cgroups.v1().isEmpty() && !cgroups.unified())) {
            return;
        }
        long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        Step target = beneath.mountPoint(existing, path, false);
        // mount(2) takes a path: "." after fchdir to the resolved fd is that directory, with no lookup.
        steps.call("enter " + path, FCHDIR, 0).argFromStep(0, target);
        if (cgroups.v1().isEmpty()) {
            steps.call(
                    "mount cgroup2 on " + path + " read-only",
                    MOUNT,
                    steps.cStringAddress("cgroup2"),
                    steps.cStringAddress("."),
                    steps.cStringAddress("cgroup2"),
                    flags,
                    0);
            return;
        }
        mountTmpfsAt(".", path, 64 << 10, "0755");
        // "." still names the directory under the new tmpfs: resolve path again to enter the tmpfs.
        Step tmpfs = beneath.mountPoint(path, path, false);
        steps.call("enter the tmpfs on " + path, FCHDIR, 0).argFromStep(0, tmpfs);
        for (LeafHierarchies.V1 h : cgroups.v1()) {
            mountCgroupIn(path, h.name(), "cgroup", h.options(), flags);
        }
        if (cgroups.unified()) {
            mountCgroupIn(path, "unified", "cgroup2", null, flags);
        }
        setAttributes(
                AT_FDCWD, ".", 0, ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, "make the tmpfs on " + path + " read-only");
    }

    /** A cgroup mount in a directory made in the tmpfs that is the current directory. */
    private void mountCgroupIn(String path, String name, String type, String options, long flags) {
        steps.call("create directory " + path + "/" + name, MKDIRAT, AT_FDCWD, steps.cStringAddress(name), 0555);
        steps.call(
                "mount " + type + (options == null ? "" : " (" + options + ")") + " on " + path + "/" + name
                        + " read-only",
                MOUNT,
                steps.cStringAddress(type),
                steps.cStringAddress(name),
                steps.cStringAddress(type),
                flags,
                options == null ? 0 : steps.cStringAddress(options));
    }

    /** Hides what /proc tells of the host (see ProcMasks); needs a writable /tmp. */
    private void maskProc() {
        for (String file : ProcMasks.HIDDEN_FILES) {
            steps.call(
                            "hide " + file,
                            MOUNT,
                            steps.cStringAddress("/dev/null"),
                            steps.cStringAddress(file),
                            0,
                            MS_BIND,
                            0)
                    .tolerate(ENOENT);
        }
        // An empty directory bound read-only, not a tmpfs each: no new superblock. Removed from /tmp
        // once bound; the binds keep it.
        mkdir(steps, EMPTY, 0555);
        for (String dir : ProcMasks.HIDDEN_DIRECTORIES) {
            steps.call("hide " + dir, MOUNT, steps.cStringAddress(EMPTY), steps.cStringAddress(dir), 0, MS_BIND, 0)
                    .tolerate(ENOENT);
            setAttributes(AT_FDCWD, dir, 0, ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, "make " + dir + " read-only")
                    .tolerate(ENOENT);
        }
        steps.call("remove " + EMPTY, UNLINKAT, AT_FDCWD, steps.cStringAddress(EMPTY), AT_REMOVEDIR);
        for (String path : ProcMasks.READ_ONLY) {
            steps.call(
                            "bind " + path + " read-only",
                            MOUNT,
                            steps.cStringAddress(path),
                            steps.cStringAddress(path),
                            0,
                            MS_BIND | MS_REC,
                            0)
                    .tolerate(ENOENT);
            setAttributes(
                            AT_FDCWD,
                            path,
                            AT_RECURSIVE,
                            ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV,
                            "make " + path + " read-only")
                    .tolerate(ENOENT);
        }
    }

    /** A file that must not exist yet (the root is a fresh tmpfs), written in one write(2). */
    private void writeNewFile(String path, String content) {
        Step open = steps.call(
                "create file " + path,
                OPENAT,
                AT_FDCWD,
                steps.cStringAddress(path),
                O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                0644);
        MemorySegment data = steps.cString(content);
        steps.call("write " + path, WRITE, 0, data.address(), data.byteSize() - 1)
                .argFromStep(0, open);
        steps.call("close " + path, CLOSE, 0).argFromStep(0, open);
    }

    private void mountTmpfs(String path, long sizeBytes, String mode) {
        mountTmpfsAt(path, path, sizeBytes, mode);
    }

    private void mountTmpfsAt(String at, String shown, long sizeBytes, String mode) {
        steps.call(
                "mount tmpfs on " + shown,
                MOUNT,
                steps.cStringAddress("tmpfs"),
                steps.cStringAddress(at),
                steps.cStringAddress("tmpfs"),
                MS_NOSUID | MS_NODEV,
                steps.cStringAddress("mode=" + mode + ",size=" + sizeBytes));
    }

    /** nosuid, nodev and, unless writable, read-only, over the whole bound tree at path. */
    private void restrict(String path, boolean writable) {
        setAttributes(
                AT_FDCWD,
                path,
                AT_RECURSIVE,
                attributes(writable),
                "set " + (writable ? "nosuid,nodev" : "read-only") + " on " + path);
    }

    private static long attributes(boolean writable) {
        return ATTR_NOSUID | ATTR_NODEV | (writable ? 0 : ATTR_RDONLY);
    }

    /** mount_setattr(2): unlike a remount it changes a whole bind tree, and it keeps locked flags. */
    private Step setAttributes(int dirfd, String path, int flags, long attrSet, String what) {
        MemorySegment attr = steps.allocate(mount_attr.layout());
        mount_attr.attr_set(attr, attrSet);
        return steps.call(
                what, MOUNT_SETATTR, dirfd, steps.cStringAddress(path), flags, attr.address(), attr.byteSize());
    }
}
