package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jiso in a JVM that is not root: the test creates an unprivileged user, runs
 * {@link RootlessProbe} as that user (no capabilities, empty bounding set), and
 * checks that the sandbox is isolated through a user namespace jiso made by
 * itself, and that a limit without a delegated cgroup is refused with a reason.
 * A test JVM that is not root itself runs the probe as its own user.
 */
class RootlessTest {
    private static final String USER = "jiso-rootless";
    private static boolean createdUser;
    private static Path classpath;

    @BeforeAll
    static void unprivilegedUserAndReadableClasspath() throws Exception {
        if (!Privileges.jvmIsRoot()) {
            return; // already unprivileged: no user to make, nothing to copy
        }
        if (new ProcessBuilder("id", USER).start().waitFor() != 0) {
            assertEquals(0, new ProcessBuilder("useradd", "-M", "-s", "/usr/sbin/nologin", USER).inheritIO().start()
                    .waitFor(), "useradd " + USER);
            createdUser = true;
        }
        // The build's class directories and jars may sit where the user cannot read (/root/.m2): copy them.
        classpath = Files.createTempDirectory("jiso-rootless-cp");
        List<Class<?>> origins = List.of(IsolatedProcessBuilder.class, io.jiso.nativegen.Abi.class,
                org.slf4j.Logger.class, RootlessProbe.class);
        int n = 0;
        for (Class<?> c : origins) {
            Path from = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            copy(from, classpath.resolve("cp" + n++ + (Files.isDirectory(from) ? "" : ".jar")));
        }
        try (Stream<Path> all = Files.walk(classpath)) {
            for (Path p : all.toList()) {
                p.toFile().setReadable(true, false);
                if (Files.isDirectory(p)) {
                    p.toFile().setExecutable(true, false);
                }
            }
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to);
            return;
        }
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (classpath != null) {
            try (Stream<Path> all = Files.walk(classpath)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        if (createdUser) {
            new ProcessBuilder("userdel", USER).inheritIO().start().waitFor();
        }
    }

    @Test
    void anUnprivilegedJvmIsolatesThroughItsOwnUserNamespace() throws Exception {
        List<String> command = new ArrayList<>();
        String cp = System.getProperty("java.class.path");
        if (classpath != null) {
            command.addAll(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "env", "HOME=/tmp"));
            try (Stream<Path> entries = Files.list(classpath)) {
                cp = String.join(":", entries.sorted().map(Path::toString).toList());
            }
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED", "-cp", cp, RootlessProbe.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        long uid = classpath == null ? io.jiso.user.Rootless.jvmUid() : Long.parseLong(new String(
                new ProcessBuilder("id", "-u", USER).start().getInputStream().readAllBytes()).trim());
        List<String> lines = out.lines().filter(l -> !l.startsWith("SLF4J")).map(String::strip).toList();
        assertEquals("jiso", lines.get(0), out);
        assertEquals("2", lines.get(1), "pid namespace with jiso-init: " + out);
        assertEquals("0 " + uid + " 1", lines.get(2).replaceAll("\\s+", " "), "root inside is the user outside");
        assertEquals("lo", lines.get(3), "only loopback");
        assertEquals("usr-read-only", lines.get(4));
        assertEquals("root-hidden", lines.get(5));
        assertEquals("exit 0", lines.get(6));
        assertTrue(lines.get(7).startsWith("FeatureUnavailableException: create a cgroup leaf")
                && lines.get(7).contains("no cgroup is delegated"), lines.get(7));
    }
}
