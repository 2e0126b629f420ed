package io.jiso.user;

import io.jiso.capability.HeldCapabilities;
import io.jiso.capability.KernelCapability;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * newuidmap and newgidmap, shadow's helpers that write a user namespace's map
 * for a user who may not: they are setuid root (or have file capabilities)
 * and allow the user's own id and its ranges in /etc/subuid and /etc/subgid.
 * Whether they can work for this JVM is decided before a spawn, so that a
 * missing piece is named instead of failing in the middle of one.
 */
enum IdMapHelper {
    UID("newuidmap", KernelCapability.CAP_SETUID),
    GID("newgidmap", KernelCapability.CAP_SETGID);

    /** Where distributions install them. */
    private static final List<Path> DIRECTORIES = List.of(Path.of("/usr/bin"), Path.of("/bin"), Path.of("/usr/sbin"));

    private static final int SET_UID_BIT = 04000;

    private final String name;
    private final KernelCapability needs;

    IdMapHelper(String name, KernelCapability needs) {
        this.name = name;
        this.needs = needs;
    }

    /** The helper's path, or null with the reason added to problems. */
    Path locate(List<String> problems) {
        Path found = find(DIRECTORIES);
        if (found == null) {
            problems.add(whyMissing(DIRECTORIES));
            return null;
        }
        String problem = problemWith(found);
        if (problem != null) {
            problems.add(problem);
            return null;
        }
        return found;
    }

    /** The helper in the first of these directories that has it, or null. */
    Path find(List<Path> directories) {
        return directories.stream()
                .map(d -> d.resolve(name))
                .filter(Files::isRegularFile)
                .findFirst()
                .orElse(null);
    }

    /** Why the helper is not installed here, naming where it was looked for, or "" if it is. */
    String whyMissing(List<Path> directories) {
        if (find(directories) != null) {
            return "";
        }
        return name + " is not installed (looked in "
                + directories.stream().map(Path::toString).collect(Collectors.joining(", "))
                + "; Debian and Ubuntu have it in the package uidmap,"
                + " Fedora in shadow-utils)";
    }

    /** Why newuidmap or newgidmap is not installed where jiso looks for them, or "" if both are. */
    static String whyNotInstalled() {
        return Stream.of(values())
                .map(h -> h.whyMissing(DIRECTORIES))
                .filter(w -> !w.isEmpty())
                .collect(Collectors.joining("; "));
    }

    private String problemWith(Path helper) {
        if (!Files.isExecutable(helper)) {
            return helper + " is not executable by this user";
        }
        boolean setUidRoot = setUidRoot(helper);
        if (!setUidRoot && !hasFileCapabilities(helper)) {
            return helper + " is neither setuid root nor has file capabilities, so it cannot write another"
                    + " process's " + (this == UID ? "uid_map" : "gid_map");
        }
        if (noNewPrivileges()) {
            return "the JVM runs with no_new_privs (NoNewPrivs in /proc/self/status), under which " + helper
                    + " gains no privileges";
        }
        // A setuid-root helper opens and writes the child's map as root, not as the namespace's owner:
        // that takes overriding the file's owner and CAP_SYS_ADMIN too (shadow 4.13 does so).
        Set<KernelCapability> needed = setUidRoot
                ? EnumSet.of(needs, KernelCapability.CAP_DAC_OVERRIDE, KernelCapability.CAP_SYS_ADMIN)
                : EnumSet.of(needs);
        needed.removeIf(HeldCapabilities::inBoundingSet);
        if (!needed.isEmpty()) {
            return "the JVM's capability bounding set lacks " + needed + ", which " + helper + " needs"
                    + (setUidRoot ? " as a setuid-root program" : "");
        }
        return null;
    }

    String fileName() {
        return this == UID ? "/etc/subuid" : "/etc/subgid";
    }

    private static boolean setUidRoot(Path helper) {
        try {
            return (int) Files.getAttribute(helper, "unix:uid") == 0
                    && ((int) Files.getAttribute(helper, "unix:mode") & SET_UID_BIT) != 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean hasFileCapabilities(Path helper) {
        try {
            return Sys.hasXattr(helper.toString(), "security.capability");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean noNewPrivileges() {
        try {
            return Sys.readFile("/proc/self/status").lines().anyMatch(l -> l.matches("NoNewPrivs:\\s*1"));
        } catch (IOException e) {
            return false;
        }
    }
}
