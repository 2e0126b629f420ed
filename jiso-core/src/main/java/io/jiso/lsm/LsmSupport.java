package io.jiso.lsm;

import io.jiso.plan.FeatureUnavailable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which of AppArmor and SELinux the running kernel enforces, read once from
 * sysfs and the JVM's own /proc (the sandbox has the same kernel), and where
 * a process asks for a label on its next execve.
 */
public final class LsmSupport {
    private LsmSupport() {}

    /** The LSMs the kernel runs, in order, if securityfs is mounted; null otherwise. */
    private static final Path LSM_LIST = Path.of("/sys/kernel/security/lsm");

    private static final Path APPARMOR_ENABLED = Path.of("/sys/module/apparmor/parameters/enabled");
    private static final Path SELINUX_FS = Path.of("/sys/fs/selinux");
    /** AppArmor's own directory of process attributes (Linux 5.8+), usable when LSMs are stacked. */
    private static final String APPARMOR_OWN_EXEC = "/proc/self/attr/apparmor/exec";
    /** The shared file: the first "major" LSM's (AppArmor or SELinux, which exclude each other). */
    static final String SHARED_EXEC = "/proc/self/attr/exec";

    private static volatile String whyNoAppArmor;
    private static volatile String whyNoSelinux;
    private static volatile String appArmorExecFile;

    /** Throws unless AppArmor is enabled and enforcing in this kernel. */
    public static void requireAppArmor() throws FeatureUnavailable {
        if (whyNoAppArmor == null) {
            whyNoAppArmor = whyNoAppArmor();
        }
        if (!whyNoAppArmor.isEmpty()) {
            throw new FeatureUnavailable("apply AppArmor profile on exec", 0, "", whyNoAppArmor);
        }
    }

    /** Throws unless SELinux is enabled in this kernel (selinuxfs mounted). */
    public static void requireSelinux() throws FeatureUnavailable {
        if (whyNoSelinux == null) {
            whyNoSelinux = whyNoSelinux();
        }
        if (!whyNoSelinux.isEmpty()) {
            throw new FeatureUnavailable("apply SELinux label on exec", 0, "", whyNoSelinux);
        }
    }

    /** Where AppArmor takes "exec &lt;profile&gt;": its own attribute file if the kernel has it. */
    static String appArmorExecFile() {
        String f = appArmorExecFile;
        if (f == null) {
            f = Files.exists(Path.of(APPARMOR_OWN_EXEC)) ? APPARMOR_OWN_EXEC : SHARED_EXEC;
            appArmorExecFile = f;
        }
        return f;
    }

    private static String whyNoAppArmor() {
        String enabled = read(APPARMOR_ENABLED);
        if (enabled == null) {
            return "this kernel has no AppArmor (" + APPARMOR_ENABLED + " is missing)";
        }
        if (!enabled.equals("Y")) {
            return "AppArmor is built in but disabled (" + APPARMOR_ENABLED + " says " + enabled + ")";
        }
        String lsms = read(LSM_LIST);
        if (lsms != null && !listed(lsms, "apparmor")) {
            return "AppArmor is not among the active LSMs (" + LSM_LIST + ": " + lsms + ")";
        }
        return "";
    }

    private static String whyNoSelinux() {
        String lsms = read(LSM_LIST);
        if (lsms != null && !listed(lsms, "selinux")) {
            return "SELinux is not among the active LSMs (" + LSM_LIST + ": " + lsms + ")";
        }
        if (!Files.isDirectory(SELINUX_FS) || !Files.exists(SELINUX_FS.resolve("enforce"))) {
            return "this kernel has no SELinux enabled (" + SELINUX_FS + " is not mounted)";
        }
        return "";
    }

    private static boolean listed(String lsms, String name) {
        for (String lsm : lsms.split(",")) {
            if (lsm.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The file's content without surrounding whitespace, or null if it cannot be read. */
    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
