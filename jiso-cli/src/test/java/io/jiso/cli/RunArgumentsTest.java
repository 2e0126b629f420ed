package io.jiso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.Capability;
import io.jiso.IsolatedProcessBuilder;
import io.jiso.Namespace;
import io.jiso.ResourceLimit;
import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * jiso run's arguments, parsed as Main parses them, and carried over to a
 * builder by RunOptions, without starting anything (RunCommandTest runs them).
 */
class RunArgumentsTest {

    /** The run command with args parsed, as Main.execute sets the parser up. */
    private static RunCommand parse(String... args) {
        CommandLine cli = new CommandLine(new Main());
        CommandLine run = cli.getSubcommands().get("run");
        run.setStopAtPositional(true);
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        cli.parseArgs(all);
        return run.getCommand();
    }

    private static IsolatedProcessBuilder applied(String... args) {
        RunCommand c = parse(args);
        IsolatedProcessBuilder b = new IsolatedProcessBuilder(c.command);
        new RunOptions(c).apply(b);
        return b;
    }

    /** The parse, or the carrying over, fails with a message that names the flag. */
    private static String refused(String flag, String... args) {
        ParameterException e = assertThrows(ParameterException.class, () -> applied(args));
        assertTrue(e.getMessage().contains(flag), flag + " in: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void limitsAreParsedInTheirUnits() {
        RunCommand c = parse(
                "--memory",
                "64M",
                "--swap",
                "0",
                "--memory-high",
                "unlimited",
                "--pids",
                "16",
                "--cpu-max",
                "50ms",
                "--cpu-time",
                "1.5s",
                "--wall-time",
                "300ms",
                "--output",
                "1k",
                "--rlimit",
                "nofile=64:128",
                "--rlimit",
                "RLIMIT_STACK=8M",
                "--rlimit",
                "core=unlimited",
                "--",
                "sh",
                "-c",
                "x");
        assertEquals(64L << 20, c.memory);
        assertEquals(0L, c.swap);
        assertEquals(IsolatedProcessBuilder.UNLIMITED, c.memoryHigh);
        assertEquals(16L, c.pids);
        assertEquals(new Values.CpuMax(50_000, 100_000), c.cpuMax, "the period defaults to 100 ms");
        assertEquals(Duration.ofMillis(1500), c.cpuTime);
        assertEquals(Duration.ofMillis(300), c.wallTime);
        assertEquals(1024L, c.output);
        assertEquals(
                List.of(
                        new Values.Rlimit(ResourceLimit.NOFILE, 64, 128),
                        new Values.Rlimit(ResourceLimit.STACK, 8L << 20, 8L << 20),
                        new Values.Rlimit(ResourceLimit.CORE, ResourceLimit.UNLIMITED, ResourceLimit.UNLIMITED)),
                c.rlimits);
        assertEquals(List.of("sh", "-c", "x"), c.command);
    }

    @Test
    void filesNamespacesAndPrivileges() {
        RunCommand c = parse(
                "--bind",
                "/srv/data:/data",
                "--ro-bind",
                "/usr/share",
                "--tmpfs",
                "/scratch:1M",
                "--tmpfs",
                "/t",
                "--share",
                "net,MNT",
                "--share",
                "uts",
                "--user",
                "1234",
                "--keep-cap",
                "NET_RAW,cap_kill",
                "true");
        assertEquals(List.of(new Values.Bind(Path.of("/srv/data"), "/data")), c.binds);
        assertEquals(List.of(new Values.Bind(Path.of("/usr/share"), "/usr/share")), c.roBinds, "SRC alone: DST too");
        assertEquals(List.of(new Values.Tmpfs("/scratch", 1 << 20), new Values.Tmpfs("/t", 64L << 20)), c.tmpfs);
        assertEquals(List.of(Namespace.NET, Namespace.MOUNT, Namespace.UTS), c.share);
        assertEquals(new Values.User(1234, 1234), c.user, "GID defaults to the UID");
        assertEquals(List.of(Capability.CAP_NET_RAW, Capability.CAP_KILL), c.keepCaps);
    }

    @Test
    void theCommandStartsAtItsFirstWordWithOrWithoutDashDash() {
        assertEquals(
                List.of("sh", "-c", "echo", "--memory"),
                parse("--hostname", "h", "sh", "-c", "echo", "--memory").command);
        assertEquals(List.of("--weird-name"), parse("--", "--weird-name").command);
        assertNull(parse("true").memory, "no flag, no limit");
    }

    @Test
    void streamsDirectoryAndEnvironmentReachTheBuilder() {
        IsolatedProcessBuilder b = applied(
                "-i", "in.txt", "-o", "/tmp/out", "--chdir", "/usr", "--env", "A=1", "--env", "B==2", "--", "cat");
        assertEquals(Redirect.from(new File("in.txt")), b.redirectInput());
        assertEquals(Redirect.to(new File("/tmp/out")), b.redirectOutput());
        assertEquals(Redirect.INHERIT, b.redirectError(), "jiso's own stream by default");
        assertEquals(new File("/usr"), b.directory());
        assertEquals("1", b.environment().get("A"));
        assertEquals("=2", b.environment().get("B"), "split at the first =");
        assertTrue(b.environment().containsKey("PATH"), b.environment().toString());
        Map<String, String> cleared =
                applied("--clear-env", "--env", "X=y", "true").environment();
        assertEquals(Map.of("X", "y"), cleared);
    }

    @Test
    void badValuesNameTheirFlag() {
        refused("--memory", "--memory", "12Q", "true");
        refused("--memory", "--memory", "99999999999999999999", "true");
        refused("--pids", "--pids", "many", "true");
        refused("--wall-time", "--wall-time", "2", "true");
        refused("--cpu-time", "--cpu-time", "0s", "true");
        refused("--cpu-max", "--cpu-max", "1ms/2ms/3ms", "true");
        refused("--rlimit", "--rlimit", "stak=1", "true");
        refused("--rlimit", "--rlimit", "nofile", "true");
        refused("--bind", "--bind", "/a:relative", "true");
        refused("--tmpfs", "--tmpfs", "scratch:1M", "true");
        refused("--user", "--user", "root", "true");
        refused("--share", "--share", "nett", "true");
        refused("--keep-cap", "--keep-cap", "CAP_FLY", "true");
    }

    @Test
    void whatTheBuilderRefusesIsBlamedOnTheFlag() {
        assertTrue(refused("--hostname", "--hostname", "-bad-", "true").contains("hostname must be 1..64"));
        assertTrue(refused("--chdir", "--chdir", "relative", "true").contains("absolute path"));
        assertTrue(refused("--tmpfs", "--tmpfs", "/scratch:1", "true").contains("sizeBytes must be >="));
        assertTrue(refused("--rlimit", "--rlimit", "stack=2:1", "true").contains("soft must be <= hard"));
        assertTrue(refused("--user", "--user", "4294967295", "true").contains("0..4294967294"));
        refused("--env", "--env", "=x", "true");
        refused("--time-offset", "--time-offset", "1s:2s:3s", "true");
        refused("--seccomp", "--seccomp", "/nonexistent/policy.json", "true");
        refused("--landlock-ro", "--landlock-ro", "etc", "true");
    }
}
