package io.jiso.user;

import io.jiso.sys.Sys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Why a host refuses an unprivileged user namespace, when clone3 says only
 * EPERM or ENOSPC: the knobs distributions use, read after the failure.
 */
public final class UserNamespacePolicy {
    private UserNamespacePolicy() {}

    /** The host settings that forbid unprivileged user namespaces, in words; empty if none is found. */
    public static String refusalReason() {
        List<String> reasons = new ArrayList<>();
        check(
                reasons,
                "/proc/sys/kernel/unprivileged_userns_clone",
                "0",
                "kernel.unprivileged_userns_clone is 0 (Debian's switch for unprivileged user namespaces)");
        check(reasons, "/proc/sys/user/max_user_namespaces", "0", "user.max_user_namespaces is 0");
        check(
                reasons,
                "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
                "1",
                "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1,"
                        + " as on Ubuntu 24.04): give the JVM an AppArmor profile that allows 'userns'");
        return String.join("; ", reasons);
    }

    private static void check(List<String> reasons, String file, String forbidding, String reason) {
        try {
            // Sys.readFile, not Files.readString, which returned "4" for a sysctl file holding "40"
            // (procfs reports size 0; see CapabilitySteps).
            if (Sys.readFile(file).strip().equals(forbidding)) {
                reasons.add(reason);
            }
        } catch (IOException | RuntimeException absent) {
            // this kernel has no such knob
        }
    }
}
