package io.jiso.mount;

/**
 * One thing a sandbox's file system gets, in order (bubblewrap's SetupOp is
 * the model). A spec carries a preset list ({@link RootPresets}) and the
 * caller's mounts appended after it; {@link FsOpSteps} turns the list into
 * plan steps, for a root copied from a template as for one built from a copy
 * of the host's mount namespace.
 *
 * <p>Some ops are the same for every sandbox with the same list and are built
 * once into a template ({@link #perSandbox()} false); the others are mounted
 * by each sandbox, on a mount point the template has (or that the sandbox
 * makes when it lies beneath an earlier mount of its own).
 */
public sealed interface FsOp {

    /** Whether each sandbox mounts this itself (else it is part of a template). */
    default boolean perSandbox() {
        return true;
    }

    /** Where the op mounts something, or null if it mounts nothing there (a mask, a file, a symlink). */
    default String mountPoint() {
        return null;
    }

    /** Whether the mount point is a file (else a directory). */
    default boolean fileMountPoint() {
        return false;
    }

    /** An op that is the same for every sandbox with the same list: built once into a template. */
    sealed interface TemplatePart extends FsOp permits SystemBind, Symlink, DeviceNode, Directory, File, MountPoint {
        @Override
        default boolean perSandbox() {
            return false;
        }
    }

    /** A directory of the host bound read-only at the same path (/usr, /etc...). */
    record SystemBind(String path) implements TemplatePart {}

    /** A symbolic link, e.g. /bin -> usr/bin on a merged-/usr host. */
    record Symlink(String target, String path) implements TemplatePart {}

    /** A device node of the host bound on an empty file of the same path. */
    record DeviceNode(String path) implements TemplatePart {}

    /** A directory of the root. */
    record Directory(String path, int mode) implements TemplatePart {}

    /** A file of the root (0644), with its content written once. */
    record File(String path, String content) implements TemplatePart {}

    /** A tmpfs of at most sizeBytes; mode is the tmpfs's mode option and what follows it (uid=, gid=). */
    record Tmpfs(String path, long sizeBytes, String mode) implements FsOp {
        @Override
        public String mountPoint() {
            return path;
        }
    }

    /** /proc: a new instance for a new pid namespace, else the host's bound. */
    record Proc(boolean newInstance) implements FsOp {
        @Override
        public String mountPoint() {
            return "/proc";
        }
    }

    /** What /proc must not show or let change (see ProcMasks); needs a writable /tmp. */
    record MaskProc() implements FsOp {}

    /**
     * The sandbox's own cgroup, read-only at path (/sys/fs/cgroup), rooted at
     * its leaf through its cgroup namespace: a cgroup2 mount on a pure v2
     * host; else a tmpfs with a mount of each v1 hierarchy runtimes read
     * (memory, cpu, cpuacct, cpuset, pids) under the host's name for it, and
     * the v2 tree at unified, then the tmpfs made read-only. Which
     * hierarchies is known only at the spawn, from the leaf (see
     * io.jiso.cgroup.LeafHierarchies); without a leaf nothing is mounted.
     */
    record CgroupFs(String path) implements FsOp {
        @Override
        public String mountPoint() {
            return path;
        }
    }

    /** A new devpts instance (its own ptmx) at path. */
    record Devpts(String path) implements FsOp {
        @Override
        public String mountPoint() {
            return path;
        }
    }

    /**
     * A caller's bind. source is an absolute path of the host without a
     * symbolic link in it (the JVM resolved what the caller allowed it to),
     * opened by the child with RESOLVE_NO_SYMLINKS, so a link planted there
     * since fails the start; named is the source as the caller named it, for
     * messages; file says whether it is a regular file (a file mount point).
     */
    record Bind(String source, String named, String target, boolean writable, boolean file) implements FsOp {
        @Override
        public String mountPoint() {
            return target;
        }

        @Override
        public boolean fileMountPoint() {
            return file;
        }
    }

    /** An empty directory or file for a per-sandbox mount, made in a template. */
    record MountPoint(String path, boolean file) implements TemplatePart {}
}
