package io.jiso.cli;

import static io.jiso.cli.Cli.jiso;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --version, help and bad flags: the command answers before any sandbox starts. */
class CliUsageTest {

    @Test
    void versionAndHelp() throws Exception {
        Cli.Result version = jiso("--version");
        assertEquals(0, version.exit(), version.toString());
        assertTrue(version.out().matches("jiso \\d+\\.\\d+\\.\\d+.*\\n"), version.out());

        Cli.Result help = jiso("help", "run");
        assertEquals(0, help.exit(), help.toString());
        for (String flag : List.of(
                "--memory",
                "--swap",
                "--pids",
                "--cpus",
                "--cpu-max",
                "--cpu-time",
                "--wall-time",
                "--output",
                "--rlimit",
                "--bind",
                "--ro-bind",
                "--tmpfs",
                "--share",
                "--hostname",
                "--user",
                "--keep-cap",
                "--seccomp",
                "--landlock-ro",
                "--time-offset",
                "--chdir",
                "--env",
                "--clear-env",
                "--no-new-session",
                "--minimal-etc",
                "--report",
                "--meta",
                "--quiet")) {
            assertTrue(help.out().contains(flag), flag + " in\n" + help.out());
        }
        Cli.Result top = jiso("help");
        assertTrue(
                top.out().contains("run")
                        && top.out().contains("check")
                        && top.out().contains("sweep"),
                top.out());
    }

    @Test
    void badFlagsGiveOneLineNamingTheFlagAnd125() throws Exception {
        Map<String[], String> cases = new LinkedHashMap<>();
        cases.put(new String[] {"--memory", "12Q"}, "--memory");
        cases.put(new String[] {"--wall-time", "2"}, "--wall-time");
        cases.put(new String[] {"--rlimit", "stak=1"}, "--rlimit");
        cases.put(new String[] {"--hostname", "-bad-"}, "--hostname");
        cases.put(new String[] {"--seccomp", "/etc/policy.json"}, "--seccomp");
        cases.put(new String[] {"--share", "nett"}, "--share");
        cases.put(new String[] {"--no-such-flag"}, "--no-such-flag");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            String[] args = new String[c.getKey().length + 3];
            args[0] = "run";
            System.arraycopy(c.getKey(), 0, args, 1, c.getKey().length);
            args[args.length - 2] = "--";
            args[args.length - 1] = "true";
            Cli.Result r = jiso(args);
            assertEquals(Main.EXIT_JISO_FAILED, r.exit(), String.join(" ", args) + ": " + r);
            String line = Cli.oneLine(r);
            assertTrue(line.contains(c.getValue()), "names " + c.getValue() + ": " + line);
            System.out.println("[bad flag] " + line);
        }
    }
}
