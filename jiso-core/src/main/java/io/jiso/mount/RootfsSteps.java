package io.jiso.mount;

import static io.jiso.nativegen.Linux.AT_REMOVEDIR;
import static io.jiso.nativegen.Linux.MNT_DETACH;
import static io.jiso.plan.Syscalls.AT_FDCWD;
import static io.jiso.plan.Syscalls.CHDIR;
import static io.jiso.plan.Syscalls.UNLINKAT;
import static io.jiso.plan.Syscalls.mkdir;

import io.jiso.cgroup.LeafHierarchies;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.mount_attr;
import io.jiso.plan.StepList;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The mount namespace's steps from a copy of the host's: stop propagation to
 * the host, clone the caller's bind sources, then either build a fresh root on
 * tmpfs (pivot_root, the preset's ops with the host's tree at /oldroot, the
 * old root detached, the caller's mounts, the root made read-only) or keep the
 * host's root with the preset's /tmp and /proc and the caller's mounts.
 * {@link RootTemplateSteps} runs the same ops from a template.
 */
public final class RootfsSteps {
    private RootfsSteps() {}

    private static final int MOUNT = Linux.__NR_mount;
    private static final int UMOUNT2 = Linux.__NR_umount2;
    private static final int PIVOT_ROOT = Linux.__NR_pivot_root;
    private static final int MOUNT_SETATTR = Linux.__NR_mount_setattr;
    private static final long MS_REC = Linux.MS_REC;
    private static final long MS_PRIVATE = Linux.MS_PRIVATE;
    private static final long MS_NOSUID = Linux.MS_NOSUID;
    private static final long MS_NODEV = Linux.MS_NODEV;
    private static final long ATTR_RDONLY = Linux.MOUNT_ATTR_RDONLY;
    private static final long ATTR_NOSUID = Linux.MOUNT_ATTR_NOSUID;
    private static final long ATTR_NODEV = Linux.MOUNT_ATTR_NODEV;

    /** Where the new root is assembled before pivot_root; any directory of the host does. */
    private static final String STAGING = "/tmp";

    static final String OLD_ROOT = "/oldroot";

    /**
     * Adds the mount steps of a sandbox in a new mount namespace, starting
     * from a copy of the host's: a fresh root or the host's, the preset's ops,
     * then the caller's mounts. The caller's sources are cloned
     * before pivot_root, and the host's tree is detached before the first
     * of the caller's mount points is resolved: no path of theirs can reach it.
     * cgroups: the leaf's hierarchies for a FsOp.CgroupFs, or null for none.
     */
    public static void build(
            StepList steps, boolean freshRoot, List<FsOp> preset, List<FsOp> mounts, LeafHierarchies cgroups) {
        makeAllPrivate(steps);
        FsOpSteps ops = new FsOpSteps(steps, cgroups);
        ops.cloneHostTrees(mounts, false);
        String host = freshRoot ? OLD_ROOT : "";
        if (freshRoot) {
            enterEmptyRoot(steps);
        }
        List<String> mounted = new ArrayList<>();
        for (FsOp op : preset) {
            if (op.perSandbox()) {
                ops.mountPreset(op, host, true);
                addMountPoint(mounted, op);
            } else {
                ops.build(op, host);
            }
        }
        if (freshRoot) {
            detachOldRoot(steps);
        }
        for (FsOp op : mounts) {
            ops.mountCaller(op, deepestMounted(mounted, op.mountPoint(), "/"));
            addMountPoint(mounted, op);
        }
        if (freshRoot) {
            setAttributes(steps, "/", ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, "make the root read-only");
        }
    }

    static void addMountPoint(List<String> mounted, FsOp op) {
        if (op.mountPoint() != null) {
            mounted.add(op.mountPoint());
        }
    }

    /** The deepest of mounted that is path or a parent of it, else otherwise. */
    static String deepestMounted(List<String> mounted, String path, String otherwise) {
        String deepest = null;
        for (String m : mounted) {
            if ((path.equals(m) || path.startsWith(m + "/")) && (deepest == null || m.length() > deepest.length())) {
                deepest = m;
            }
        }
        return deepest == null ? otherwise : deepest;
    }

    static void makeAllPrivate(StepList steps) {
        steps.call("make all mounts private", MOUNT, 0, steps.cStringAddress("/"), 0, MS_REC | MS_PRIVATE, 0);
    }

    /** A tmpfs becomes / and the host's root moves to /oldroot until the preset's binds are done. */
    static void enterEmptyRoot(StepList steps) {
        steps.call(
                "mount the new root (tmpfs) on " + STAGING,
                MOUNT,
                steps.cStringAddress("jiso"),
                steps.cStringAddress(STAGING),
                steps.cStringAddress("tmpfs"),
                MS_NOSUID | MS_NODEV,
                steps.cStringAddress("mode=0755,size=1m"));
        steps.call("change directory to the new root", CHDIR, steps.cStringAddress(STAGING));
        mkdir(steps, "oldroot", 0700);
        steps.call(
                "pivot_root into the new root", PIVOT_ROOT, steps.cStringAddress("."), steps.cStringAddress("oldroot"));
        steps.call("change directory to /", CHDIR, steps.cStringAddress("/"));
    }

    /** Detaches the host's root; every unmount waits for an RCU grace period. */
    static void detachOldRoot(StepList steps) {
        steps.call("detach the old root", UMOUNT2, steps.cStringAddress(OLD_ROOT), MNT_DETACH);
        steps.call("remove " + OLD_ROOT, UNLINKAT, AT_FDCWD, steps.cStringAddress(OLD_ROOT), AT_REMOVEDIR);
    }

    /** Detaches the host's root and makes the new one read-only. */
    static void leaveOldRoot(StepList steps) {
        detachOldRoot(steps);
        setAttributes(steps, "/", ATTR_RDONLY | ATTR_NOSUID | ATTR_NODEV, "make the root read-only");
    }

    private static void setAttributes(StepList steps, String path, long attrSet, String what) {
        MemorySegment attr = steps.allocate(mount_attr.layout());
        mount_attr.attr_set(attr, attrSet);
        steps.call(what, MOUNT_SETATTR, AT_FDCWD, steps.cStringAddress(path), 0, attr.address(), attr.byteSize());
    }
}
