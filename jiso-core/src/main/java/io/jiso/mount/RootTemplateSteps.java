package io.jiso.mount;

import static io.jiso.spawn.Syscalls.AT_FDCWD;
import static io.jiso.spawn.Syscalls.mkdir;

import io.jiso.Namespace;
import io.jiso.nativegen.Abi;
import io.jiso.spawn.SandboxSpec;
import io.jiso.spawn.SandboxSpec.Bind;
import io.jiso.spawn.SandboxSpec.MountSpec;
import io.jiso.spawn.SandboxSpec.Tmpfs;
import io.jiso.spawn.StepList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A fresh root made from a template. The read-only part of a root (system
 * directories, /dev nodes, and the mount points of a spec's own mounts) is
 * assembled once in a mount namespace of its own (see
 * io.jiso.spawn.RootTemplates); each sandbox enters it, unshares a private
 * copy, and mounts only what is its own: /proc, /tmp, /dev/pts, /dev/shm and
 * its binds, which it clones from the host before it leaves the host's
 * namespace.
 *
 * <p>Why: {@link RootfsSteps#build} starts from a copy of the host's mount
 * namespace and ends by detaching the host's root, and the kernel ends every
 * unmount by waiting for an RCU grace period (namespace_unlock). On this
 * project's host that detach was half of a default spawn. A copy of a
 * template has nothing to detach.
 */
public final class RootTemplateSteps {
    private RootTemplateSteps() {
    }

    private static final Abi ABI = Abi.current();
    private static final int SETNS = ABI.syscall("setns");
    private static final int UNSHARE = ABI.syscall("unshare");
    private static final int OPEN_TREE = ABI.syscall("open_tree");
    private static final int MOVE_MOUNT = ABI.syscall("move_mount");
    private static final long CLONE_NEWNS = Namespace.MOUNT.cloneFlag();
    private static final int OPEN_TREE_CLONE = ABI.intConstant("OPEN_TREE_CLONE");
    private static final int OPEN_TREE_CLOEXEC = ABI.intConstant("OPEN_TREE_CLOEXEC");
    private static final int AT_RECURSIVE = ABI.intConstant("AT_RECURSIVE");
    private static final int MOVE_MOUNT_F_EMPTY_PATH = ABI.intConstant("MOVE_MOUNT_F_EMPTY_PATH");

    /** Where a spec mounts something of its own; a template has these as empty files and directories. */
    public record MountPoint(String path, boolean file) {
    }

    /** What every sandbox mounts of its own: a mount point beneath one of these is made per sandbox. */
    private static final List<String> OWN_MOUNTS = List.of("/tmp", "/proc", "/dev/pts", "/dev/shm");

    /** The template a spec needs: the same for every spec with the same mount targets. */
    public static List<MountPoint> mountPoints(SandboxSpec spec) {
        List<MountPoint> points = new ArrayList<>();
        List<Boolean> inTemplate = inTemplate(spec);
        for (int i = 0; i < spec.mounts().size(); i++) {
            if (inTemplate.get(i)) {
                points.add(mountPoint(spec.mounts().get(i)));
            }
        }
        return List.copyOf(points);
    }

    private static MountPoint mountPoint(MountSpec m) {
        return switch (m) {
            case Bind b -> new MountPoint(b.target(), HostLayout.isRegularFile(b.source()));
            case Tmpfs t -> new MountPoint(t.target(), false);
        };
    }

    /**
     * Per mount of spec, whether its mount point can be in the template: not
     * when it lies beneath a mount made per sandbox (/tmp, an earlier mount of
     * the spec...), which would hide it; that one is made in the sandbox's own
     * tree just before its mount, as the host's way does.
     */
    private static List<Boolean> inTemplate(SandboxSpec spec) {
        List<String> earlier = new ArrayList<>(OWN_MOUNTS);
        List<Boolean> in = new ArrayList<>();
        for (MountSpec m : spec.mounts()) {
            String target = switch (m) { // the path alone: no stat of the source on the spawn path
                case Bind b -> b.target();
                case Tmpfs t -> t.target();
            };
            in.add(earlier.stream().noneMatch(e -> target.equals(e) || target.startsWith(e + "/")));
            earlier.add(target);
        }
        return in;
    }

    /** The builder's steps, in a new mount namespace: everything of a fresh root that no sandbox owns. */
    public static void template(StepList steps, List<MountPoint> mountPoints) {
        RootfsSteps.makeAllPrivate(steps);
        RootfsSteps.enterEmptyRoot(steps);
        RootfsSteps.systemDirectories(steps);
        RootfsSteps.devTree(steps);
        mkdir(steps, "/tmp", 0755);
        mkdir(steps, "/proc", 0555);
        for (MountPoint p : mountPoints) {
            RootfsSteps.mountPoint(steps, p.path(), p.file());
        }
        RootfsSteps.leaveOldRoot(steps);
    }

    /**
     * A sandbox's steps, from the host's mount namespace (the clone3 made
     * none) into a private copy of the template, whose mount points match
     * {@link #mountPoints(SandboxSpec) spec's}.
     */
    public static void enterCopy(StepList steps, SandboxSpec spec, int templateFd) {
        // What comes from the host is cloned while the host's tree is still in sight.
        List<StepList.Step> clones = new ArrayList<>();
        for (MountSpec m : spec.mounts()) {
            if (m instanceof Bind b) {
                clones.add(cloneTree(steps, b.source(), "bind " + b.source() + " on " + b.target()));
            }
        }
        StepList.Step hostProc = spec.creates(Namespace.PID) ? null : cloneTree(steps, "/proc", "bind /proc");

        steps.call("enter the root template's mount namespace", SETNS, templateFd, CLONE_NEWNS);
        steps.call("copy the root template into a mount namespace of its own", UNSHARE, CLONE_NEWNS);
        RootfsSteps.mountTmpfs(steps, "/tmp", spec.tmpSizeBytes(), "1777");
        if (hostProc == null) {
            RootfsSteps.mountProc(steps);
        } else {
            attach(steps, hostProc, "/proc", true);
        }
        RootfsSteps.maskProc(steps);
        RootfsSteps.devMounts(steps);
        Iterator<StepList.Step> clone = clones.iterator();
        List<Boolean> inTemplate = inTemplate(spec);
        for (int i = 0; i < spec.mounts().size(); i++) {
            MountSpec m = spec.mounts().get(i);
            if (!inTemplate.get(i)) {
                MountPoint p = mountPoint(m);
                RootfsSteps.mountPoint(steps, p.path(), p.file());
            }
            switch (m) {
                case Bind b -> attach(steps, clone.next(), b.target(), b.writable());
                case Tmpfs t -> RootfsSteps.mountTmpfs(steps, t.target(), t.sizeBytes(),
                        RootfsSteps.userTmpfsMode(spec));
            }
        }
    }

    /** open_tree(OPEN_TREE_CLONE): a detached copy of the host's tree at path, as an fd. */
    private static StepList.Step cloneTree(StepList steps, String path, String what) {
        return steps.call(what, OPEN_TREE, AT_FDCWD, steps.cStringAddress(path),
                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    }

    private static void attach(StepList steps, StepList.Step clone, String target, boolean writable) {
        steps.call("attach the bind on " + target, MOVE_MOUNT, 0, steps.cStringAddress(""), AT_FDCWD,
                steps.cStringAddress(target), MOVE_MOUNT_F_EMPTY_PATH).argFromStep(0, clone);
        RootfsSteps.restrictBind(steps, target, writable);
    }
}
