package io.jiso.mount;

import io.jiso.cgroup.LeafHierarchies;
import io.jiso.mount.FsOp.MountPoint;
import io.jiso.namespace.NamespaceType;
import io.jiso.nativegen.Linux;
import io.jiso.plan.StepList;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh root made from a template. The ops of a spec that are the same for
 * every sandbox (system directories, /dev nodes, the mount points of the
 * mounts made per sandbox) are built once in a mount namespace of their own
 * (see io.jiso.spawn.RootTemplates); each sandbox clones its bind sources
 * from the host, enters the template, unshares a private copy, and mounts
 * only what is its own: /proc, /tmp, /dev/pts, /dev/shm and the caller's
 * mounts. Both ways run the same ops through {@link FsOpSteps}.
 *
 * <p>Why: {@link RootfsSteps#build} starts from a copy of the host's mount
 * namespace and detaches the host's root, and the kernel ends every unmount
 * by waiting for an RCU grace period (namespace_unlock). On the development
 * machine that detach is about half of a default spawn. A copy of a template
 * has nothing to detach.
 */
public final class RootTemplateSteps {
    private RootTemplateSteps() {}

    private static final int SETNS = Linux.__NR_setns;
    private static final int UNSHARE = Linux.__NR_unshare;
    private static final long CLONE_NEWNS = NamespaceType.MOUNT.cloneFlag();

    /**
     * The template a sandbox needs, as ops: the preset's that are not per
     * sandbox, and a mount point for each mount made per sandbox, unless it
     * lies beneath an earlier one (/tmp, an earlier mount of the caller's...),
     * which would hide it: that one is made in the sandbox's own tree just
     * before its mount. Specs with equal lists share a template.
     */
    public static List<FsOp> template(List<FsOp> preset, List<FsOp> mounts) {
        List<FsOp> ops = new ArrayList<>();
        List<String> mounted = new ArrayList<>();
        for (FsOp op : preset) {
            if (!op.perSandbox()) {
                ops.add(op);
            } else if (op.mountPoint() != null) {
                ops.add(new MountPoint(op.mountPoint(), op.fileMountPoint()));
                mounted.add(op.mountPoint());
            }
        }
        for (FsOp op : mounts) {
            if (RootfsSteps.deepestMounted(mounted, op.mountPoint(), null) == null) {
                ops.add(new MountPoint(op.mountPoint(), op.fileMountPoint()));
            }
            mounted.add(op.mountPoint());
        }
        return List.copyOf(ops);
    }

    /** The builder's steps, in a new mount namespace: a template's ops on a fresh root, made read-only. */
    public static void template(StepList steps, List<FsOp> template) {
        RootfsSteps.makeAllPrivate(steps);
        RootfsSteps.enterEmptyRoot(steps);
        FsOpSteps ops = new FsOpSteps(steps);
        for (FsOp op : template) {
            ops.build(op, RootfsSteps.OLD_ROOT);
        }
        RootfsSteps.leaveOldRoot(steps);
    }

    /**
     * A sandbox's steps, from the host's mount namespace (the clone3 made
     * none) into a private copy of the template {@link #template(List, List)}
     * gives for preset and mounts; cgroups: the leaf's hierarchies for a FsOp.CgroupFs, or null.
     */
    public static void enterCopy(
            StepList steps, List<FsOp> preset, List<FsOp> mounts, int templateFd, LeafHierarchies cgroups) {
        // What comes from the host is cloned while the host's tree is in sight.
        FsOpSteps ops = new FsOpSteps(steps, cgroups);
        ops.cloneHostTrees(mounts, false);
        ops.cloneHostTrees(preset, true);
        steps.call("enter the root template's mount namespace", SETNS, templateFd, CLONE_NEWNS);
        steps.call("copy the root template into a mount namespace of its own", UNSHARE, CLONE_NEWNS);
        List<String> mounted = new ArrayList<>();
        for (FsOp op : preset) {
            if (op.perSandbox()) {
                ops.mountPreset(op, "", false);
                RootfsSteps.addMountPoint(mounted, op);
            }
        }
        for (FsOp op : mounts) {
            // In the template unless beneath an earlier mount of the sandbox's own.
            ops.mountCaller(op, RootfsSteps.deepestMounted(mounted, op.mountPoint(), op.mountPoint()));
            mounted.add(op.mountPoint());
        }
    }
}
