package io.jiso.cli;

import static io.jiso.cli.Cli.jiso;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jiso run: each flag checked by what the program sees inside the sandbox, and the exit statuses. */
@KernelTest
class RunCommandTest {
    @TempDir
    Path tmp;

    @Test
    void echoesWithAMemoryLimitAndReportsOk() throws Exception {
        Cli.assumeCgroupLeaves();
        Cli.Result r =
                jiso(tmp, Map.of(), "run", "--memory", "64M", "--report", "r.json", "--", "/bin/sh", "-c", "echo hi");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hi\n", r.out());
        assertEquals("", r.err());
        JsonNode report = new ObjectMapper().readTree(tmp.resolve("r.json").toFile());
        assertEquals("OK", report.get("status").asText());
        assertEquals(0, report.get("exitCode").asInt());
        assertEquals(0, report.get("signal").asInt());
        assertTrue(report.get("cpuTime").isNumber() && report.get("cpuTime").asDouble() >= 0, report.toString());
        assertTrue(report.get("wallTime").isNumber() && report.get("wallTime").asDouble() > 0, report.toString());
        assertTrue(report.get("memoryPeakBytes").asLong() > 0, report.toString());
        assertTrue(report.has("outputBytes"), report.toString());
        assertFalse(report.get("killedByJiso").asBoolean());
        assertTrue(report.get("message").asText().startsWith("OK"), report.toString());
    }

    @Test
    void aNonZeroExitPassesThrough() throws Exception {
        Cli.Result r = jiso("run", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.exit(), r.toString());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err(), "a non-zero exit is the program's business: jiso says nothing");

