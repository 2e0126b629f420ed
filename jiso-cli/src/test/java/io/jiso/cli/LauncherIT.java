package io.jiso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command as a user gets it: target/jiso (the launcher), target/jiso.jar
 * (shaded) and target/jiso_completion. Run by failsafe after package ({@code ./mvnw verify});
 * skipped, saying so, where they have not been built.
 */
class LauncherIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();

    @TempDir
    Path tmp;

    @BeforeAll
    static void packaged() {
        for (String name : List.of("jiso", "jiso.jar", "jiso_completion")) {
            Assumptions.assumeTrue(
                    Files.exists(TARGET.resolve(name)),
                    "needs " + TARGET.resolve(name) + ", which ./mvnw package makes");
        }
    }

    /** Runs a copy of the launcher through a symbolic link, from a working directory; all three paths have spaces. */
    private Cli.Result launch(Map<String, String> env, String... args) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("install dir/bin"));
        if (!Files.exists(bin.resolve("jiso"))) {
            Files.copy(TARGET.resolve("jiso"), bin.resolve("jiso"));
            Files.copy(TARGET.resolve("jiso.jar"), bin.resolve("jiso.jar"));
            Files.createDirectories(tmp.resolve("my links"));
            Files.createSymbolicLink(tmp.resolve("my links/jiso"), Path.of("../install dir/bin/jiso"));
            Files.createDirectories(tmp.resolve("work dir"));
        }
        List<String> command =
                new ArrayList<>(List.of(tmp.resolve("my links/jiso").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(command).directory(tmp.resolve("work dir").toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        File out = tmp.resolve("out").toFile();
        File err = tmp.resolve("err").toFile();
        Process p = pb.redirectInput(new File("/dev/null"))
                .redirectOutput(out)
                .redirectError(err)
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher ended");
        return new Cli.Result(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    private static String javaHome() {
        return System.getProperty("java.home");
    }

    @Test
    void theIssuesExampleRunsThroughTheLauncher() throws Exception {
        Cli.assumeCgroupLeaves();
        Cli.Result r = launch(
                Map.of("JAVA_HOME", javaHome()),
                "run",
                "--memory",
                "64M",
                "--report",
                "r.json",
                "--",
                "/bin/sh",
                "-c",
                "echo hi");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hi\n", r.out());
        assertEquals(
                "OK",
                new ObjectMapper()
                        .readTree(tmp.resolve("work dir/r.json").toFile())
                        .get("status")
                        .asText());
    }

    @Test
    void withoutJavaHomeTheJavaOnPathRunsIt() throws Exception {
        Cli.Result r = launch(Map.of("PATH", javaHome() + "/bin:/usr/bin:/bin"), "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("jiso "), r.toString());
        Cli.Result bad = launch(Map.of("JAVA_HOME", javaHome()), "run", "--pids", "many", "--", "true");
        assertEquals(Main.EXIT_JISO_FAILED, bad.exit(), bad.toString());
        assertTrue(Cli.oneLine(bad).contains("--pids"), bad.toString());
    }

    @Test
    void checkExitsZeroHere() throws Exception {
        Cli.Result r = launch(Map.of("JAVA_HOME", javaHome()), "check");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("layout: "), r.out());
    }

    @Test
    void theLauncherNamesNoJdk() throws Exception {
        String script = Files.readString(TARGET.resolve("jiso"), StandardCharsets.UTF_8);
        assertTrue(script.startsWith("#!/bin/sh\n"), "a POSIX shell script");
        assertFalse(script.contains(javaHome()) || script.contains("/jvm/"), "names no JDK: " + script);
        assertTrue(Files.isExecutable(TARGET.resolve("jiso")));
    }

    @Test
    void bashCompletesRunsFlags() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        String script = "source \"$1\"; COMP_WORDS=(jiso run --mem); COMP_CWORD=2; COMP_LINE='jiso run --mem';"
                + " COMP_POINT=${#COMP_LINE}; _complete_jiso; echo \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder(
                        "/bin/bash",
                        "-c",
                        script,
                        "bash",
                        TARGET.resolve("jiso_completion").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start(); // compopt: "not in a completion"
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals(List.of("--memory", "--memory-high"), List.of(out.strip().split("\\s+")), out);
    }
}
