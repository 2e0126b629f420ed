package io.jiso.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the jiso command as a user does, in a JVM of its own: the same main
 * class as the launcher's jar, on this test's class path (the shaded jar is
 * made only at package, after the tests; LauncherIT runs that one). Its
 * stdout and stderr go to files, its stdin is /dev/null.
 */
final class Cli {
    private Cli() {}

    /** What a run of jiso left: its exit status and both outputs. */
    record Result(int exit, String out, String err) {
        /** The lines jiso or the program wrote to stderr, without the JVM's own warnings. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + ", stdout [" + out + "], stderr [" + err + "]";
        }
    }

    static Result jiso(String... args) throws IOException, InterruptedException {
        return jiso(null, Map.of(), args);
    }

    static Result jiso(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        File out = File.createTempFile("jiso-cli-out", ".txt");
        File err = File.createTempFile("jiso-cli-err", ".txt");
        try {
            pb.redirectInput(new File("/dev/null")).redirectOutput(out).redirectError(err);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("jiso " + String.join(" ", args) + " did not end in 120 s");
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out.toPath());
            Files.deleteIfExists(err.toPath());
        }
    }

    static boolean jvmIsRoot() {
        return HostFacts.jvmIsRoot();
    }

    static void assumeRoot(String why) {
        Assumptions.assumeTrue(jvmIsRoot(), "needs root: " + why);
    }

    /** Why this user's sandboxes cannot have cgroup limits ("" if they can), found out once by trying one. */
    private static volatile String noLeaves;

    static void assumeCgroupLeaves() throws IOException, InterruptedException {
        String reason = noLeaves;
        if (reason == null) {
            Result r = jiso("run", "--quiet", "--memory", "64M", "--", "true");
            reason = r.exit() == 0 ? "" : r.err().strip();
            noLeaves = reason;
        }
        Assumptions.assumeTrue(reason.isEmpty(), "needs a cgroup leaf with limits: " + reason);
    }

    static void assumeTool(String name) {
        boolean found = List.of("/usr/bin/", "/bin/").stream().anyMatch(d -> Files.isExecutable(Path.of(d + name)));
        Assumptions.assumeTrue(found, "needs " + name + " on the host (/usr/bin or /bin), which it lacks");
    }

    /** jiso's one line about its own failure: exactly one line on stderr, starting "jiso: ". */
    static String oneLine(Result r) {
        List<String> lines = r.errLines();
        assertTrue(lines.size() == 1 && lines.get(0).startsWith("jiso: "), "one line from jiso: " + r);
        return lines.get(0);
    }
}
