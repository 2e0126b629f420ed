package io.jiso.cgroup;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.HostOps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which cgroup hierarchies this host mounts and where the JVM sits in each,
 * from /proc/self/mountinfo and /proc/self/cgroup. A controller lives in
 * exactly one place: a v1 hierarchy that names it, or else the v2 tree.
 */
public final class Layout {
    /** Pure v2 (one tree), hybrid (v1 controllers plus a v2 tree) or pure v1. */
    public enum Kind {
        V2,
        HYBRID,
        V1
    }

    /** A mounted v1 hierarchy: its mount point, its controllers, the JVM's cgroup directory in it. */
    public record V1Hierarchy(Path mount, Set<String> controllers, Path ownDir) {}

    private static final Set<String> V1_CONTROLLERS = Set.of(
            "cpu",
            "cpuacct",
            "cpuset",
            "memory",
            "devices",
            "freezer",
            "net_cls",
            "net_prio",
            "blkio",
            "perf_event",
            "hugetlb",
            "pids",
            "rdma",
            "misc");

    private final Kind kind;
    private final Path v2Mount;
    private final Path v2OwnDir;
    private final List<V1Hierarchy> v1;

    private Layout(Kind kind, Path v2Mount, Path v2OwnDir, List<V1Hierarchy> v1) {
        this.kind = kind;
        this.v2Mount = v2Mount;
        this.v2OwnDir = v2OwnDir;
        this.v1 = List.copyOf(v1);
    }

    /** Reads this process's view. */
    static Layout detect() throws HostSetupFailure, FeatureUnavailable {
        return detect(HostOps.LINUX);
    }

    /** Reads the view of the process that host shows. */
    static Layout detect(HostOps host) throws HostSetupFailure, FeatureUnavailable {
        return parse(host.read(Path.of("/proc/self/mountinfo")), host.read(Path.of("/proc/self/cgroup")));
    }

    /** Parses the two files' contents (separate from {@link #detect} so tests can feed other hosts' files). */
    static Layout parse(String mountinfo, String procCgroup) throws FeatureUnavailable {
        // hierarchy membership: "3:cpu,cpuacct:/a/b" (v1) and "0::/a/b" (v2)
        Map<Set<String>, String> v1Own = new HashMap<>();
        String v2Own = null;
        for (String line : procCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            String path = f[2].endsWith(" (deleted)") ? f[2].substring(0, f[2].length() - 10) : f[2];
            if (f[0].equals("0") && f[1].isEmpty()) {
                v2Own = path;
            } else {
                Set<String> controllers = new LinkedHashSet<>(Arrays.asList(f[1].split(",")));
                controllers.retainAll(V1_CONTROLLERS);
                v1Own.put(controllers, path);
            }
        }
        Path v2Mount = null;
        Path v2OwnDir = null;
        List<V1Hierarchy> v1 = new ArrayList<>();
        Set<Set<String>> seen = new HashSet<>();
        for (String line : mountinfo.split("\n")) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (pre.length < 5 || post.length < 3) {
                continue;
            }
            String root = unescape(pre[3]);
            Path mount = Path.of(unescape(pre[4]));
            if (post[0].equals("cgroup2") && v2Mount == null) {
                v2Mount = mount;
                v2OwnDir = ownDir(mount, root, v2Own);
            } else if (post[0].equals("cgroup")) {
                Set<String> controllers = new LinkedHashSet<>();
                for (String opt : post[2].split(",")) {
                    if (V1_CONTROLLERS.contains(opt)) {
                        controllers.add(opt);
                    }
                }
                // named hierarchies (name=systemd) carry no controller; a second mount of a hierarchy is a bind
                if (!controllers.isEmpty() && seen.add(controllers)) {
                    v1.add(new V1Hierarchy(
                            mount, Set.copyOf(controllers), ownDir(mount, root, v1Own.get(controllers))));
                }
            }
        }
        if (v2Mount == null && v1.isEmpty()) {
            throw new FeatureUnavailable(
                    "find cgroup filesystems",
                    0,
                    "",
                    "neither cgroup2 nor a cgroup v1 controller is mounted (see /proc/self/mountinfo)");
        }
        Kind kind = v1.isEmpty() ? Kind.V2 : v2Mount == null ? Kind.V1 : Kind.HYBRID;
        return new Layout(kind, v2Mount, v2OwnDir, v1);
    }

    /**
     * The directory under which leaves go (in its "jiso" subdirectory) in one
     * hierarchy: under parent, a path inside the hierarchy, when it is set;
     * else the v2 root where the JVM may write it (root), else the JVM's own
     * cgroup (a delegated one, or any v1 cgroup).
     */
    static Path leafBase(HostOps host, Path mount, Path ownDir, String parent, boolean v2) {
        if (parent != null && !parent.isBlank()) {
            String rel = parent.strip().replaceAll("^/+", "");
            return rel.isEmpty() ? mount : mount.resolve(rel);
        }
        return v2 && host.isWritable(mount) ? mount : ownDir;
    }

    /** The JVM's cgroup directory: its path relative to the mounted root, or the mount itself when not visible. */
    private static Path ownDir(Path mount, String mountRoot, String ownPath) {
        // "/..": outside the root of the reader's cgroup namespace (a process moved out of it)
        if (ownPath == null || ownPath.equals("/..") || ownPath.startsWith("/../")) {
            return mount;
        }
        String root = mountRoot.equals("/") ? "" : mountRoot;
        if (!ownPath.equals(root) && !ownPath.startsWith(root + "/")) {
            return mount;
        }
        String rel = ownPath.substring(root.length());
        return rel.isEmpty() || rel.equals("/") ? mount : mount.resolve(rel.substring(1));
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public Kind kind() {
        return kind;
    }

    /** The cgroup2 mount point, or null on pure v1. */
    public Path v2Mount() {
        return v2Mount;
    }

    /** The JVM's own v2 cgroup directory, or null on pure v1. */
    public Path v2OwnDir() {
        return v2OwnDir;
    }

    /** The mounted v1 hierarchies, none on pure v2. */
    public List<V1Hierarchy> v1() {
        return v1;
    }

    /** The v1 hierarchy holding this controller, or null when it is a v2 controller (or missing). */
    V1Hierarchy v1For(Controller c) {
        for (V1Hierarchy h : v1) {
            if (h.controllers().contains(c.v1Name)) {
                return h;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(kind.name());
        if (v2Mount != null) {
            s.append(" v2=").append(v2Mount).append(" (own ").append(v2OwnDir).append(')');
        }
        for (V1Hierarchy h : v1) {
            s.append(' ').append(String.join(",", h.controllers())).append('=').append(h.ownDir());
        }
        return s.toString();
    }
}
