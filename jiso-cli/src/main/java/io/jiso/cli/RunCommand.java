package io.jiso.cli;

import io.jiso.Capability;
import io.jiso.DeviceRule;
import io.jiso.Etc;
import io.jiso.IsolatedProcess;
import io.jiso.IsolatedProcessBuilder;
import io.jiso.Namespace;
import io.jiso.RunReport;
import io.jiso.RunStatus;
import io.jiso.SeccompPolicy;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** jiso run: one program in a sandbox, its exit status as jiso's. */
@Command(
        name = "run",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Runs COMMAND in a sandbox with the terminal as its stdin, stdout and stderr.",
            "Exit status: the program's; 128+N when signal N ended it (a limit kills with SIGKILL: 137);"
                    + " 125 when jiso itself fails (a bad flag, a sandbox that cannot start)."
        },
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // ---- limits ----
    @Option(
            names = "--memory",
            paramLabel = "SIZE",
            converter = Values.SizeOrUnlimited.class,
            description = "memory.max of the sandbox's cgroup, e.g. 256M; over it the kernel OOM-kills")
    Long memory;

    @Option(
            names = "--memory-high",
            paramLabel = "SIZE",
            converter = Values.SizeOrUnlimited.class,
            description = "memory.high: above it the kernel throttles and reclaims, without killing")
    Long memoryHigh;

    @Option(
            names = "--swap",
            paramLabel = "SIZE",
            converter = Values.SizeOrUnlimited.class,
            description = "memory.swap.max (swap alone, not memory plus swap); 0 forbids swapping")
    Long swap;

    @Option(
            names = "--pids",
            paramLabel = "N",
            converter = Values.CountOrUnlimited.class,
            description = "pids.max: processes and threads together")
    Long pids;

    @Option(names = "--cpus", paramLabel = "LIST", description = "cpuset.cpus: the CPUs it may run on, e.g. 0-1,3")
    String cpus;

    @Option(names = "--cpuset-mems", paramLabel = "LIST", description = "cpuset.mems: the memory nodes, e.g. 0")
    String cpusetMems;

    @Option(
            names = "--cpu-max",
            paramLabel = "QUOTA[/PERIOD]",
            converter = Values.CpuMaxConverter.class,
            description = "cpu.max: CPU time per period, e.g. 50ms/100ms for half a CPU (PERIOD: 100ms)")
    Values.CpuMax cpuMax;

    @Option(names = "--cpu-weight", paramLabel = "1..10000", description = "cpu.weight (100 is the default share)")
    Integer cpuWeight;

    @Option(
            names = "--cpu-time",
            paramLabel = "DURATION",
            converter = Values.PositiveDuration.class,
            description = "CPU time of the whole sandbox, e.g. 1s; then every process is killed")
    Duration cpuTime;

    @Option(
            names = "--wall-time",
            paramLabel = "DURATION",
            converter = Values.PositiveDuration.class,
            description = "wall-clock time from the program's start, e.g. 2s or 500ms; then every process is killed")
    Duration wallTime;

    @Option(
            names = "--output",
            paramLabel = "SIZE",
            converter = Values.Size.class,
            description = "bytes of stdout and stderr together; past them every process is killed")
    Long output;

    @Option(
            names = "--rlimit",
            paramLabel = "NAME=SOFT[:HARD]",
            converter = Values.RlimitConverter.class,
            description = "a setrlimit(2) limit, repeatable, e.g. stack=unlimited, nofile=64:64, fsize=1M")
    List<Values.Rlimit> rlimits = new ArrayList<>();

    @Option(names = "--no-cgroup", description = "no cgroup leaf: no limits, no accounting, no device filter")
    boolean noCgroup;

    @Option(
            names = "--allow-device",
            paramLabel = "RULE",
            description = "one more device through the leaf's filter, e.g. 'c 10:200 rw', repeatable")
    List<String> devices = new ArrayList<>();

    // ---- file system ----
    @Option(
            names = "--bind",
            paramLabel = "SRC[:DST]",
            converter = Values.BindConverter.class,
            description = "host path SRC writable at DST inside, repeatable")
    List<Values.Bind> binds = new ArrayList<>();

    @Option(
            names = "--ro-bind",
            paramLabel = "SRC[:DST]",
            converter = Values.BindConverter.class,
            description = "host path SRC read-only at DST inside, repeatable")
    List<Values.Bind> roBinds = new ArrayList<>();

    @Option(
            names = "--tmpfs",
            paramLabel = "DST[:SIZE]",
            converter = Values.TmpfsConverter.class,
            description = "a private tmpfs at DST of at most SIZE (default 64M), repeatable")
    List<Values.Tmpfs> tmpfs = new ArrayList<>();

    @Option(
            names = "--tmp-size",
            paramLabel = "SIZE",
            converter = Values.Size.class,
            description = "the size cap of the private /tmp (default 64M)")
    Long tmpSize;

    @Option(names = "--minimal-etc", description = "an /etc written by jiso (passwd, group, hosts), none of the host's")
    boolean minimalEtc;

    @Option(names = "--host-root", description = "the host's root (in a private mount namespace), not a fresh one")
    boolean hostRoot;

    @Option(names = "--chdir", paramLabel = "DIR", description = "the working directory inside (default /)")
    String chdir;

    // ---- namespaces ----
    @Option(
            names = "--share",
            paramLabel = "NS[,NS...]",
            split = ",",
            converter = Values.NamespaceConverter.class,
            description = "use the host's namespaces of these kinds: pid, mnt, uts, ipc, net, cgroup")
    List<Namespace> share = new ArrayList<>();

    @Option(names = "--hostname", paramLabel = "NAME", description = "the hostname inside (default jiso)")
    String hostname;

    @Option(
            names = "--time-offset",
            paramLabel = "MONO[:BOOT]",
            description = "a time namespace with these"
                    + " CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets, e.g. 1h or -5s:10m (BOOT defaults to MONO)")
    String timeOffset;

    @Option(
            names = "--map-subordinate-ids",
            description = "without root: a user namespace with the ranges of"
                    + " /etc/subuid and /etc/subgid, written by newuidmap and newgidmap")
    boolean mapSubordinateIds;

    @Option(
            names = "--no-new-session",
            description =
                    "stay in jiso's session and process group, with its terminal" + " (for job control or /dev/tty)")
    boolean noNewSession;

    // ---- privileges and filters ----
    @Option(
            names = "--user",
            paramLabel = "UID[:GID]",
            converter = Values.UserConverter.class,
            description = "the ids inside (default 65534, nobody; 0 in a user namespace)")
    Values.User user;

    @Option(names = "--groups", paramLabel = "GID[,GID...]", split = ",", description = "supplementary groups inside")
    List<Long> groups = new ArrayList<>();

    @Option(
            names = "--keep-cap",
            paramLabel = "CAP",
            split = ",",
            converter = Values.CapabilityConverter.class,
            description = "a capability the program keeps, e.g. NET_RAW, repeatable")
    List<Capability> keepCaps = new ArrayList<>();

    @Option(
            names = "--seccomp",
            paramLabel = "POLICY",
            defaultValue = "default",
            description = "default (Docker's denials and more), strict (an allow-list for judges), none, or a"
                    + " profile FILE in Docker's (the OCI runtime spec's) JSON format")
    String seccomp;

    @Option(
            names = "--landlock-ro",
            paramLabel = "PATH",
            description = "Landlock: PATH readable; once any"
                    + " --landlock-* path is given only those are reachable; repeatable")
    List<String> landlockReadOnly = new ArrayList<>();

    @Option(names = "--landlock-rw", paramLabel = "PATH", description = "Landlock: PATH writable, repeatable")
    List<String> landlockReadWrite = new ArrayList<>();

    @Option(
            names = "--landlock-exec",
            paramLabel = "PATH",
            description = "Landlock: programs under PATH" + " executable, e.g. /usr; repeatable")
    List<String> landlockExecutable = new ArrayList<>();

    @Option(
            names = "--apparmor-profile",
            paramLabel = "PROFILE",
            description = "a loaded AppArmor profile to run under")
    String apparmorProfile;

    @Option(names = "--selinux-label", paramLabel = "CONTEXT", description = "an SELinux context to run with")
    String selinuxLabel;

    // ---- environment and streams ----
    @Option(
            names = "--env",
            paramLabel = "K=V",
            description = "an environment variable (K alone: jiso's value),"
                    + " repeatable; the environment starts as PATH and HOME only")
    List<String> env = new ArrayList<>();

    @Option(names = "--clear-env", description = "start from an empty environment, without PATH and HOME")
    boolean clearEnv;

    @Option(
            names = {"-i", "--stdin"},
            paramLabel = "FILE",
            description = "stdin from FILE (default: jiso's)")
    File stdin;

    @Option(
            names = {"-o", "--stdout"},
            paramLabel = "FILE",
            description = "stdout to FILE, truncated (default: jiso's)")
    File stdout;

    @Option(
            names = {"-e", "--stderr"},
            paramLabel = "FILE",
            description = "stderr to FILE, truncated (default: jiso's)")
    File stderr;

    // ---- reports ----
    @Option(names = "--report", paramLabel = "FILE", description = "the run's report as JSON")
    File report;

    @Option(names = "--meta", paramLabel = "FILE", description = "the run's report in isolate's meta-file format")
    File meta;

    @Option(
            names = {"-q", "--quiet"},
            description = "no messages of jiso's but its failures")
    boolean quiet;

    @Parameters(
            arity = "1..*",
            paramLabel = "COMMAND",
            description = "the program (searched in the sandbox's" + " PATH) and its arguments; put -- before it")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        IsolatedProcessBuilder builder = new IsolatedProcessBuilder(command);
        new RunOptions(this).apply(builder);
        PrintWriter err = spec.commandLine().getErr();
        IsolatedProcess process;
        try {
            process = builder.start();
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            if (meta != null) {
                ReportFiles.writeMetaFailure(meta, e.getMessage());
            }
            return Main.failed(err, e);
        }
        RunReport r = process.report();
        int exit = process.exitValue();
        if (report != null) {
            ReportFiles.writeJson(report, r);
        }
        if (meta != null) {
            ReportFiles.writeMeta(meta, r);
        }
        if (!quiet && r.status() != RunStatus.OK && r.status() != RunStatus.RUNTIME_ERROR) {
            err.println("jiso: " + r.message());
            err.flush();
        }
        return exit;
    }

    /** A setter's IllegalArgumentException, as the parser's own errors: naming the flag. */
    ParameterException badValue(String flag, String value, RuntimeException e) {
        return new ParameterException(
                spec.commandLine(),
                "Invalid value for option '" + flag + "': " + e.getMessage()
                        + (value == null ? "" : " (was '" + value + "')"),
                e);
    }

    Duration[] timeOffsets() {
        if (timeOffset == null) {
            return null;
        }
        String[] parts = timeOffset.split(":", -1);
        try {
            if (parts.length > 2) {
                throw new IllegalArgumentException("must be MONO[:BOOT]");
            }
            Duration mono = Values.duration(parts[0]);
            return new Duration[] {mono, parts.length == 2 ? Values.duration(parts[1]) : mono};
        } catch (RuntimeException e) {
            throw badValue("--time-offset", timeOffset, e);
        }
    }

    SeccompPolicy seccompPolicy() {
        return switch (seccomp) {
            case "default" -> SeccompPolicy.defaultPolicy();
            case "strict" -> SeccompPolicy.strict();
            case "none" -> null;
            default -> profile();
        };
    }

    /** A profile file in Docker's and the OCI runtime spec's JSON format. */
    private SeccompPolicy profile() {
        Path file = Path.of(seccomp);
        if (!Files.isRegularFile(file)) {
            throw badValue(
                    "--seccomp",
                    seccomp,
                    new IllegalArgumentException("must be default, strict, none or a"
                            + " profile file in Docker's JSON format, and no such file exists"));
        }
        try {
            Set<Capability> kept = EnumSet.noneOf(Capability.class);
            kept.addAll(keepCaps);
            return SeccompProfile.read(file, kept);
        } catch (IOException e) {
            throw badValue(
                    "--seccomp",
                    seccomp,
                    new IllegalArgumentException("cannot read the profile: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            throw badValue("--seccomp", seccomp, e);
        }
    }

    DeviceRule deviceRule(String rule) {
        try {
            return DeviceRule.parse(rule);
        } catch (RuntimeException e) {
            throw badValue("--allow-device", rule, e);
        }
    }

    Etc etc() {
        return minimalEtc ? Etc.MINIMAL : Etc.HOST;
    }
}