        Cli.Result noDashDash = jiso("run", "--hostname", "h", "sh", "-c", "echo $0 $1", "-x", "--memory");
        assertEquals(
                "-x --memory\n", noDashDash.out(), "without --, the command starts at its first word: " + noDashDash);
    }

    @Test
    void aProgramKilledByASignalExitsWith128PlusIt() throws Exception {
        Cli.Result r = jiso("run", "--", "sh", "-c", "kill -TERM $$");
        assertEquals(128 + 15, r.exit(), r.toString());
    }

    @Test
    void memoryLimitOomKillsAndTheMetaFileSaysSo() throws Exception {
        Cli.assumeCgroupLeaves();
        Cli.assumeTool("perl");
        // The size comes at run time: perl folds a constant "a" x N into two copies.
        String allocate = "my $x = 'a' x shift; print qq(done\\n)";
        Cli.Result killed = jiso(
                tmp,
                Map.of(),
                "run",
                "--memory",
                "32M",
                "--swap",
                "0",
                "--meta",
                "meta",
                "--report",
                "r.json",
                "--",
                "perl",
                "-e",
                allocate,
                Long.toString(128L << 20));
        assertEquals(128 + 9, killed.exit(), killed.toString());
        assertEquals("", killed.out());
        assertTrue(killed.err().contains("jiso: Memory limit exceeded"), killed.toString());
        JsonNode report = new ObjectMapper().readTree(tmp.resolve("r.json").toFile());
        assertEquals("MEMORY_EXCEEDED", report.get("status").asText());
        assertEquals(9, report.get("signal").asInt());
        assertTrue(report.get("exitCode").isNull(), report.toString());
        long peak = report.get("memoryPeakBytes").asLong();
        assertTrue(peak >= 24L << 20 && peak <= 33L << 20, "peak near 32 MiB: " + peak);
        Map<String, String> meta = meta(tmp.resolve("meta"));
        assertEquals("SG", meta.get("status"), meta.toString());
        assertEquals("9", meta.get("exitsig"));
        assertEquals("1", meta.get("cg-oom-killed"));
        assertEquals(Long.toString((peak + 1023) / 1024), meta.get("cg-mem"));
        assertFalse(meta.containsKey("exitcode"), meta.toString());

        Cli.Result fits =
                jiso("run", "--memory", "32M", "--swap", "0", "--", "perl", "-e", allocate, Long.toString(8L << 20));
        assertEquals(0, fits.exit(), "the same program within a larger limit: " + fits);
        assertEquals("done\n", fits.out());
    }

    @Test
    void wallTimeLimitKillsWith137AndTheMetaFileHasIsolatesKeys() throws Exception {
        Cli.Result r = jiso(tmp, Map.of(), "run", "--wall-time", "300ms", "--meta", "meta", "--", "sleep", "10");
        assertEquals(128 + 9, r.exit(), r.toString());
        assertTrue(Cli.oneLine(r).startsWith("jiso: Time limit exceeded"), r.toString());
        Map<String, String> meta = meta(tmp.resolve("meta"));
        assertEquals("TO", meta.get("status"), meta.toString());
        assertEquals("1", meta.get("killed"));
        assertEquals("9", meta.get("exitsig"));
        double wall = Double.parseDouble(meta.get("time-wall"));
        assertTrue(wall >= 0.3 && wall < 5, "time-wall " + wall);
        assertTrue(meta.get("message").startsWith("Time limit exceeded"), meta.toString());

        Cli.Result quiet = jiso("run", "--quiet", "--wall-time", "300ms", "--", "sleep", "10");
        assertEquals(128 + 9, quiet.exit(), quiet.toString());
        assertEquals("", quiet.err(), "--quiet: no message of jiso's");
    }

    @Test
    void cpuTimeLimitKills() throws Exception {
        Cli.assumeCgroupLeaves();
        Cli.Result r = jiso(
                tmp,
                Map.of(),
                "run",
                "--cpu-time",
                "200ms",
                "--meta",
                "meta",
                "--report",
                "r.json",
                "--",
                "sh",
                "-c",
                "while :; do :; done");
        assertEquals(128 + 9, r.exit(), r.toString());
        Map<String, String> meta = meta(tmp.resolve("meta"));
        assertEquals("TO", meta.get("status"), meta.toString());
        assertTrue(Double.parseDouble(meta.get("time")) >= 0.2, meta.toString());
        JsonNode report = new ObjectMapper().readTree(tmp.resolve("r.json").toFile());
        assertEquals("CPU_TIME_EXCEEDED", report.get("status").asText());
        assertTrue(report.get("killedByJiso").asBoolean());
    }

    @Test
    void anOkRunsMetaFileHasNoStatusLine() throws Exception {
        Cli.Result r = jiso(tmp, Map.of(), "run", "--meta", "meta", "--", "true");
        assertEquals(0, r.exit(), r.toString());
        Map<String, String> meta = meta(tmp.resolve("meta"));
        assertFalse(meta.containsKey("status"), meta.toString());
        assertEquals("0", meta.get("exitcode"));
        assertTrue(meta.containsKey("time-wall"), meta.toString());
    }

    @Test
    void hostnameChdirAndEnvironment() throws Exception {
        Cli.Result r = jiso(
                null,
                Map.of("FROM_JISO", "passed"),
                "run",
                "--hostname",
                "box7",
                "--chdir",
                "/usr",
                "--env",
                "A=1",
                "--env",
                "FROM_JISO",
                "--",
                "sh",
                "-c",
                "cat /proc/sys/kernel/hostname; pwd; echo $A $FROM_JISO; echo $PATH");
        assertEquals(0, r.exit(), r.toString());
        String[] lines = r.out().split("\n");
        assertEquals("box7", lines[0]);
        assertEquals("/usr", lines[1]);
        assertEquals("1 passed", lines[2]);
        assertFalse(lines[3].isEmpty(), "PATH is kept without --clear-env");

        Cli.Result clear = jiso("run", "--clear-env", "--env", "ONLY=this", "--", "/usr/bin/env");
        assertEquals("ONLY=this\n", clear.out(), clear.toString());
    }

    @Test
    void bindIsWritableRoBindIsNot() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data dir"));
        Files.writeString(dir.resolve("in"), "from the host\n");
        dir.toFile().setWritable(true, false);
        Cli.Result rw = jiso(
                "run",
                "--user",
                "0:0",
                "--bind",
                dir + ":/data",
                "--",
                "sh",
                "-c",
                "cat /data/in; echo written > /data/out");
        assertEquals(0, rw.exit(), rw.toString());
        assertEquals("from the host\n", rw.out());
        assertEquals("written\n", Files.readString(dir.resolve("out")));

        Cli.Result ro = jiso(
                "run",
                "--user",
                "0:0",
                "--ro-bind",
                dir + ":/data",
                "--",
                "sh",
                "-c",
                "cat /data/in; echo again > /data/out2");
        assertNotEquals(0, ro.exit(), ro.toString());
        assertEquals("from the host\n", ro.out());
        assertTrue(ro.err().contains("Read-only file system"), ro.toString());
        assertFalse(Files.exists(dir.resolve("out2")));
    }

    @Test
    void tmpfsHasItsSize() throws Exception {
        Cli.Result r = jiso(
                "run",
                "--tmpfs",
                "/scratch:1M",
                "--",
                "sh",
                "-c",
                "grep ' /scratch ' /proc/self/mountinfo; head -c 512K /dev/zero > /scratch/a && echo fits;"
                        + " head -c 2M /dev/zero > /scratch/b || echo full");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains(" - tmpfs "), r.toString());
        assertTrue(r.out().contains("fits\n") && r.out().contains("full\n"), r.toString());
    }

    @Test
    void pidsLimitStopsForks() throws Exception {
        Cli.assumeCgroupLeaves();
        Cli.assumeTool("perl");
        // Counts the children it could fork (a shell gives up at its first failed fork).
        String forks = "my $n = 0; for (1..16) { my $p = fork(); last unless defined $p;"
                + " if ($p == 0) { sleep 3; exit 0 } $n++ } print qq($n\\n)";
        Cli.Result limited = jiso("run", "--pids", "8", "--", "perl", "-e", forks);
        Cli.Result free = jiso("run", "--", "perl", "-e", forks);
        assertEquals(0, limited.exit(), limited.toString());
        int withLimit = Integer.parseInt(limited.out().strip());
        assertTrue(withLimit < 8, "fewer than 8 children besides perl: " + limited);
        assertEquals("16\n", free.out(), "every fork without a limit: " + free);
    }

    @Test
    void userAndRlimit() throws Exception {
        Cli.assumeRoot("a uid other than the JVM's own needs root (or a user namespace with subordinate ids)");
        Cli.Result r = jiso(
                "run",
                "--user",
                "1234:2345",
                "--rlimit",
                "nofile=64:128",
                "--",
                "sh",
                "-c",
                "echo $(id -u):$(id -g); ulimit -n; ulimit -Hn");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("1234:2345\n64\n128\n", r.out());
    }

    @Test
    void namespacesCapabilitiesFiltersAndEtc() throws Exception {
        String status = "grep -E '^(CapEff|Seccomp):' /proc/self/status";
        Cli.Result defaults = jiso("run", "--", "sh", "-c", status + "; cat /proc/net/dev | grep -c :");
        assertEquals(
                "CapEff:\t0000000000000000\nSeccomp:\t2\n1\n",
                defaults.out(),
                "no capability, a filter," + " only lo: " + defaults);
        Cli.Result opened = jiso(
                "run",
                "--keep-cap",
                "NET_RAW",
                "--seccomp",
                "none",
                "--share",
                "net",
                "--",
                "sh",
                "-c",
                status + "; cat /proc/net/dev | grep -c :");
        String[] lines = opened.out().split("\n");
        assertEquals("CapEff:\t0000000000002000", lines[0], "CAP_NET_RAW (13) kept: " + opened);
        assertEquals("Seccomp:\t0", lines[1], "no filter: " + opened);
        assertTrue(Integer.parseInt(lines[2]) >= 1, opened.toString());
        assertEquals(
                Files.readAllLines(Path.of("/proc/net/dev")).stream()
                        .filter(l -> l.contains(":"))
                        .count(),
                Long.parseLong(lines[2]),
                "the host's interfaces with --share net: " + opened);

        Cli.Result etc = jiso("run", "--minimal-etc", "--", "cut", "-d:", "-f1", "/etc/passwd");
        assertEquals("root\nnobody\n", etc.out(), etc.toString());

        double hostUptime =
                Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        Cli.Result time = jiso("run", "--time-offset", "2h", "--", "cat", "/proc/uptime");
        assertEquals(0, time.exit(), time.toString());
        double uptime = Double.parseDouble(time.out().split(" ")[0]);
        assertTrue(
                uptime >= hostUptime + 7200 && uptime < hostUptime + 7200 + 600,
                "uptime " + uptime + " vs host " + hostUptime);

        Cli.Result landlock = jiso(
                "run",
                "--landlock-exec",
                "/usr",
                "--landlock-ro",
                "/etc",
                "--",
                "sh",
                "-c",
                "head -c 0 /etc/passwd && echo etc; ls /proc >/dev/null 2>&1 || echo no-proc");
        assertEquals("etc\nno-proc\n", landlock.out(), landlock.toString());
    }

    @Test
    void stdinStdoutStderrFiles() throws Exception {
        Files.writeString(tmp.resolve("input"), "line from a file\n");
        Cli.Result r = jiso(
                tmp,
                Map.of(),
                "run",
                "-i",
                "input",
                "-o",
                "output",
                "-e",
                "errors",
                "--",
                "sh",
                "-c",
                "cat; echo to stderr >&2");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals("line from a file\n", Files.readString(tmp.resolve("output")));
        assertEquals("to stderr\n", Files.readString(tmp.resolve("errors")));
    }

    @Test
    void aStartFailureIsOneLineAnd125() throws Exception {
        Cli.Result r = jiso("run", "--bind", tmp.resolve("missing") + ":/x", "--", "true");
        assertEquals(Main.EXIT_JISO_FAILED, r.exit(), r.toString());
        String line = Cli.oneLine(r);
        assertTrue(line.contains("bind") && line.contains("ENOENT"), line);
    }

    static Map<String, String> meta(Path file) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "key:value, was " + line);
            assertEquals(null, m.put(line.substring(0, colon), line.substring(colon + 1)), "one " + line);
        }
        return m;
    }

    @Test
    void aSeccompProfileInDockersFormatIsEnforced() throws Exception {
        // mkdir denied with EACCES; uname denied only to a sandbox that keeps CAP_SYS_ADMIN (Docker's
        // includes); s390_pci_mmio_read is another architecture's call, skipped as runc skips it
        Path profile = tmp.resolve("profile.json");
        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [
                   {"names": ["mkdir", "mkdirat", "s390_pci_mmio_read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                   {"names": ["uname"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}
                """);
        Cli.Result r =
                jiso("run", "--seccomp", profile.toString(), "--", "sh", "-c", "mkdir /tmp/d; echo mkdir=$?; uname -s");
        assertEquals("mkdir=1\nLinux\n", r.out(), r.toString());
        assertTrue(r.err().contains("Permission denied"), "EACCES, the profile's errnoRet: " + r);

        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_NOTIFY"}]}
                """);
        Cli.Result bad = jiso("run", "--seccomp", profile.toString(), "--", "true");
        assertEquals(Main.EXIT_JISO_FAILED, bad.exit(), bad.toString());
        String line = Cli.oneLine(bad);
        assertTrue(line.contains("--seccomp") && line.contains("SCMP_ACT_NOTIFY"), line);
    }
}
