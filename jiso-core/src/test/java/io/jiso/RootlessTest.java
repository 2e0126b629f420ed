package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.user.Rootless;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jiso in a JVM that is not root: runs {@link RootlessProbe} as an unprivileged
 * user (no capabilities, empty bounding set), and checks that the sandbox is
 * isolated through a user namespace jiso made by itself, and that a limit
 * without a delegated cgroup is refused with a reason. A test JVM that is not
 * root itself runs the probe as its own user.
 */
@KernelTest
class RootlessTest {
    private static UnprivilegedJvm jvm;

    @BeforeAll
    static void unprivilegedUser() throws Exception {
        if (Privileges.jvmIsRoot()) {
            jvm = new UnprivilegedJvm();
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (jvm != null) {
            jvm.close();
        }
    }

    @Test
    void anUnprivilegedJvmIsolatesThroughItsOwnUserNamespace() throws Exception {
        List<String> lines = jvm != null
                ? jvm.run(UnprivilegedJvm.USER, UnprivilegedJvm.NO_PRIVILEGES, RootlessProbe.class)
                : probeAsSelf();
        String out = String.join("\n", lines);
        long uid = jvm != null ? UnprivilegedJvm.uidOf(UnprivilegedJvm.USER) : Rootless.jvmUid();
        assertEquals("jiso", lines.get(0), out);
        assertEquals("2", lines.get(1), "pid namespace with jiso-init: " + out);
        assertEquals("0 " + uid + " 1", lines.get(2).replaceAll("\\s+", " "), "root inside is the user outside");
        assertEquals("lo", lines.get(3), "only loopback");
        assertEquals("usr-read-only", lines.get(4));
        assertEquals("root-hidden", lines.get(5));
        assertEquals("exit 0", lines.get(6));
        assertTrue(
                lines.get(7).startsWith("FeatureUnavailableException: create a cgroup leaf")
                        && lines.get(7).contains("no cgroup is delegated"),
                lines.get(7));
    }

    /** Already unprivileged: the probe runs as this JVM's user, on its class path. */
    private static List<String> probeAsSelf() throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:-UsePerfData",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        RootlessProbe.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        return out.lines()
                .filter(l -> !l.startsWith("SLF4J"))
                .map(String::strip)
                .toList();
    }
}
