package io.jiso;

import io.jiso.cgroup.CgroupLimits;
import io.jiso.cgroup.Cgroups;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.SetupFailure;
import io.jiso.user.Rootless;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * What the test JVM is allowed to do, for tests that need more than an
 * unprivileged user has (.ci/test-unprivileged runs the suite as one). A test
 * that cannot run skips through a JUnit assumption naming the privilege it
 * misses, and {@link SkipReport} prints it: the skips of a run read as a list
 * of reasons.
 */
public final class Privileges {
    private Privileges() {}

    /** Why this JVM cannot make cgroup leaves ("" if it can), found out once by making one. */
    private static volatile String noCgroupLeaves;

    public static boolean jvmIsRoot() {
        return Rootless.jvmIsRoot();
    }

    /** Skips the calling test unless the JVM is root; {@code why} says what needs root. */
    public static void assumeRoot(String why) {
        Assumptions.assumeTrue(jvmIsRoot(), "needs root: " + why);
    }

    /** Skips the calling test when the JVM is root: it checks what jiso does without root. */
    public static void assumeNotRoot(String what) {
        Assumptions.assumeTrue(!jvmIsRoot(), "checks what happens without root: " + what);
    }

    /**
     * Skips the calling test unless the host has this program in /usr/bin or
     * /bin (a sandbox's PATH finds programs there): python3, ipcmk and the like
     * are not on every host.
     */
    public static void assumeTool(String name) {
        boolean found = Stream.of("/usr/bin/", "/bin/").anyMatch(d -> Files.isExecutable(Path.of(d + name)));
        Assumptions.assumeTrue(found, "needs " + name + " on the host (/usr/bin or /bin), which it lacks");
    }

    /** Skips the calling test unless the JVM can make cgroup leaves (root, or a delegated cgroup). */
    public static void assumeCgroupLeaves() {
        String reason = cgroupLeavesUnavailable();
        Assumptions.assumeTrue(reason.isEmpty(), "needs a cgroup leaf: " + reason);
    }

    /** Why no cgroup leaf can be made here, or "" if one can. */
    public static String cgroupLeavesUnavailable() {
        String reason = noCgroupLeaves;
        if (reason == null) {
            try {
                Cgroups.create(CgroupLimits.none()).close();
                reason = "";
            } catch (FeatureUnavailable e) {
                reason = e.getMessage();
            } catch (SetupFailure e) {
                throw new AssertionError("making a cgroup leaf failed for another reason than a missing privilege", e);
            }
            noCgroupLeaves = reason;
        }
        return reason;
    }
}
