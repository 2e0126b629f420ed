package io.jiso;

import io.jiso.capability.KernelCapability;
import io.jiso.capability.PrivilegeSpec;
import io.jiso.cgroup.AllowedDevice;
import io.jiso.cgroup.CgroupLimits;
import io.jiso.cgroup.Cgroups;
import io.jiso.cgroup.Layout;
import io.jiso.landlock.LandlockRules;
import io.jiso.limits.RlimitResource;
import io.jiso.limits.Rlimits;
import io.jiso.limits.RunLimits;
import io.jiso.mount.FsOp;
import io.jiso.mount.RootPresets;
import io.jiso.namespace.NamespaceType;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.seccomp.SyscallRules;
import io.jiso.spawn.ChildProcess;
import io.jiso.spawn.HostFacts;
import io.jiso.spawn.Launcher;
import io.jiso.spawn.SandboxSpec;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import io.jiso.user.IdMapLine;
import io.jiso.user.Rootless;
import io.jiso.user.SubordinateIds;
import io.jiso.user.UserNamespaceMaps;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Starts isolated processes, the way {@link ProcessBuilder} starts ordinary
 * ones: same method names where the concept is the same, and {@link #start()}
 * returns a {@link Process}.
 *
 * <p>Secure by default: with no options the process gets new pid, mount, uts,
 * ipc, net (only {@code lo}, up) and cgroup namespaces; a fresh root on tmpfs
 * with read-only binds of the host's /usr, /bin, /sbin, /lib*, /etc, a minimal
 * /dev, its own /proc with sensitive entries masked, a private /tmp; no /sys;
 * it runs as nobody (65534) with every capability dropped, no_new_privs and
 * the default seccomp policy; it leads a session of its own (no controlling
 * terminal); it dies with the JVM. The methods below opt out or adjust.
 *
 * <p>Unlike ProcessBuilder, the environment starts nearly empty (PATH and
 * HOME), not as a copy of the JVM's: a sandbox should not inherit the JVM's
 * secrets. Call {@code environment().putAll(System.getenv())} to pass them.
 *
 * <p>Setters validate at once and throw IllegalArgumentException naming the
 * field and the rule; combinations are checked by {@link #start()} with
 * IllegalStateException.
 */
public final class IsolatedProcessBuilder {
    /**
     * No limit: for {@link #memoryMax}, {@link #memoryHigh}, {@link #swapMax},
     * {@link #zswapMax} and {@link #pidsMax} it is the kernel's default (the
     * same as not calling them), for {@link #ioMax} a rate left unlimited.
     * {@code Long.MAX_VALUE} is refused instead of being taken as unlimited.
     */
    public static final long UNLIMITED = CgroupLimits.UNLIMITED;

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?");
    private static final long MIN_TMPFS_BYTES = 4096;
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static {
        // A start() at the JVM's fd limit fails with EMFILE, and loading a class from a directory takes
        // an fd: what turns the failure into the public exception is loaded now, with the first builder.
        Failures.preload();
    }

    private List<String> command;
    private String directory = "/";
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Redirect[] redirects = {Redirect.PIPE, Redirect.PIPE, Redirect.PIPE};
    private boolean redirectErrorStream;
    private final Set<Namespace> created =
            EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC, Namespace.NET, Namespace.CGROUP);
    private final Map<Namespace, IsolatedProcess> joined = new EnumMap<>(Namespace.class);
    private String hostname = "jiso";
    private boolean hostnameSet;
    private boolean freshRoot = true;
    private final List<CallerMount> mounts = new ArrayList<>();
    private Etc etc = Etc.HOST;
    private long tmpSizeBytes = 64L << 20;
    private boolean tmpSizeSet;
    private Duration monotonicOffset = Duration.ZERO;
    private Duration boottimeOffset = Duration.ZERO;
    private List<IdMapLine> uidMap = List.of();
    private List<IdMapLine> gidMap = List.of();
    private long subordinateIds; // how many mapSubordinateIds asked for; 0: not asked
    private Long uid;
    private Long gid;
    private List<Long> groups = List.of();
    private final Set<KernelCapability> keptCapabilities = EnumSet.noneOf(KernelCapability.class);
    private boolean noNewPrivileges = true;
    private SeccompPolicy seccomp = SeccompPolicy.defaultPolicy();
    private final List<String> landlockReadOnly = new ArrayList<>();
    private final List<String> landlockReadWrite = new ArrayList<>();
    private final List<String> landlockExecutable = new ArrayList<>();
    private final CgroupLimits.Builder limits = CgroupLimits.builder();
    private final List<AllowedDevice> devices = new ArrayList<>(AllowedDevice.MINIMAL);
    private boolean ownCgroup = true;
    /** cgroupfs(..): null until called, then the caller's choice. */
    private Boolean cgroupFs;

    private boolean newSession = true;
    private String appArmorProfile;
    private String selinuxLabel;
    private final Map<RlimitResource, RunLimits.Rlimit> rlimits = new EnumMap<>(RlimitResource.class);
    private Duration cpuTimeLimit;
    private Duration wallTimeLimit;
    private long outputLimit = -1;
    private final JisoRuntime runtime;

    /** A builder whose sandboxes belong to the {@link JisoRuntime#defaultRuntime() default runtime}. */
    public IsolatedProcessBuilder(String... command) {
        this(JisoRuntime.defaultRuntime(), Arrays.asList(command));
    }

    /** A builder whose sandboxes belong to the {@link JisoRuntime#defaultRuntime() default runtime}. */
    public IsolatedProcessBuilder(List<String> command) {
        this(JisoRuntime.defaultRuntime(), command);
    }

    /**
     * A builder whose sandboxes belong to this runtime: its configuration applies, and its
     * {@link JisoRuntime#close()} kills them; start() throws IllegalStateException once it is closed.
     */
    public IsolatedProcessBuilder(JisoRuntime runtime, String... command) {
        this(runtime, Arrays.asList(command));
    }

    /** As {@link #IsolatedProcessBuilder(JisoRuntime, String...)}. */
    public IsolatedProcessBuilder(JisoRuntime runtime, List<String> command) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        command(command);
        environment.put("PATH", DEFAULT_PATH);
        environment.put("HOME", "/");
    }

    // ---- ProcessBuilder's methods -------------------------------------------------------------

    public List<String> command() {
        return command;
    }

    /** The program and its arguments; the program is searched in the sandbox's PATH if it has no '/'. */
    public IsolatedProcessBuilder command(List<String> command) {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty() || command.get(0) == null || command.get(0).isEmpty()) {
            throw new IllegalArgumentException("command must name a program, was " + command);
        }
        for (String arg : command) {
            noNul("command", Objects.requireNonNull(arg, "command must not contain null"));
        }
        this.command = List.copyOf(command);
        return this;
    }

    public IsolatedProcessBuilder command(String... command) {
        return command(Arrays.asList(command));
    }

    /** The working directory inside the sandbox (default "/"). */
    public File directory() {
        return new File(directory);
    }

    public IsolatedProcessBuilder directory(File directory) {
        this.directory = directory == null ? "/" : sandboxPath("directory", directory.getPath(), true);
        return this;
    }

    /** The child's whole environment, mutable like ProcessBuilder's; see the class comment for its start. */
    public Map<String, String> environment() {
        return environment;
    }

    public IsolatedProcessBuilder redirectInput(Redirect source) {
        redirects[0] = redirect("redirectInput", source, true);
        return this;
    }

    public IsolatedProcessBuilder redirectOutput(Redirect destination) {
        redirects[1] = redirect("redirectOutput", destination, false);
        return this;
    }

    public IsolatedProcessBuilder redirectError(Redirect destination) {
        redirects[2] = redirect("redirectError", destination, false);
        return this;
    }

    public IsolatedProcessBuilder redirectInput(File file) {
        return redirectInput(Redirect.from(file));
    }

    public IsolatedProcessBuilder redirectOutput(File file) {
        return redirectOutput(Redirect.to(file));
    }

    public IsolatedProcessBuilder redirectError(File file) {
        return redirectError(Redirect.to(file));
    }

    public Redirect redirectInput() {
        return redirects[0];
    }

    public Redirect redirectOutput() {
        return redirects[1];
    }

    public Redirect redirectError() {
        return redirects[2];
    }

    public boolean redirectErrorStream() {
        return redirectErrorStream;
    }

    public IsolatedProcessBuilder redirectErrorStream(boolean redirectErrorStream) {
        this.redirectErrorStream = redirectErrorStream;
        return this;
    }

    /**
     * Like ProcessBuilder's: the program's stdin, stdout and stderr are the
     * JVM's. On a terminal the program reads and writes it through these
     * descriptors, but by default it has no controlling terminal (see
     * {@link #newSession(boolean)}): /dev/tty cannot be opened, Ctrl-C and
     * Ctrl-Z reach the JVM rather than the program, and a program that wants
     * job control or a password prompt on /dev/tty needs
     * {@code newSession(false)}.
     */
    public IsolatedProcessBuilder inheritIO() {
        Arrays.fill(redirects, Redirect.INHERIT);
        return this;
    }

    /**
     * Whether the program starts a session of its own (default true), as
     * {@code setsid} does: it then has no controlling terminal, so even when
     * the JVM runs on a terminal the sandbox cannot open /dev/tty (ENXIO) to
     * read from it, change its modes or send it signals, and signals from
     * that terminal (Ctrl-C, hang-up) do not reach it; PID 1 of its pid
     * namespace leaves the JVM's session and process group too. The program
     * keeps its standard streams: with {@link #inheritIO()} it still reads
     * and writes the JVM's terminal through them.
     *
     * <p>false: the sandbox stays in the JVM's session and process group and
     * shares its controlling terminal, like a child of ProcessBuilder: for an
     * interactive program (a shell with job control, a prompt on /dev/tty)
     * run with inheritIO(). It can then also change the terminal's modes
     * and read what is typed there; seccomp still refuses TIOCSTI.
     */
    public IsolatedProcessBuilder newSession(boolean newSession) {
        this.newSession = newSession;
        return this;
    }

    // ---- Isolation ----------------------------------------------------------------------------

    /** Runs in the host's (the JVM's) namespaces of these kinds instead of new ones. */
    public IsolatedProcessBuilder share(Namespace... namespaces) {
        for (Namespace ns : namespaces) {
            created.remove(Objects.requireNonNull(ns, "share: namespace"));
            joined.remove(ns);
        }
        return this;
    }

    /**
     * Joins a namespace of another running sandbox instead of creating one, as
     * {@code docker run --net container:X} does: NET, IPC or UTS.
     */
    public IsolatedProcessBuilder join(Namespace namespace, IsolatedProcess other) {
        if (namespace != Namespace.NET && namespace != Namespace.IPC && namespace != Namespace.UTS) {
            throw new IllegalArgumentException(
                    "join: only NET, IPC and UTS namespaces can be joined, not " + namespace);
        }
        Objects.requireNonNull(other, "join: other");
        if (!other.isAlive()) {
            throw new IllegalArgumentException("join: process " + other.pid() + " has exited");
        }
        created.remove(namespace);
        joined.put(namespace, other);
        return this;
    }

    /** The hostname inside (default "jiso"); needs a new UTS namespace (start() refuses a shared or joined one). */
    public IsolatedProcessBuilder hostname(String hostname) {
        Objects.requireNonNull(hostname, "hostname");
        if (!HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("hostname must be 1..64 letters, digits, '-' or '.', not starting or"
                    + " ending with '-' or '.', was \"" + hostname + "\"");
        }
        this.hostname = hostname;
        this.hostnameSet = true;
        return this;
    }

    /**
     * Makes a host file or directory visible read-only at sandboxPath. The
     * source is opened as named: start() refuses it if it is a symbolic link
     * (see {@link BindSource}; inside a directory a sandbox could write, use
     * {@link #bindReadOnly(BindSource, String)} with {@link BindSource#beneath}).
     */
    public IsolatedProcessBuilder bindReadOnly(Path hostPath, String sandboxPath) {
        return bindReadOnly(BindSource.of(hostPath), sandboxPath);
    }

    /**
     * Makes a host file or directory visible and writable at sandboxPath; the
     * source as in {@link #bindReadOnly(Path, String)}.
     */
    public IsolatedProcessBuilder bind(Path hostPath, String sandboxPath) {
        return bind(BindSource.of(hostPath), sandboxPath);
    }

    /**
     * Makes source visible read-only at sandboxPath. The mount point is made
     * beneath the sandbox's root without following a symbolic link: one found
     * there (e.g. planted in an earlier bind by an earlier sandbox) fails the
     * start, naming the path.
     */
    public IsolatedProcessBuilder bindReadOnly(BindSource source, String sandboxPath) {
        return addMount(new CallerMount(
                Objects.requireNonNull(source, "bind: source"),
                sandboxPath("bind: sandboxPath", sandboxPath, false),
                false,
                0));
    }

    /**
     * Makes source visible and writable at sandboxPath (nosuid, nodev); see
     * {@link #bindReadOnly(BindSource, String)}.
     */
    public IsolatedProcessBuilder bind(BindSource source, String sandboxPath) {
        return addMount(new CallerMount(
                Objects.requireNonNull(source, "bind: source"),
                sandboxPath("bind: sandboxPath", sandboxPath, false),
                true,
                0));
    }

    /**
     * A private tmpfs of at most sizeBytes at sandboxPath, owned by the
     * program's user. The size is a cap,
     * not an allocation (pages are used as files are written), and there is
     * no unlimited one: Long.MAX_VALUE is refused.
     */
    public IsolatedProcessBuilder tmpfs(String sandboxPath, long sizeBytes) {
        notMaxValue("tmpfs: sizeBytes", sizeBytes, "give the largest size the sandbox may fill");
        if (sizeBytes < MIN_TMPFS_BYTES) {
            throw new IllegalArgumentException("tmpfs: sizeBytes must be >= " + MIN_TMPFS_BYTES + ", was " + sizeBytes);
        }
        return addMount(new CallerMount(null, sandboxPath("tmpfs: sandboxPath", sandboxPath, false), true, sizeBytes));
    }

    /** A caller's bind (source set) or tmpfs, resolved by start(). */
    private record CallerMount(BindSource source, String target, boolean writable, long tmpfsBytes) {}

    private IsolatedProcessBuilder addMount(CallerMount mount) {
        for (CallerMount m : mounts) {
            if (m.target().equals(mount.target())) {
                throw new IllegalArgumentException("two mounts at " + mount.target());
            }
        }
        mounts.add(mount);
        return this;
    }

    /**
     * What the fresh root's /etc is: the host's, read-only (default), or
     * {@link Etc#MINIMAL}, which has no file of the host's.
     */
    public IsolatedProcessBuilder etc(Etc etc) {
        this.etc = Objects.requireNonNull(etc, "etc");
        return this;
    }

    /**
     * The size cap of the private /tmp (default 64 MiB), which needs a new
     * mount namespace; as for {@link #tmpfs}, Long.MAX_VALUE is refused.
     */
    public IsolatedProcessBuilder tmpSize(long bytes) {
        notMaxValue("tmpSize", bytes, "give the largest size the sandbox may fill");
        if (bytes < MIN_TMPFS_BYTES) {
            throw new IllegalArgumentException("tmpSize must be >= " + MIN_TMPFS_BYTES + " bytes, was " + bytes);
        }
        this.tmpSizeBytes = bytes;
        this.tmpSizeSet = true;
        return this;
    }

    /** Keeps the host's root (in a private mount namespace) instead of building a fresh one. */
    public IsolatedProcessBuilder hostRoot() {
        this.freshRoot = false;
        return this;
    }

    /**
     * A new time namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME are shifted
     * by these offsets (visible in /proc/uptime), e.g. to make a restored or
     * replayed run see the clocks it expects.
     */
    public IsolatedProcessBuilder timeOffsets(Duration monotonic, Duration boottime) {
        this.monotonicOffset = Objects.requireNonNull(monotonic, "timeOffsets: monotonic");
        this.boottimeOffset = Objects.requireNonNull(boottime, "timeOffsets: boottime");
        created.add(Namespace.TIME);
        return this;
    }

    /**
     * A new user namespace with these uid and gid mappings, written by the JVM
     * before the child goes on. A JVM that is not root may map only its own
     * ids itself; other outside ids must lie in its user's subordinate ranges
     * (see {@link #mapSubordinateIds()}), and newuidmap / newgidmap write them.
     * Replaces an earlier mapSubordinateIds.
     */
    public IsolatedProcessBuilder userNamespace(List<IdMapping> uids, List<IdMapping> gids) {
        if (Objects.requireNonNull(uids, "userNamespace: uids").isEmpty()
                || Objects.requireNonNull(gids, "userNamespace: gids").isEmpty()) {
            throw new IllegalArgumentException("userNamespace: uids and gids need at least one mapping each");
        }
        this.uidMap = lines(List.copyOf(uids));
        this.gidMap = lines(List.copyOf(gids));
        this.subordinateIds = 0;
        created.add(Namespace.USER);
        return this;
    }

    /**
     * For a JVM that is not root: a new user namespace in which 0 is the JVM's
     * user and 1, 2, ... are the subordinate ids /etc/subuid and /etc/subgid
     * give that user, all its ranges in file order (the layout of podman and
     * rootlesskit), written by newuidmap and newgidmap. So a sandbox has many
     * users, none of them a user of the host. If a helper is missing or
     * powerless, the user has no range, or the JVM is root, start() throws
     * FeatureUnavailableException saying which. Replaces userNamespace(..).
     */
    public IsolatedProcessBuilder mapSubordinateIds() {
        return mapSubordinate(SubordinateIds.ALL);
    }

    /** As {@link #mapSubordinateIds()}, but only the first count subordinate ids: 0..count inside. */
    public IsolatedProcessBuilder mapSubordinateIds(long count) {
        if (count < 1 || count > 0xFFFF_FFFEL) {
            throw new IllegalArgumentException("mapSubordinateIds: count must be 1..4294967294, was " + count);
        }
        return mapSubordinate(count);
    }

    private IsolatedProcessBuilder mapSubordinate(long count) {
        this.subordinateIds = count;
        this.uidMap = List.of();
        this.gidMap = List.of();
        created.add(Namespace.USER);
        return this;
    }

    // ---- cgroup: limits and accounting --------------------------------------------------------
    // Every process gets a cgroup leaf of its own (for resourceUsage(), freeze, killAll) unless
    // withoutCgroup(); these set its limits. A limit the host cannot express fails start().

    /**
     * memory.max in bytes: above it the kernel reclaims, then OOM-kills (see
     * IsolatedProcess.oomKilled()); {@link #UNLIMITED} for none.
     */
    public IsolatedProcessBuilder memoryMax(long bytes) {
        limits.memoryMaxBytes(bytes);
        return this;
    }

    /** memory.high in bytes: above it the kernel throttles and reclaims hard, without killing; {@link #UNLIMITED} for none. */
    public IsolatedProcessBuilder memoryHigh(long bytes) {
        limits.memoryHighBytes(bytes);
        return this;
    }

    /** memory.low in bytes: best-effort protection from reclaim. */
    public IsolatedProcessBuilder memoryLow(long bytes) {
        limits.memoryLowBytes(bytes);
        return this;
    }

    /** memory.min in bytes: hard protection from reclaim (cgroup v2 only). */
    public IsolatedProcessBuilder memoryMin(long bytes) {
        limits.memoryMinBytes(bytes);
        return this;
    }

    /** memory.swap.max in bytes; 0 forbids swapping, {@link #UNLIMITED} allows any. */
    public IsolatedProcessBuilder swapMax(long bytes) {
        limits.swapMaxBytes(bytes);
        return this;
    }

    /** memory.zswap.max in bytes (cgroup v2 only); {@link #UNLIMITED} for none. */
    public IsolatedProcessBuilder zswapMax(long bytes) {
        limits.zswapMaxBytes(bytes);
        return this;
    }

    /** memory.oom.group: an OOM kill takes the whole group, not one process. */
    public IsolatedProcessBuilder oomGroup(boolean wholeGroup) {
        limits.oomGroup(wholeGroup);
        return this;
    }

    /** cpu.max: at most quotaMicros of CPU time every periodMicros (e.g. 50000, 100000 for half a CPU). */
    public IsolatedProcessBuilder cpuMax(long quotaMicros, long periodMicros) {
        limits.cpuMaxMicros(quotaMicros, periodMicros);
        return this;
    }

    /** cpu.weight, 1..10000 (100 is the default share). */
    public IsolatedProcessBuilder cpuWeight(int weight) {
        limits.cpuWeight(weight);
        return this;
    }

    /** cpuset.cpus, e.g. "0" or "0-1,3". */
    public IsolatedProcessBuilder cpusetCpus(String cpus) {
        limits.cpusetCpus(cpus);
        return this;
    }

    /** cpuset.mems, e.g. "0". */
    public IsolatedProcessBuilder cpusetMems(String mems) {
        limits.cpusetMems(mems);
        return this;
    }

    /** io.max for one block device: rates per second, {@link #UNLIMITED} where not limited. */
    public IsolatedProcessBuilder ioMax(
            int major,
            int minor,
            long readBytesPerSecond,
            long writeBytesPerSecond,
            long readOpsPerSecond,
            long writeOpsPerSecond) {
        limits.ioMax(major, minor, readBytesPerSecond, writeBytesPerSecond, readOpsPerSecond, writeOpsPerSecond);
        return this;
    }

    /** io.weight, 1..10000. */
    public IsolatedProcessBuilder ioWeight(int weight) {
        limits.ioWeight(weight);
        return this;
    }

    /** pids.max: at most this many processes and threads (a fork bomb hits a wall); {@link #UNLIMITED} for none. */
    public IsolatedProcessBuilder pidsMax(long max) {
        limits.pidsMax(max);
        return this;
    }

    /** hugetlb.&lt;pageSize&gt;.max, e.g. {@code hugetlbMax("2MB", 64 << 20)}. */
    public IsolatedProcessBuilder hugetlbMax(String pageSize, long bytes) {
        limits.hugetlbMaxBytes(pageSize, bytes);
        return this;
    }

    /**
     * Allows one more device through the leaf's device filter, e.g.
     * {@code allowDevice(DeviceRule.parse("c 10:200 rw"))} for /dev/net/tun. By
     * default only the devices of the minimal /dev ({@link DeviceRule#MINIMAL})
     * can be opened or made, even by root with CAP_MKNOD. The leaf enforces
     * the rules: a BPF device program where there is a cgroup v2 tree (pure
     * v2, hybrid), the v1 devices controller on pure v1. On a host with
     * neither, start() fails with a FeatureUnavailableException once a rule
     * is added; the default set alone is then skipped, with a warning.
     */
    public IsolatedProcessBuilder allowDevice(DeviceRule rule) {
        devices.add(Objects.requireNonNull(rule, "allowDevice: rule").allowed());
        return this;
    }

    /**
     * No cgroup leaf: no limits, no resourceUsage(), no device filter; saves
     * its creation and removal. start() refuses it together with limits or
     * {@link #allowDevice} rules.
     */
    public IsolatedProcessBuilder withoutCgroup() {
        this.ownCgroup = false;
        return this;
    }

    /**
     * Whether the sandbox sees its own cgroup, read-only, at /sys/fs/cgroup,
     * rooted at its leaf through its cgroup namespace (as in a Docker
     * container), so that runtimes that size their heap and thread pools
     * from the cgroup (the JVM's container support, Go, .NET, Node) see its
     * limits. A cgroup2 mount on a pure v2 host; on a hybrid or v1 host a
     * tmpfs holding the v1 memory, cpu, cpuacct, cpuset and pids hierarchies
     * under the host's names for them (the leaf then joins each) and the v2
     * tree at unified. Nothing above the leaf is visible. Needs the fresh root, its own mount
     * and cgroup namespaces and a leaf; start() refuses true without them.
     * The default: on when memoryMax or cpuMax is set (the mounts cost each
     * spawn some 0.2 to 0.3 ms of CPU), off otherwise; for a JVM that is not
     * root only on pure v2 (elsewhere the leaf's extra v1 hierarchies need a
     * delegation it may lack: ask with cgroupfs(true)).
     */
    public IsolatedProcessBuilder cgroupfs(boolean visible) {
        this.cgroupFs = visible;
        return this;
    }

    // ---- Limits of a judged run ----------------------------------------------------------------

    /**
     * A resource limit (setrlimit(2)) of the main process and everything it
     * starts, set before the privilege drop so that a hard limit may be
     * raised above the JVM's (as root; a JVM that is not root cannot). Every
     * limit not set here gets its documented default, not the JVM's (see
     * {@link ResourceLimit}), e.g. a large stack for deep recursion:
     * {@code rlimit(ResourceLimit.STACK, 256L << 20, 256L << 20)}.
     *
     * @param soft the limit the kernel enforces, or {@link ResourceLimit#UNLIMITED}
     * @param hard the ceiling of the soft limit, or {@link ResourceLimit#UNLIMITED}
     */
    public IsolatedProcessBuilder rlimit(ResourceLimit limit, long soft, long hard) {
        Objects.requireNonNull(limit, "rlimit: limit");
        if ((soft < 0 && soft != ResourceLimit.UNLIMITED) || (hard < 0 && hard != ResourceLimit.UNLIMITED)) {
            throw new IllegalArgumentException("rlimit " + limit + ": values must be >= 0 or ResourceLimit.UNLIMITED,"
                    + " were " + soft + ", " + hard);
        }
        if (!ResourceLimit.ordered(soft, hard)) {
            throw new IllegalArgumentException(
                    "rlimit " + limit + ": soft must be <= hard, were " + soft + ", " + hard);
        }
        if (limit == ResourceLimit.NOFILE) {
            long nrOpen = Rlimits.nrOpen();
            if (soft == ResourceLimit.UNLIMITED || hard == ResourceLimit.UNLIMITED || hard > nrOpen) {
                throw new IllegalArgumentException(
                        "rlimit NOFILE: values must be <= fs.nr_open (" + nrOpen + "), were " + soft + ", " + hard);
            }
        }
        rlimits.put(limit.resource(), new RunLimits.Rlimit(soft, hard));
        return this;
    }

    /**
     * CPU time of the whole sandbox (every process and thread, from its
     * cgroup): over it, every process of the sandbox is killed and
     * {@link IsolatedProcess#report()} says {@link RunStatus#CPU_TIME_EXCEEDED};
     * a run that used more exited or not. With a pid namespace jiso-init
     * enforces it from inside the sandbox, independent of the JVM; without
     * one, a timer thread of the JVM does. Each process also gets an
     * RLIMIT_CPU a second above it (unless {@link #rlimit} sets one) as a
     * backstop. Needs the cgroup leaf.
     */
    public IsolatedProcessBuilder cpuTimeLimit(Duration limit) {
        this.cpuTimeLimit = positive("cpuTimeLimit", limit);
        return this;
    }

    /**
     * Wall-clock time from the moment the main program starts executing: at
     * the deadline every process of the sandbox is killed
     * ({@link RunStatus#WALL_TIME_EXCEEDED}). Enforced by jiso-init with a
     * pid namespace, by a JVM timer thread without one.
     */
    public IsolatedProcessBuilder wallTimeLimit(Duration limit) {
        this.wallTimeLimit = positive("wallTimeLimit", limit);
        return this;
    }

    /**
     * Bytes the sandbox may write to its stdout and stderr together, whatever
     * their redirect: jiso-init relays both through pipes of its own and
     * counts; past the limit nothing more is passed on and every process is
     * killed ({@link RunStatus#OUTPUT_EXCEEDED}). The program then sees pipes
     * as its stdout and stderr, not the files or terminal they lead to.
     * Files written elsewhere are bounded by {@code rlimit(ResourceLimit.FSIZE, ..)}.
     * Needs a pid namespace (jiso-init).
     */
    public IsolatedProcessBuilder outputLimit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("outputLimit must be >= 0 bytes, was " + bytes);
        }
        this.outputLimit = bytes;
        return this;
    }

    private static Duration positive(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(field + " must be positive and at most 365 days, was " + d);
        }
        return d;
    }

    // ---- Privileges ---------------------------------------------------------------------------

    /**
     * The uid and gid the program runs as inside the sandbox (in its user
     * namespace, if it has one). Default: 65534 (nobody), or 0 in a new user
     * namespace, where root is an unprivileged id of the host. Either way with
     * no capabilities unless {@link #keepCapabilities kept}. A JVM that is not
     * root gets a user namespace for its sandboxes; one that shares every
     * namespace runs its program as the JVM's own uid and gid, and no other.
     */
    public IsolatedProcessBuilder user(long uid, long gid) {
        this.uid = id("user: uid", uid);
        this.gid = id("user: gid", gid);
        return this;
    }

    /** Runs the program as root of the sandbox: uid and gid 0, still without capabilities. */
    public IsolatedProcessBuilder runAsRoot() {
        return user(0, 0);
    }

    /** Supplementary groups inside the sandbox (default: none). */
    public IsolatedProcessBuilder supplementaryGroups(long... gids) {
        List<Long> list = new ArrayList<>();
        for (long g : gids) {
            list.add(id("supplementaryGroups", g));
        }
        this.groups = List.copyOf(list);
        return this;
    }

    /** Capabilities the program keeps (in every set, ambient too); all others are dropped. Default: none. */
    public IsolatedProcessBuilder keepCapabilities(Capability... capabilities) {
        keptCapabilities.clear();
        for (Capability c : capabilities) {
            keptCapabilities.add(
                    Objects.requireNonNull(c, "keepCapabilities: capability").kernel());
        }
        return this;
    }

    /** PR_SET_NO_NEW_PRIVS (default on): execve never grants privileges through setuid bits or file capabilities. */
    public IsolatedProcessBuilder noNewPrivileges(boolean on) {
        this.noNewPrivileges = on;
        return this;
    }

    /** The seccomp policy, installed last before execve. Default: {@link SeccompPolicy#defaultPolicy()}. */
    public IsolatedProcessBuilder seccomp(SeccompPolicy policy) {
        this.seccomp = Objects.requireNonNull(policy, "seccomp: policy (use withoutSeccomp() for none)");
        return this;
    }

    /** No seccomp filter at all. */
    public IsolatedProcessBuilder withoutSeccomp() {
        this.seccomp = null;
        return this;
    }

    /**
     * Landlock: once any path is given, only the listed paths (and what is
     * under them) can be reached, for reading here; an extra layer beneath
     * the mount namespace. Paths are inside the sandbox and must exist.
     */
    public IsolatedProcessBuilder landlockReadOnly(String... paths) {
        return landlock(landlockReadOnly, "landlockReadOnly", paths);
    }

    /** Landlock: paths that may also be written, created and removed (not executed). */
    public IsolatedProcessBuilder landlockReadWrite(String... paths) {
        return landlock(landlockReadWrite, "landlockReadWrite", paths);
    }

    /** Landlock: paths from which programs may be read and executed (e.g. /usr). */
    public IsolatedProcessBuilder landlockExecutable(String... paths) {
        return landlock(landlockExecutable, "landlockExecutable", paths);
    }

    private IsolatedProcessBuilder landlock(List<String> list, String field, String... paths) {
        for (String p : paths) {
            list.add(sandboxPath(field, p, true));
        }
        return this;
    }

    /**
     * Runs the program confined by this AppArmor profile, which must be
     * loaded: the main process asks for it on its execve (as
     * aa_change_onexec does, through /proc/self/attr/apparmor/exec or
     * /proc/self/attr/exec), after the sandbox is built and before Landlock
     * and seccomp. start() throws FeatureUnavailableException where the
     * kernel does not enforce AppArmor, and ChildSetupException naming the
     * errno when AppArmor refuses the profile (ENOENT: not loaded).
     */
    public IsolatedProcessBuilder apparmorProfile(String profile) {
        this.appArmorProfile = lsmName("apparmorProfile", profile);
        return this;
    }

    /**
     * Runs the program with this SELinux context, e.g.
     * "system_u:system_r:container_t:s0:c1,c2", written to
     * /proc/self/attr/exec by the main process before its execve; the policy
     * must allow the transition (with no_new_privs, the default, only to a
     * bounded domain or with nnp_transition). start() throws
     * FeatureUnavailableException where SELinux is not enabled.
     */
    public IsolatedProcessBuilder selinuxLabel(String label) {
        this.selinuxLabel = lsmName("selinuxLabel", label);
        return this;
    }

    // ---- start --------------------------------------------------------------------------------

    /**
     * Starts the process. Throws IsolationException (an IOException) naming
     * the failed step and errno if it cannot; nothing is left behind then.
     */
    public IsolatedProcess start() throws IOException {
        try {
            SandboxSpec spec = spec();
            return new IsolatedProcess(
                    Launcher.start(runtime.services(), spec, -1, -1, Failures::toPublic), spec.command());
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    /** The runtime whose sandboxes this builder starts. */
    public JisoRuntime runtime() {
        return runtime;
    }

    /**
     * Starts one sandbox per builder, the standard output of each the
     * standard input of the next, as {@link ProcessBuilder#startPipeline}
     * does: the pipe between two sandboxes is the kernel's, the JVM holds
     * neither end, and the streams of the ends that are connected read as
     * empty (getInputStream() of all but the last, getOutputStream() of all
     * but the first, which discards). Every builder is checked before any
     * sandbox starts; if one cannot start, those already started are killed
     * and waited for, and the exception is thrown.
     *
     * @return the processes, in the order of the builders
     * @throws IllegalArgumentException as ProcessBuilder's: a redirect other
     *         than PIPE for the standard input of a builder but the first, or
     *         the standard output of a builder but the last
     * @throws IllegalStateException a builder's contradictory choices, as start()
     * @throws NullPointerException if builders or one of them is null
     */
    public static List<IsolatedProcess> startPipeline(List<IsolatedProcessBuilder> builders) throws IOException {
        try {
            return startEach(builders);
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    private static List<IsolatedProcess> startEach(List<IsolatedProcessBuilder> builders) throws IOException {
        int n = Objects.requireNonNull(builders, "builders").size();
        List<SandboxSpec> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            IsolatedProcessBuilder b = Objects.requireNonNull(builders.get(i), "builders: element " + i);
            if (i > 0 && b.redirectInput() != Redirect.PIPE) {
                throw new IllegalArgumentException(
                        "builder redirectInput() must be PIPE except for the first" + " builder: " + b.redirectInput());
            }
            if (i < n - 1 && b.redirectOutput() != Redirect.PIPE) {
                throw new IllegalArgumentException("builder redirectOutput() must be PIPE except for the last"
                        + " builder: " + b.redirectOutput());
            }
            specs.add(b.spec());
        }
        List<IsolatedProcess> started = new ArrayList<>(n);
        int previousRead = -1;
        try {
            for (int i = 0; i < n; i++) {
                int[] next = i < n - 1 ? Sys.pipe2(Errno.O_CLOEXEC) : null;
                try {
                    started.add(new IsolatedProcess(
                            Launcher.start(
                                    builders.get(i).runtime.services(),
                                    specs.get(i),
                                    previousRead,
                                    next == null ? -1 : next[1],
                                    Failures::toPublic),
                            specs.get(i).command()));
                } finally {
                    Sys.close(previousRead);
                    previousRead = -1;
                    if (next != null) {
                        Sys.close(next[1]);
                        previousRead = next[0];
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            Sys.close(previousRead);
            for (IsolatedProcess p : started) {
                p.destroyForcibly();
            }
            for (IsolatedProcess p : started) {
                try {
                    p.waitFor();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            throw e;
        }
        return started;
    }

    /**
     * Runs the command to its end, the one call of a judge: feeds it stdin
     * (the builder's input redirect is ignored), collects stdout and stderr
     * when they are pipes (each at most {@link #outputLimit} bytes, unbounded
     * without one), all concurrently so no size deadlocks, and returns them
     * with the {@link RunReport}. A setup failure is an IsolationException,
     * as from {@link #start()}.
     */
    public RunResult run(byte[] stdin) throws IOException, InterruptedException {
        Objects.requireNonNull(stdin, "run: stdin");
        try {
            return Runs.run(startWithInput(Redirect.PIPE), stdin, outputLimit, outputPiped());
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    /** As {@link #run(byte[])}, with stdin read from a file of the host. */
    public RunResult run(Path stdinFile) throws IOException, InterruptedException {
        Objects.requireNonNull(stdinFile, "run: stdinFile");
        try {
            return Runs.run(startWithInput(Redirect.from(stdinFile.toFile())), null, outputLimit, outputPiped());
        } catch (SetupFailure f) {
            throw Failures.toPublic(f);
        }
    }

    private boolean outputPiped() {
        return Runs.piped(redirects[1], redirects[2], redirectErrorStream);
    }

    private IsolatedProcess startWithInput(Redirect input) throws IOException {
        Redirect saved = redirects[0];
        redirects[0] = input;
        SandboxSpec spec;
        try {
            spec = spec();
        } finally {
            redirects[0] = saved;
        }
        return new IsolatedProcess(
                Launcher.start(runtime.services(), spec, -1, -1, Failures::toPublic), spec.command());
    }

    /** The immutable snapshot a start() uses; checks the combinations and what the host offers. */
    SandboxSpec spec() throws SetupFailure {
        return spec(HostFacts.current());
    }

    /** As {@link #spec()}, for a JVM and host with the given facts (tests plan as another would). */
    SandboxSpec spec(HostFacts host) throws SetupFailure {
        Set<NamespaceType> created = types(this.created);
        boolean ownMounts = created.contains(NamespaceType.MOUNT);
        if (!ownMounts && !mounts.isEmpty()) {
            throw new IllegalStateException("bind and tmpfs mounts need a new mount namespace, but MOUNT is shared");
        }
        if (etc != Etc.HOST && !(freshRoot && ownMounts)) {
            throw new IllegalStateException("etc(" + etc + ") needs a fresh root, but "
                    + (ownMounts ? "hostRoot()" + " keeps the host's" : "MOUNT is shared"));
        }
        if (!ownMounts && tmpSizeSet) {
            throw new IllegalStateException("tmpSize(" + tmpSizeBytes + ") sizes the private /tmp of a new mount"
                    + " namespace, but share(MOUNT) keeps the host's mounts");
        }
        if (hostnameSet && !created.contains(NamespaceType.UTS)) {
            throw new IllegalStateException("hostname(\"" + hostname + "\") needs a new UTS namespace, but "
                    + (joined.containsKey(Namespace.UTS)
                            ? "join(UTS, ..) takes another sandbox's"
                            : "share(UTS) keeps the host's"));
        }
        if (!ownCgroup && !devices.equals(AllowedDevice.MINIMAL)) {
            throw new IllegalStateException("allowDevice(..) adds to the device filter of the cgroup leaf, but"
                    + " withoutCgroup() asks for no leaf");
        }
        UserNamespaceMaps userMaps = null;
        if (created.contains(NamespaceType.USER)) {
            userMaps = userMaps(host);
        } else if (!host.jvmIsRoot() && !created.isEmpty()) {
            // Not root: every other namespace needs a user namespace of its own first.
            created.add(NamespaceType.USER);
            userMaps = Rootless.callerAsRoot(host.jvmUid(), host.jvmGid());
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String k = Objects.requireNonNull(e.getKey(), "environment: null name");
            if (k.isEmpty() || k.indexOf('=') >= 0) {
                throw new IllegalStateException("environment: name must be non-empty without '=', was \"" + k + "\"");
            }
            noNul("environment: " + k, k + Objects.requireNonNull(e.getValue(), "environment: " + k + " is null"));
        }
        Map<NamespaceType, ChildProcess> join = new EnumMap<>(NamespaceType.class);
        joined.forEach((ns, p) -> join.put(ns.type(), p.child()));
        // Root of its own user namespace; nobody when root made it; else it cannot change who it is.
        boolean ownUsers = created.contains(NamespaceType.USER);
        long defaultUid = ownUsers ? 0 : host.jvmIsRoot() ? PrivilegeSpec.NOBODY : host.jvmUid();
        long defaultGid = ownUsers ? 0 : host.jvmIsRoot() ? PrivilegeSpec.NOBODY : host.jvmGid();
        PrivilegeSpec privileges = new PrivilegeSpec(
                uid == null ? defaultUid : uid,
                gid == null ? defaultGid : gid,
                groups,
                keptCapabilities,
                noNewPrivileges);
        LandlockRules landlock =
                landlockReadOnly.isEmpty() && landlockReadWrite.isEmpty() && landlockExecutable.isEmpty()
                        ? null
                        : new LandlockRules(landlockReadOnly, landlockReadWrite, landlockExecutable);
        if (!noNewPrivileges
                && (seccomp != null || landlock != null)
                && !keptCapabilities.contains(KernelCapability.CAP_SYS_ADMIN)) {
            throw new IllegalStateException("noNewPrivileges(false) needs CAP_SYS_ADMIN kept to install seccomp or"
                    + " Landlock; keep it, or use withoutSeccomp() and no Landlock paths");
        }
        boolean ownPids = created.contains(NamespaceType.PID);
        CgroupLimits cgroupLimits = cgroupLimits();
        boolean mountCgroupFs = mountCgroupFs(created, ownMounts, cgroupLimits, host.jvmIsRoot());
        List<FsOp> preset = !ownMounts
                ? List.of()
                : freshRoot
                        ? RootPresets.freshRoot(etc == Etc.MINIMAL, tmpSizeBytes, ownPids, host.layout(), mountCgroupFs)
                        : RootPresets.hostRoot(tmpSizeBytes, ownPids);
        SyscallRules syscallRules = seccomp == null ? null : seccomp.syscallRules();
        return new SandboxSpec(
                command,
                environment,
                directory,
                List.of(redirects),
                redirectErrorStream,
                created,
                join,
                hostname,
                freshRoot && ownMounts,
                preset,
                callerMounts(privileges),
                monotonicOffset,
                boottimeOffset,
                userMaps,
                privileges,
                landlock,
                syscallRules,
                cgroupLimits,
                devices,
                newSession,
                appArmorProfile,
                selinuxLabel,
                runLimits(created, host),
                host);
    }

    /** The caller's mounts as ops; bind sources are resolved now (see BindSource). */
    private List<FsOp> callerMounts(PrivilegeSpec privileges) throws HostSetupFailure {
        List<FsOp> ops = new ArrayList<>(mounts.size());
        for (CallerMount m : mounts) {
            // A scratch space the program could not write would be useless: its user owns it.
            ops.add(
                    m.source() != null
                            ? m.source().resolve(m.target(), m.writable())
                            : new FsOp.Tmpfs(
                                    m.target(),
                                    m.tmpfsBytes(),
                                    "0755,uid=" + privileges.uid() + ",gid=" + privileges.gid()));
        }
        return ops;
    }

    /** The maps of the user namespace asked for, and who writes them. */
    private UserNamespaceMaps userMaps(HostFacts host) throws FeatureUnavailable {
        if (subordinateIds != 0) {
            return SubordinateIds.callerAndSubordinates(subordinateIds);
        }
        if (uidMap.isEmpty()) {
            throw new IllegalStateException("a user namespace needs userNamespace(uids, gids) or mapSubordinateIds()");
        }
        if (!(mapsZero(uidMap) && mapsZero(gidMap))) {
            throw new IllegalStateException("userNamespace: uid 0 and gid 0 must be mapped: the sandbox is set up"
                    + " as the namespace's root");
        }
        return host.jvmIsRoot()
                ? UserNamespaceMaps.writtenByJvm(uidMap, gidMap)
                : SubordinateIds.forUnprivileged(uidMap, gidMap);
    }

    private RunLimits runLimits(Set<NamespaceType> created, HostFacts host) throws FeatureUnavailable {
        if (cpuTimeLimit != null && !ownCgroup) {
            throw new IllegalStateException("cpuTimeLimit counts the CPU time of the sandbox's cgroup leaf, but"
                    + " withoutCgroup() asks for none");
        }
        if (outputLimit >= 0 && !created.contains(NamespaceType.PID)) {
            throw new IllegalStateException(
                    "outputLimit is enforced by jiso-init, PID 1 of a new pid namespace," + " but PID is shared");
        }
        return new RunLimits(
                Rlimits.effective(
                        rlimits,
                        cpuTimeLimit,
                        created.contains(NamespaceType.USER),
                        host.jvmMayRaiseRlimits(),
                        host.jvmHardLimits()),
                cpuTimeLimit,
                wallTimeLimit,
                outputLimit);
    }

    /**
     * Whether /sys/fs/cgroup shows the leaf (see cgroupfs): as asked, else
     * when a limit runtimes read is set and the sandbox has what it needs.
     */
    private boolean mountCgroupFs(
            Set<NamespaceType> created, boolean ownMounts, CgroupLimits limits, boolean jvmIsRoot) {
        String missing = limits == null
                ? "withoutCgroup() asks for no cgroup leaf"
                : !created.contains(NamespaceType.CGROUP)
                        ? (joined.containsKey(Namespace.CGROUP)
                                ? "join(CGROUP, ..) takes another sandbox's cgroup namespace"
                                : "share(CGROUP) keeps the host's cgroup namespace")
                        : !ownMounts
                                ? "share(MOUNT) keeps the host's mounts"
                                : !freshRoot ? "hostRoot() keeps the host's /sys" : null;
        if (cgroupFs == null) {
            return missing == null && limits.sizesRuntimes() && leafMayJoinWhatRuntimesRead(jvmIsRoot);
        }
        if (cgroupFs && missing != null) {
            throw new IllegalStateException("cgroupfs(true) mounts the sandbox's cgroup leaf, rooted at it by its own"
                    + " cgroup namespace, at /sys/fs/cgroup of a fresh root, but " + missing);
        }
        return cgroupFs;
    }

    /**
     * On v1 and hybrid the mount makes the leaf join the cpu, cpuacct and
     * cpuset hierarchies too: a root JVM can, an unprivileged one only where
     * those are delegated to it, so by default it mounts only on pure v2.
     */
    private static boolean leafMayJoinWhatRuntimesRead(boolean jvmIsRoot) {
        if (jvmIsRoot) {
            return true;
        }
        try {
            return Cgroups.layout().kind() == Layout.Kind.V2;
        } catch (SetupFailure e) {
            return false; // no cgroup file system: start() says so when it makes the leaf
        }
    }

    /** The namespaces as the internals name them. */
    private static Set<NamespaceType> types(Set<Namespace> namespaces) {
        Set<NamespaceType> types = EnumSet.noneOf(NamespaceType.class);
        for (Namespace ns : namespaces) {
            types.add(ns.type());
        }
        return types;
    }

    private CgroupLimits cgroupLimits() {
        CgroupLimits l = limits.build();
        if (!ownCgroup && !l.isNone()) {
            throw new IllegalStateException("cgroup limits were set, but withoutCgroup() asks for no cgroup leaf");
        }
        return ownCgroup ? l : null;
    }

    // ---- validation helpers -------------------------------------------------------------------

    private static List<IdMapLine> lines(List<IdMapping> map) {
        return map.stream().map(IdMapping::line).toList();
    }

    private static boolean mapsZero(List<IdMapLine> map) {
        return map.stream().anyMatch(m -> m.inside() == 0);
    }

    private static long id(String field, long id) {
        if (id < 0 || id > 0xFFFF_FFFEL) {
            throw new IllegalArgumentException(field + " must be 0..4294967294, was " + id);
        }
        return id;
    }

    private static Redirect redirect(String field, Redirect r, boolean input) {
        Objects.requireNonNull(r, field);
        boolean ok = switch (r.type()) {
            case PIPE, INHERIT -> true;
            case READ -> input;
            case WRITE, APPEND -> !input;
        };
        if (!ok) {
            throw new IllegalArgumentException(field + ": a Redirect of type " + r.type() + " cannot be used here");
        }
        return r;
    }

    private static String sandboxPath(String field, String path, boolean rootAllowed) {
        Objects.requireNonNull(path, field);
        noNul(field, path);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(
                    field + " must be an absolute path inside the sandbox, was \"" + path + "\"");
        }
        for (String part : path.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException(field + " must not contain '.' or '..', was \"" + path + "\"");
            }
        }
        String normal = Path.of(path).normalize().toString();
        if (!rootAllowed && normal.equals("/")) {
            throw new IllegalArgumentException(field + " must not be /");
        }
        return normal;
    }

    private static long notMaxValue(String field, long value, String instead) {
        if (value == Long.MAX_VALUE) {
            throw new IllegalArgumentException(field + ": Long.MAX_VALUE is not a limit; " + instead);
        }
        return value;
    }

    /** The kernel takes an LSM attribute in one write of at most a page, "exec " included. */
    private static final int MAX_LSM_NAME_BYTES = 4000;

    private static String lsmName(String field, String name) {
        if (name == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        noNul(field, name);
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(field + " must not contain control characters (newline, tab...), was \""
                    + name.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_LSM_NAME_BYTES) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_LSM_NAME_BYTES
                    + " bytes in UTF-8, was " + name.getBytes(StandardCharsets.UTF_8).length);
        }
        return name;
    }

    private static String noNul(String field, String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " must not contain a NUL character");
        }
        return s;
    }
}
