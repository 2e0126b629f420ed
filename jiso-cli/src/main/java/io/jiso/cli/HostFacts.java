package io.jiso.cli;

import io.jiso.JisoRuntime;
import io.jiso.cgroup.Cgroups;
import io.jiso.cgroup.Layout;
import io.jiso.plan.SetupFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What jiso check reports about the host, read from /proc and /sys (and a
 * few probing system calls); the cgroup layout and where leaves go come from
 * jiso-core's own detection, so the report cannot drift from what a spawn
 * does. Each section is a map of names to values; where something is
 * missing, the value says why.
 */
final class HostFacts {
    private HostFacts() {}

    /** The controllers jiso's limits and accounting use, by their v2 names (blkio is v1's io). */
    private static final List<String> USED =
            List.of("memory", "cpu", "cpuset", "io", "pids", "hugetlb", "devices", "freezer");

    static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static boolean jvmIsRoot() {
        String status = read("/proc/self/status");
        return status != null && status.lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
    }

    static Map<String, Object> kernel() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("release", read("/proc/sys/kernel/osrelease"));
        m.put("architecture", System.getProperty("os.arch"));
        m.put("jvmUser", System.getProperty("user.name") + (jvmIsRoot() ? " (root)" : " (not root)"));
        return m;
    }

    /** The layout, the directories jiso makes its leaves under, and each controller's place. */
    static Map<String, Object> cgroups() {
        Map<String, Object> m = new LinkedHashMap<>();
        Layout layout;
        try {
            layout = Cgroups.layout();
        } catch (SetupFailure e) {
            m.put("layout", "none: " + e.getMessage());
            return m;
        }
        m.put(
                "layout",
                switch (layout.kind()) {
                    case V2 -> "v2 (unified)";
                    case V1 -> "v1 (legacy)";
                    case HYBRID -> "hybrid (v1 controllers and a v2 tree)";
                });
        String parent = JisoRuntime.defaultRuntime().cgroupParent().orElse(null);
        if (parent != null && !parent.isBlank()) {
            m.put(
                    "parent",
                    parent + " (-D" + Cgroups.PARENT_PROPERTY + ": in each hierarchy, instead of the defaults)");
        }
        Path v2Mount = layout.v2Mount();
        Set<String> v2Available = new LinkedHashSet<>();
        if (v2Mount != null) {
            Path base = Cgroups.leafBase(v2Mount, layout.v2OwnDir(), true);
            m.put("v2Mount", v2Mount.toString());
            m.put("v2Own", layout.v2OwnDir().toString());
            m.put(
                    "v2Parent",
                    base.resolve("jiso")
                            + (Files.isWritable(base)
                                    ? ""
                                    : " (not writable: no delegated subtree; set -D" + Cgroups.PARENT_PROPERTY
                                            + " or use a systemd unit with Delegate=yes)"));
            for (Path dir : List.of(layout.v2OwnDir(), v2Mount)) {
                String c = read(dir.resolve("cgroup.controllers").toString());
                v2Available.addAll(List.of((c == null ? "" : c).split("\\s+")));
            }
        }
        Map<String, Object> controllers = new LinkedHashMap<>();
        for (String name : USED) {
            String v1Name = name.equals("io") ? "blkio" : name;
            Layout.V1Hierarchy h = layout.v1().stream()
                    .filter(x -> x.controllers().contains(v1Name))
                    .findFirst()
                    .orElse(null);
            if (h != null) {
                controllers.put(
                        name,
                        "v1 at " + h.mount() + ", leaves under "
                                + Cgroups.leafBase(h.mount(), h.ownDir(), false).resolve("jiso"));
            } else if (name.equals("devices") && v2Mount != null) {
                controllers.put(name, "v2 (a BPF device program on the leaf)");
            } else if (name.equals("freezer") && v2Mount != null) {
                controllers.put(name, "v2 (cgroup.freeze, no controller needed)");
            } else if (v2Available.contains(name)) {
                controllers.put(name, "v2");
            } else {
                controllers.put(name, "missing: neither a v1 hierarchy nor the v2 tree offers it");
            }
        }
        m.put("controllers", controllers);
        return m;
    }

    /** Whether this user may create user namespaces, and the sysctls that decide it. */
    static Map<String, Object> userNamespaces() {
        Map<String, Object> m = new LinkedHashMap<>();
        String max = read("/proc/sys/user/max_user_namespaces");
        String clone = read("/proc/sys/kernel/unprivileged_userns_clone");
        String apparmor = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        m.put("user.max_user_namespaces", max == null ? "absent" : max);
        m.put("kernel.unprivileged_userns_clone", clone == null ? "absent (not a Debian kernel switch here)" : clone);
        m.put("kernel.apparmor_restrict_unprivileged_userns", apparmor == null ? "absent" : apparmor);
        List<String> forbids = new ArrayList<>();
        if ("0".equals(max)) {
            forbids.add("user.max_user_namespaces is 0");
        }
        if ("0".equals(clone)) {
            forbids.add("kernel.unprivileged_userns_clone is 0 (unprivileged users only)");
        }
        if ("1".equals(apparmor)) {
            forbids.add("kernel.apparmor_restrict_unprivileged_userns is 1 (unprivileged users only, unless an"
                    + " AppArmor profile allows userns)");
        }
        boolean root = jvmIsRoot();
        boolean allowed = !"0".equals(max) && (root || forbids.isEmpty());
        m.put("allowed", allowed ? "yes" + (root ? " (root)" : "") : "no: " + String.join("; ", forbids));
        return m;
    }

    static Map<String, Object> kernelFeatures() {
        Map<String, Object> m = new LinkedHashMap<>();
        long abi = Syscalls.call(Syscalls.LANDLOCK_CREATE_RULESET, 0, 0, Syscalls.LANDLOCK_CREATE_RULESET_VERSION);
        m.put(
                "landlock",
                abi > 0
                        ? "ABI " + abi
                        : abi == -Syscalls.EOPNOTSUPP
                                ? "no: built in but not enabled ('landlock' missing from lsm=)"
                                : abi == -Syscalls.ENOSYS
                                        ? "no: the kernel has no Landlock (CONFIG_SECURITY_LANDLOCK)"
                                        : "no: errno " + -abi);
        String status = read("/proc/self/status");
        boolean seccomp = status != null && status.lines().anyMatch(l -> l.startsWith("Seccomp:"));
        String actions = read("/proc/sys/kernel/seccomp/actions_avail");
        m.put(
                "seccomp",
                !seccomp
                        ? "no: the kernel has no CONFIG_SECCOMP"
                        : actions == null
                                ? "no filter mode: the kernel has no CONFIG_SECCOMP_FILTER"
                                : "filters; actions " + actions);
        long clone3 = Syscalls.call(Syscalls.CLONE3, 0, 0, 0);
        m.put(
                "clone3",
                clone3 == -Syscalls.EINVAL
                        ? "yes"
                        : clone3 == -Syscalls.ENOSYS
                                ? "no: ENOSYS (kernel before 5.3, or a seccomp filter refuses it)"
                                : "errno " + -clone3);
        m.put("CLONE_INTO_CGROUP", atLeast(5, 7) ? "yes (kernel 5.7 or newer)" : "no: needs kernel 5.7");
        long pidfd = Syscalls.call(Syscalls.PIDFD_OPEN, ProcessHandle.current().pid(), 0, 0);
        if (pidfd >= 0) {
            Syscalls.close(pidfd);
        }
        m.put("pidfd", pidfd >= 0 ? "yes" : "no: pidfd_open gives errno " + -pidfd);
        return m;
    }

    static boolean atLeast(int major, int minor) {
        String release = read("/proc/sys/kernel/osrelease");
        if (release == null || !release.matches("\\d+\\.\\d+.*")) {
            return false;
        }
        String[] v = release.split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1].replaceAll("\\D.*", ""));
        return ma > major || ma == major && mi >= minor;
    }

    /** newuidmap/newgidmap and this user's subordinate ranges, for a JVM that is not root. */
    static Map<String, Object> subordinateIds() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String helper : List.of("newuidmap", "newgidmap")) {
            m.put(helper, helper(helper));
        }
        String user = System.getProperty("user.name");
        m.put("user", user);
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            String text = read(file);
            List<String> ranges = new ArrayList<>();
            for (String line : text == null ? new String[0] : text.split("\n")) {
                String[] f = line.split(":");
                if (f.length == 3 && f[0].equals(user)) {
                    ranges.add(f[1] + "+" + f[2]);
                }
            }
            m.put(
                    file,
                    text == null ? "absent" : ranges.isEmpty() ? "no range for " + user : String.join(", ", ranges));
        }
        return m;
    }

    private static String helper(String name) {
        for (String dir : List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/")) {
            Path p = Path.of(dir + name);
            if (Files.isExecutable(p)) {
                try {
                    int mode = (Integer) Files.getAttribute(p, "unix:mode");
                    return p + ((mode & 04000) != 0 ? " (setuid)" : " (no setuid bit; it may have file capabilities)");
                } catch (IOException | RuntimeException e) {
                    return p.toString();
                }
            }
        }
        return "missing (the uidmap package)";
    }

    static Map<String, Object> securityModules() {
        Map<String, Object> m = new LinkedHashMap<>();
        String lsm = read("/sys/kernel/security/lsm");
        m.put("lsm", lsm == null ? "unknown (securityfs not mounted)" : lsm);
        String apparmor = read("/sys/module/apparmor/parameters/enabled");
        m.put(
                "apparmor",
                "Y".equals(apparmor) && lsm != null && lsm.contains("apparmor")
                        ? "enabled"
                        : "no: " + (apparmor == null ? "not in this kernel" : "not enabled"));
        String selinux = read("/sys/fs/selinux/enforce");
        m.put(
                "selinux",
                selinux == null ? "no: selinuxfs not mounted" : "1".equals(selinux) ? "enforcing" : "permissive");
        return m;
    }

    static String rootTemplates() {
        if (!JisoRuntime.defaultRuntime().rootTemplates()) {
            return "off: -Djiso.rootTemplates=false";
        }
        return jvmIsRoot()
                ? "on: a root JVM copies each fresh root from a template"
                : "off: only a root JVM uses them; each root is built from a copy of the host's mounts";
    }
}
