package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Abi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * Test helper: runs a main class of the tests in a JVM of an unprivileged
 * user, through setpriv. Creates the user jiso-rootless if it is missing
 * (without subordinate ids: tests add the ranges they need) and copies the
 * classpath where every user can read it; close() undoes both.
 */
final class UnprivilegedJvm implements AutoCloseable {
    static final String USER = "jiso-rootless";
    /** No capabilities, none that a setuid program could gain either. */
    static final List<String> NO_PRIVILEGES = List.of("--inh-caps=-all", "--bounding-set=-all");

    private final boolean createdUser;
    private final Path classpath;

    UnprivilegedJvm() throws Exception {
        createdUser = new ProcessBuilder("id", USER).start().waitFor() != 0;
        if (createdUser) {
            assertEquals(
                    0,
                    new ProcessBuilder(
                                    "useradd",
                                    "-M",
                                    "-s",
                                    "/usr/sbin/nologin",
                                    "-K",
                                    "SUB_UID_COUNT=0",
                                    "-K",
                                    "SUB_GID_COUNT=0",
                                    USER)
                            .inheritIO()
                            .start()
                            .waitFor(),
                    "useradd " + USER);
        }
        // The build's class directories and jars may sit where the user cannot read (/root/.m2): copy them.
        classpath = Files.createTempDirectory("jiso-rootless-cp");
        List<Class<?>> origins = List.of(IsolatedProcessBuilder.class, Abi.class, Logger.class, RootlessProbe.class);
        int n = 0;
        for (Class<?> c : origins) {
            Path from = Path.of(
                    c.getProtectionDomain().getCodeSource().getLocation().toURI());
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

    /** uid of a user of the host. */
    static long uidOf(String user) throws Exception {
        return Long.parseLong(new String(new ProcessBuilder("id", "-u", user)
                        .start()
                        .getInputStream()
                        .readAllBytes())
                .trim());
    }

    /**
     * Runs main with args as user (and its primary group, no supplementary
     * ones) with the given setpriv capability options; returns its output
     * lines (slf4j's notices left out) after checking that it exited 0.
     */
    List<String> run(String user, List<String> capabilities, Class<?> main, String... args) throws Exception {
        List<String> cp = new ArrayList<>();
        try (Stream<Path> entries = Files.list(classpath)) {
            entries.sorted().forEach(p -> cp.add(p.toString()));
        }
        List<String> command = new ArrayList<>(
                List.of("setpriv", "--reuid=" + user, "--regid=" + primaryGroup(user), "--clear-groups"));
        command.addAll(capabilities);
        command.addAll(List.of(
                "env",
                "HOME=/tmp",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                String.join(":", cp),
                main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        return out.lines()
                .filter(l -> !l.startsWith("SLF4J"))
                .map(String::strip)
                .toList();
    }

    private static String primaryGroup(String user) throws Exception {
        return new String(new ProcessBuilder("id", "-gn", user)
                        .start()
                        .getInputStream()
                        .readAllBytes())
                .trim();
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

    @Override
    public void close() throws Exception {
        try (Stream<Path> all = Files.walk(classpath)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        if (createdUser) {
            new ProcessBuilder("userdel", USER).inheritIO().start().waitFor();
        }
    }
}
