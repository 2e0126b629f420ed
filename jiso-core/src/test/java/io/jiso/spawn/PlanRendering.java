package io.jiso.spawn;

import io.jiso.SeccompPolicies;
import io.jiso.SeccompPolicy;
import io.jiso.capability.KernelCapability;
import io.jiso.cgroup.LeafHierarchies;
import io.jiso.limits.RlimitResource;
import io.jiso.mount.RootPresets;
import io.jiso.namespace.NamespaceType;
import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.__user_cap_data_struct;
import io.jiso.nativegen.libc.__user_cap_header_struct;
import io.jiso.nativegen.libc.ifreq;
import io.jiso.nativegen.libc.jiso_step;
import io.jiso.nativegen.libc.landlock_path_beneath_attr;
import io.jiso.nativegen.libc.landlock_ruleset_attr;
import io.jiso.nativegen.libc.mount_attr;
import io.jiso.nativegen.libc.open_how;
import io.jiso.nativegen.libc.sock_filter;
import io.jiso.nativegen.libc.sock_fprog;
import io.jiso.plan.StepList;
import io.jiso.seccomp.SeccompCompiler;
import io.jiso.seccomp.SeccompProgram;
import io.jiso.sys.Errno;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Test support: a spawn's whole plan (clone flags, parent writes, the cgroup
 * it starts in and every child step) in words, as the stage will execute it,
 * without running it. It reads the encoded struct jiso_step array and the
 * memory its arguments point to, and names what it finds: system calls,
 * flags, capabilities, signals, the strings and structures behind pointers, a
 * seccomp filter by its size and policy. The fds of the spawn are fixed
 * numbers rendered as names, the JVM's own fds too, so the text is the same on
 * every host and for every user; host paths the caller passes are replaced as
 * told.
 */
public final class PlanRendering {
    private PlanRendering() {}

    private static final Abi ABI = Abi.current();
    private static final Map<Long, String> SYSCALLS = new HashMap<>();
    private static final int OP_SPAWN = Linux.JISO_OP_SPAWN;
    private static final int OP_AWAIT_CREATOR = Linux.JISO_OP_AWAIT_CREATOR;

    static {
        ABI.syscalls().forEach((name, nr) -> SYSCALLS.put((long) nr, name));
    }

    // Fixed fd numbers for the spawn's own fds, far above what a test JVM has open.
    private static final int STDIN = 900;
    private static final int STDOUT = 901;
    private static final int STDERR = 902;
    private static final int INIT_STATUS = 903;
    private static final int NETWORK = 904;
    private static final int ROOT_TEMPLATE = 905;
    private static final int LEAF = 906;
    private static final int V1_TASKS_CPU = 907;
    private static final int V1_TASKS_MEMORY = 908;

    /** Where the plan's root and cgroup come from, as a start() would choose them. */
    public enum Root {
        /** a root JVM's way: a copy of a root template */
        TEMPLATE,
        /** a copy of the host's mount namespace (user namespaces, -Djiso.rootTemplates=false) */
        HOST_COPY
    }

    /** The cgroup leaf a start() gives the child. */
    public enum Leaf {
        /** none (withoutCgroup(), or a host without a delegated cgroup) */
        NONE,
        /** a v2 leaf: CLONE_INTO_CGROUP */
        V2,
        /** a hybrid host: CLONE_INTO_CGROUP of the v2 leaf, the v1 controllers' tasks files written by the child */
        HYBRID
    }

    /**
     * The plan of spec, rendered. pathNames maps host paths (temporary
     * directories...) to the placeholders that replace them in the text.
     */
    public static String render(SandboxSpec spec, Root root, Leaf leaf, Map<String, String> pathNames)
            throws IOException {
        Map<Long, String> fds = new HashMap<>();
        int in = fd(fds, spec.redirects().get(0), STDIN, "<stdin>");
        int out = fd(fds, spec.redirects().get(1), STDOUT, "<stdout>");
        int err = spec.mergeErrors() ? out : fd(fds, spec.redirects().get(2), STDERR, "<stderr>");
        int status = spec.creates(NamespaceType.PID) ? name(fds, INIT_STATUS, "<init-status>") : -1;
        // as Launcher: a pooled network namespace only without a user namespace
        int network = spec.creates(NamespaceType.NET) && !spec.creates(NamespaceType.USER)
                ? name(fds, NETWORK, "<netns>")
                : -1;
        int template = root == Root.TEMPLATE ? name(fds, ROOT_TEMPLATE, "<root-template>") : -1;
        name(fds, NativeStage.JVM_PIDFD, "<jvm-pidfd>");
        name(fds, NativeStage.INIT_FD, "<jiso-init-memfd>");
        int cgroupFd = leaf == Leaf.NONE ? -1 : name(fds, LEAF, "<leaf>");
        ChildSteps.V1Leaf v1 = leaf != Leaf.HYBRID
                ? ChildSteps.V1Leaf.NONE
                : new ChildSteps.V1Leaf("jiso-<jvm pid>-1", new int[] {
                    name(fds, V1_TASKS_CPU, "<v1 cpu tasks>"), name(fds, V1_TASKS_MEMORY, "<v1 memory tasks>")
                });
        try (Arena arena = Arena.ofConfined();
                InitLimits limits =
                        status >= 0 && spec.runLimits().watched() ? InitLimits.open(spec, null, out, err) : null) {
            if (limits != null) {
                int relay = 0;
                for (int fd : limits.keepOpen()) {
                    if (!fds.containsKey((long) fd)) {
                        name(fds, fd, "<output relay " + ++relay + ">");
                    }
                }
                name(fds, limits.mainOut(), "<main stdout relay>");
                name(fds, limits.mainErr(), "<main stderr relay>");
                if (limits.mainOut() >= 0) {
                    out = limits.mainOut();
                    err = limits.mainErr();
                }
            }
            ChildSteps.Fds childFds = new ChildSteps.Fds(in, out, err, status, network, template, limits);
            // as Launcher: the leaf's hierarchies when the preset mounts them (FsOp.CgroupFs); on the
            // hybrid layout those of its v1 leaves (cpu,cpuacct and memory) and the v2 tree
            LeafHierarchies hierarchies = leaf == Leaf.NONE || !RootPresets.mountsCgroupFs(spec.rootPreset())
                    ? null
                    : new LeafHierarchies(
                            true,
                            leaf == Leaf.V2
                                    ? List.of()
                                    : List.of(
                                            new LeafHierarchies.V1("cpu,cpuacct", "cpu,cpuacct"),
                                            new LeafHierarchies.V1("memory", "memory")));
            Plan plan = Launcher.plan(spec, childFds, cgroupFd, v1, hierarchies, arena);
            String text = new Renderer(fds, spec).render(plan);
            for (Map.Entry<String, String> e : pathNames.entrySet()) {
                text = text.replace(e.getKey(), e.getValue());
            }
            return text;
        }
    }

    private static int fd(Map<Long, String> fds, Redirect r, int fd, String name) {
        return r.type() == Redirect.Type.INHERIT ? -1 : name(fds, fd, name);
    }

    private static int name(Map<Long, String> fds, int fd, String name) {
        if (fd >= 0) {
            fds.putIfAbsent((long) fd, name);
        }
        return fd;
    }

    /** One plan's text. */
    private static final class Renderer {
        private final Map<Long, String> fds;
        private final SandboxSpec spec;
        private final StringBuilder text = new StringBuilder();

        Renderer(Map<Long, String> fds, SandboxSpec spec) {
            this.fds = fds;
            this.spec = spec;
        }

        String render(Plan plan) {
            text.append("clone3: ")
                    .append(flags(
                            plan.cloneFlags,
                            "CLONE_NEWNS",
                            "CLONE_NEWCGROUP",
                            "CLONE_NEWUTS",
                            "CLONE_NEWIPC",
                            "CLONE_NEWUSER",
                            "CLONE_NEWPID",
                            "CLONE_NEWNET",
                            "CLONE_NEWTIME"))
                    .append('\n');
            text.append("cgroup: ")
                    .append(plan.cgroupFd < 0 ? "none" : "CLONE_INTO_CGROUP " + fd(plan.cgroupFd))
                    .append('\n');
            for (Plan.ParentWrite w : plan.parentWrites()) {
                text.append("parent: ")
                        .append(
                                w.argv() != null
                                        ? "run " + String.join(" ", w.argv())
                                        : "write " + quote(w.data()) + " to /proc/<child>/" + w.procFile())
                        .append('\n');
            }
            MemorySegment array = plan.steps.encode();
            int n = plan.steps.size();
            int[] shown = numbering(array, n);
            for (int i = 0; i < n; i++) {
                MemorySegment s = jiso_step.asSlice(array, i);
                long[] args = new long[StepList.MAX_ARGS];
                for (int a = 0; a < args.length; a++) {
                    args[a] = jiso_step.arg(s, a);
                }
                String call;
                int last = i;
                while (last + 1 < n && isCapabilityDrop(array, last + 1) && isCapabilityDrop(array, i)) {
                    last++;
                }
                if (isCapabilityDrop(array, i)) {
                    call = capabilityDrops(array, i, last);
                } else {
                    call = call(jiso_step.nr(s), args, jiso_step.result_args(s));
                }
                text.append(String.format("%3d ", shown[i]))
                        .append(call)
                        .append("  # ")
                        .append(
                                last == i
                                        ? fdsInDescription(plan.steps.describe(i))
                                        : "drop capabilities from the bounding set")
                        .append(tolerated(jiso_step.tolerated_errnos(s)))
                        .append('\n');
                i = last;
            }
            return text.toString();
        }

        /** The step numbers shown: a run of bounding-set drops is one line (see capabilityDrops). */
        private int[] shownNumbers;

        private int[] numbering(MemorySegment array, int n) {
            shownNumbers = new int[n + 1];
            int k = 0;
            for (int i = 0; i < n; i++) {
                boolean continuesRun = i > 0 && isCapabilityDrop(array, i) && isCapabilityDrop(array, i - 1);
                shownNumbers[i] = continuesRun ? shownNumbers[i - 1] : k++;
            }
            shownNumbers[n] = k;
            return shownNumbers;
        }

        private static boolean isCapabilityDrop(MemorySegment array, int i) {
            MemorySegment s = jiso_step.asSlice(array, i);
            return "prctl".equals(SYSCALLS.get(jiso_step.nr(s))) && jiso_step.arg(s, 0) == Linux.PR_CAPBSET_DROP;
        }

        /**
         * A run of PR_CAPBSET_DROP steps, one per capability up to the
         * kernel's last (cap_last_cap, which differs between kernels), as one
         * line naming those it does not drop.
         */
        private String capabilityDrops(MemorySegment array, int first, int last) {
            List<Integer> dropped = new ArrayList<>();
            for (int i = first; i <= last; i++) {
                dropped.add((int) jiso_step.arg(jiso_step.asSlice(array, i), 1));
            }
            List<String> kept = new ArrayList<>();
            for (int c = dropped.getFirst(); c < dropped.getLast(); c++) {
                if (!dropped.contains(c)) {
                    kept.add(capability(c));
                }
            }
            return "prctl(PR_CAPBSET_DROP, c) for each c from " + capability(dropped.getFirst()) + " to cap_last_cap"
                    + (kept.isEmpty() ? "" : " but " + String.join(", ", kept));
        }

        private String call(long nr, long[] a, int fromSteps) {
            if (nr == OP_SPAWN) {
                return "JISO_OP_SPAWN(the creator continues at step " + shownNumbers[(int) a[0]] + ")";
            }
            if (nr == OP_AWAIT_CREATOR) {
                return "JISO_OP_AWAIT_CREATOR()";
            }
            String name = SYSCALLS.getOrDefault(nr, "syscall " + nr);
            Args r = new Args(a, fromSteps);
            List<String> shown = switch (name) {
                case "openat" -> List.of(r.fd(0), r.string(1), r.openFlags(2), r.octal(3));
                case "openat2" -> List.of(r.fd(0), r.string(1), r.openHow(2), r.number(3));
                case "close", "fchdir" -> List.of(r.fd(0));
                case "write" -> List.of(r.fd(0), r.bytes(1, a[2]), r.number(2));
                case "mkdirat" -> List.of(r.fd(0), r.string(1), r.octal(2));
                case "symlinkat" -> List.of(r.string(0), r.fd(1), r.string(2));
                case "unlinkat" -> List.of(r.fd(0), r.string(1), r.flags(2, "AT_REMOVEDIR"));
                case "chdir" -> List.of(r.string(0));
                case "prctl" -> r.prctl();
                case "dup3" -> List.of(r.fd(0), r.number(1), r.flags(2, "O_CLOEXEC"));
                case "fcntl" -> List.of(r.fd(0), r.constant(1, "F_SETFD", "F_GETFD", "F_SETFL"), r.number(2));
                case "close_range" ->
                    List.of(
                            r.number(0),
                            a[1] == 0xFFFF_FFFFL ? "~0U" : r.number(1),
                            r.flags(2, "CLOSE_RANGE_CLOEXEC", "CLOSE_RANGE_UNSHARE"));
                case "rt_sigprocmask" ->
                    List.of(
                            r.constant(0, "SIG_SETMASK", "SIG_BLOCK", "SIG_UNBLOCK"),
                            r.sigset(1, a[3]),
                            r.pointer(2),
                            r.number(3));
                case "execve" -> List.of(r.string(0), r.strings(1), r.strings(2));
                case "execveat" ->
                    List.of(r.fd(0), r.string(1), r.strings(2), r.strings(3), r.flags(4, "AT_EMPTY_PATH"));
                case "setsid" -> List.of();
                case "mount" ->
                    List.of(
                            r.string(0),
                            r.string(1),
                            r.string(2),
                            r.flags(
                                    3,
                                    "MS_RDONLY",
                                    "MS_NOSUID",
                                    "MS_NODEV",
                                    "MS_NOEXEC",
                                    "MS_REMOUNT",
                                    "MS_BIND",
                                    "MS_MOVE",
                                    "MS_REC",
                                    "MS_PRIVATE",
                                    "MS_SLAVE",
                                    "MS_SHARED",
                                    "MS_STRICTATIME",
                                    "MS_RELATIME"),
                            r.string(4));
                case "umount2" -> List.of(r.string(0), r.flags(1, "MNT_DETACH", "MNT_FORCE"));
                case "pivot_root" -> List.of(r.string(0), r.string(1));
                case "mount_setattr" ->
                    List.of(
                            r.fd(0),
                            r.string(1),
                            r.flags(2, "AT_EMPTY_PATH", "AT_RECURSIVE", "AT_SYMLINK_NOFOLLOW"),
                            r.mountAttr(3),
                            r.number(4));
                case "open_tree" ->
                    List.of(
                            r.fd(0),
                            r.string(1),
                            r.flags(
                                    2,
                                    "OPEN_TREE_CLONE",
                                    "OPEN_TREE_CLOEXEC",
                                    "AT_EMPTY_PATH",
                                    "AT_RECURSIVE",
                                    "AT_SYMLINK_NOFOLLOW"));
                case "move_mount" ->
                    List.of(
                            r.fd(0),
                            r.string(1),
                            r.fd(2),
                            r.string(3),
                            r.flags(
                                    4,
                                    "MOVE_MOUNT_F_EMPTY_PATH",
                                    "MOVE_MOUNT_T_EMPTY_PATH",
                                    "MOVE_MOUNT_F_SYMLINKS",
                                    "MOVE_MOUNT_T_SYMLINKS"));
                case "setns" -> List.of(r.fd(0), r.flags(1, NAMESPACES));
                case "unshare" -> List.of(r.flags(0, NAMESPACES));
                case "sethostname" -> List.of(r.bytes(0, a[1]), r.number(1));
                case "socket" ->
                    List.of(
                            r.constant(0, "AF_INET", "AF_UNIX", "AF_NETLINK"),
                            r.flags(1, "SOCK_DGRAM", "SOCK_STREAM", "SOCK_CLOEXEC"),
                            r.number(2));
                case "ioctl" -> List.of(r.fd(0), r.constant(1, "SIOCSIFFLAGS"), r.ifreq(2));
                case "setgroups" -> List.of(r.number(0), r.gids(1, a[0]));
                case "setresuid", "setresgid" -> List.of(r.number(0), r.number(1), r.number(2));
                case "capset" -> List.of(r.capHeader(0), r.capData(1));
                case "prlimit64" -> List.of(r.number(0), r.rlimit(1), r.rlimitValue(2), r.pointer(3));
                case "landlock_create_ruleset" -> List.of(r.landlockRuleset(0), r.number(1), r.number(2));
                case "landlock_add_rule" ->
                    List.of(r.fd(0), r.constant(1, "LANDLOCK_RULE_PATH_BENEATH"), r.landlockPath(2), r.number(3));
                case "landlock_restrict_self" -> List.of(r.fd(0), r.number(1));
                case "seccomp" -> List.of(r.constant(0, "SECCOMP_SET_MODE_FILTER"), r.number(1), r.filter(2));
                default -> r.raw();
            };
            return name + "(" + String.join(", ", shown) + ")";
        }

        private String fd(long fd) {
            return fds.getOrDefault(fd, fd == Linux.AT_FDCWD ? "AT_FDCWD" : Long.toString(fd));
        }

        /** One step's arguments. */
        private final class Args {
            private final long[] a;
            private final int fromSteps;

            Args(long[] a, int fromSteps) {
                this.a = a;
                this.fromSteps = fromSteps;
            }

            private boolean fromStep(int i) {
                return (fromSteps & (1 << i)) != 0;
            }

            /** The result of an earlier step: [step N]. */
            private String result(int i) {
                return "[step " + shownNumbers[(int) a[i]] + "]";
            }

            String fd(int i) {
                return fromStep(i) ? result(i) : Renderer.this.fd((int) a[i]);
            }

            String number(int i) {
                return fromStep(i) ? result(i) : Long.toString(a[i]);
            }

            String octal(int i) {
                return PlanRendering.octal(a[i]);
            }

            String pointer(int i) {
                return a[i] == 0 ? "NULL" : "<pointer>";
            }

            String string(int i) {
                return a[i] == 0 ? "NULL" : quote(at(a[i]).getString(0));
            }

            String bytes(int i, long length) {
                byte[] b = MemorySegment.ofAddress(a[i]).reinterpret(length).toArray(ValueLayout.JAVA_BYTE);
                return quote(new String(b, StandardCharsets.UTF_8));
            }

            String strings(int i) {
                List<String> s = new ArrayList<>();
                MemorySegment array = at(a[i]);
                for (int k = 0; ; k++) {
                    MemorySegment p = array.getAtIndex(ValueLayout.ADDRESS, k);
                    if (p.equals(MemorySegment.NULL)) {
                        break;
                    }
                    s.add(quote(fdsInArgument(p.reinterpret(Integer.MAX_VALUE).getString(0))));
                }
                return "[" + String.join(", ", s) + "]";
            }

            String flags(int i, String... names) {
                return PlanRendering.flags(a[i], names);
            }

            String constant(int i, String... names) {
                for (String n : names) {
                    if (ABI.hasConstant(n) && ABI.longConstant(n) == a[i]) {
                        return n;
                    }
                }
                return Long.toString(a[i]);
            }

            String openFlags(int i) {
                return PlanRendering.openFlags(a[i]);
            }

            String openHow(int i) {
                MemorySegment how = at(a[i], open_how.layout());
                return "{flags=" + PlanRendering.openFlags(open_how.flags(how)) + ", mode="
                        + PlanRendering.octal(open_how.mode(how)) + ", resolve="
                        + PlanRendering.flags(
                                open_how.resolve(how),
                                "RESOLVE_BENEATH",
                                "RESOLVE_NO_SYMLINKS",
                                "RESOLVE_NO_XDEV",
                                "RESOLVE_NO_MAGICLINKS",
                                "RESOLVE_IN_ROOT",
                                "RESOLVE_CACHED")
                        + "}";
            }

            String mountAttr(int i) {
                MemorySegment attr = at(a[i], mount_attr.layout());
                String[] names = {
                    "MOUNT_ATTR_RDONLY",
                    "MOUNT_ATTR_NOSUID",
                    "MOUNT_ATTR_NODEV",
                    "MOUNT_ATTR_NOEXEC",
                    "MOUNT_ATTR_NOATIME",
                    "MOUNT_ATTR_STRICTATIME",
                    "MOUNT_ATTR_NODIRATIME",
                    "MOUNT_ATTR_IDMAP",
                    "MOUNT_ATTR_NOSYMFOLLOW"
                };
                return "{attr_set=" + PlanRendering.flags(mount_attr.attr_set(attr), names) + ", attr_clr="
                        + PlanRendering.flags(mount_attr.attr_clr(attr), names) + ", propagation="
                        + PlanRendering.flags(mount_attr.propagation(attr), "MS_PRIVATE", "MS_SLAVE", "MS_SHARED")
                        + "}";
            }

            List<String> prctl() {
                String option = constant(
                        0,
                        "PR_SET_PDEATHSIG",
                        "PR_SET_SECUREBITS",
                        "PR_CAP_AMBIENT",
                        "PR_SET_NO_NEW_PRIVS",
                        "PR_CAPBSET_DROP",
                        "PR_SET_DUMPABLE");
                return switch (option) {
                    case "PR_SET_PDEATHSIG" -> List.of(option, constant(1, "SIGKILL", "SIGTERM"));
                    case "PR_SET_SECUREBITS" ->
                        List.of(
                                option,
                                flags(
                                        1,
                                        "SECBIT_NOROOT",
                                        "SECBIT_NOROOT_LOCKED",
                                        "SECBIT_NO_SETUID_FIXUP",
                                        "SECBIT_NO_SETUID_FIXUP_LOCKED",
                                        "SECBIT_KEEP_CAPS",
                                        "SECBIT_KEEP_CAPS_LOCKED",
                                        "SECBIT_NO_CAP_AMBIENT_RAISE",
                                        "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"));
                    case "PR_CAP_AMBIENT" ->
                        a[1] == Linux.PR_CAP_AMBIENT_RAISE
                                ? List.of(option, "PR_CAP_AMBIENT_RAISE", capability((int) a[2]))
                                : List.of(option, constant(1, "PR_CAP_AMBIENT_CLEAR_ALL", "PR_CAP_AMBIENT_LOWER"));
                    case "PR_CAPBSET_DROP" -> List.of(option, capability((int) a[1]));
                    case "PR_SET_NO_NEW_PRIVS" -> List.of(option, number(1));
                    default -> raw();
                };
            }

            String sigset(int i, long size) {
                long mask = at(a[i], ValueLayout.JAVA_LONG).get(ValueLayout.JAVA_LONG, 0);
                return mask == 0 ? "{} (empty set)" : "{mask 0x" + Long.toHexString(mask) + "}";
            }

            String ifreq(int i) {
                MemorySegment req = at(a[i], ifreq.layout());
                short flags = ifreq.ifr_ifru(req).get(ValueLayout.JAVA_SHORT, 0);
                return "{name=" + quote(req.getString(0)) + ", flags="
                        + PlanRendering.flags(flags & 0xFFFF, "IFF_UP", "IFF_RUNNING", "IFF_LOOPBACK") + "}";
            }

            String gids(int i, long count) {
                MemorySegment list = MemorySegment.ofAddress(a[i]).reinterpret(4 * Math.max(1, count));
                List<String> g = new ArrayList<>();
                for (int k = 0; k < count; k++) {
                    g.add(Integer.toUnsignedString(list.getAtIndex(ValueLayout.JAVA_INT, k)));
                }
                return "[" + String.join(", ", g) + "]";
            }

            String capHeader(int i) {
                MemorySegment h = at(a[i], __user_cap_header_struct.layout());
                int version = __user_cap_header_struct.version(h);
                return "{version="
                        + (version == Linux._LINUX_CAPABILITY_VERSION_3
                                ? "_LINUX_CAPABILITY_VERSION_3"
                                : "0x" + Integer.toHexString(version))
                        + ", pid="
                        + __user_cap_header_struct.pid(h) + "}";
            }

            String capData(int i) {
                int words = Linux._LINUX_CAPABILITY_U32S_3;
                MemorySegment d = MemorySegment.ofAddress(a[i])
                        .reinterpret(words * __user_cap_data_struct.layout().byteSize());
                long eff = 0;
                long perm = 0;
                long inh = 0;
                for (int w = 0; w < words; w++) {
                    MemorySegment s = __user_cap_data_struct.asSlice(d, w);
                    eff |= Integer.toUnsignedLong(__user_cap_data_struct.effective(s)) << (32 * w);
                    perm |= Integer.toUnsignedLong(__user_cap_data_struct.permitted(s)) << (32 * w);
                    inh |= Integer.toUnsignedLong(__user_cap_data_struct.inheritable(s)) << (32 * w);
                }
                return "{effective=" + capabilities(eff) + ", permitted=" + capabilities(perm) + ", inheritable="
                        + capabilities(inh) + "}";
            }

            String rlimit(int i) {
                for (RlimitResource r : RlimitResource.values()) {
                    if (r.kernelNumber() == a[i]) {
                        return "RLIMIT_" + r.name();
                    }
                }
                return Long.toString(a[i]);
            }

            String rlimitValue(int i) {
                MemorySegment v = at(a[i], MemoryLayout.sequenceLayout(2, ValueLayout.JAVA_LONG));
                return "{soft=" + limit(v.getAtIndex(ValueLayout.JAVA_LONG, 0)) + ", hard="
                        + limit(v.getAtIndex(ValueLayout.JAVA_LONG, 1)) + "}";
            }

            private static String limit(long v) {
                return v == -1 ? "RLIM_INFINITY" : Long.toString(v);
            }

            String landlockRuleset(int i) {
                MemorySegment attr = at(a[i], landlock_ruleset_attr.layout());
                return "{handled_access_fs=" + landlockAccess(landlock_ruleset_attr.handled_access_fs(attr)) + "}";
            }

            String landlockPath(int i) {
                MemorySegment attr = at(a[i], landlock_path_beneath_attr.layout());
                return "{allowed_access=" + landlockAccess(landlock_path_beneath_attr.allowed_access(attr))
                        + ", parent_fd=" + landlock_path_beneath_attr.parent_fd(attr) + "}";
            }

            /** A filter as its size and the policy it was compiled from, never its bytes. */
            String filter(int i) {
                MemorySegment prog = at(a[i], sock_fprog.layout());
                int n = Short.toUnsignedInt(sock_fprog.len(prog));
                MemorySegment insns = sock_fprog
                        .filter(prog)
                        .reinterpret(n * sock_filter.layout().byteSize());
                return "{filter of " + n + " instructions, policy " + policyName(insns, n) + "}";
            }

            List<String> raw() {
                List<String> s = new ArrayList<>();
                for (int k = 0; k < a.length; k++) {
                    s.add(fromStep(k) ? result(k) : "0x" + Long.toHexString(a[k]));
                }
                return s;
            }
        }

        /** "fd 29" in a description, where 29 is one of the spawn's fds, as its name. */
        private String fdsInDescription(String what) {
            return Pattern.compile("\\bfd (\\d+)")
                    .matcher(what)
                    .replaceAll(m ->
                            "fd " + Matcher.quoteReplacement(fds.getOrDefault(Long.parseLong(m.group(1)), m.group(1))));
        }

        /** Fds of the spawn named inside jiso-init's arguments ("o=limit,relay,dest"). */
        private String fdsInArgument(String arg) {
            if (!arg.matches("[a-z]=.*") && !arg.matches("\\d+")) {
                return arg;
            }
            StringBuilder b = new StringBuilder();
            for (String token : arg.split("(?<=[=,])|(?=[=,])")) {
                b.append(
                        token.matches("\\d+")
                                        && fds.containsKey(Long.parseLong(token))
                                        && (arg.startsWith("o=") || arg.startsWith("c=") || arg.equals(token))
                                ? fds.get(Long.parseLong(token))
                                : token);
            }
            return b.toString();
        }

        private String policyName(MemorySegment insns, int n) {
            for (Map.Entry<String, SeccompProgram> e : BUILT_IN.entrySet()) {
                if (same(e.getValue(), insns, n)) {
                    return e.getKey();
                }
            }
            boolean asSpec = spec.seccomp() != null && same(SeccompCompiler.forCurrentArch(spec.seccomp()), insns, n);
            return (asSpec ? "custom (the spec's)" : "unknown") + ", sha-256 "
                    + sha256(insns).substring(0, 16);
        }

        private static boolean same(SeccompProgram p, MemorySegment insns, int n) {
            if (p.size() != n) {
                return false;
            }
            for (int k = 0; k < n; k++) {
                MemorySegment s = sock_filter.asSlice(insns, k);
                long[] in = p.instruction(k);
                if ((sock_filter.code(s) & 0xFFFF) != in[0]
                        || (sock_filter.jt(s) & 0xFF) != in[1]
                        || (sock_filter.jf(s) & 0xFF) != in[2]
                        || Integer.toUnsignedLong(sock_filter.k(s)) != (in[3] & 0xFFFF_FFFFL)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The built-in policies, compiled once, to name a filter by. */
    private static final Map<String, SeccompProgram> BUILT_IN = new LinkedHashMap<>();

    static {
        BUILT_IN.put("default", SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(SeccompPolicy.defaultPolicy())));
        BUILT_IN.put("strict", SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(SeccompPolicy.strict())));
    }

    private static final String[] NAMESPACES = {
        "CLONE_NEWNS",
        "CLONE_NEWCGROUP",
        "CLONE_NEWUTS",
        "CLONE_NEWIPC",
        "CLONE_NEWUSER",
        "CLONE_NEWPID",
        "CLONE_NEWNET",
        "CLONE_NEWTIME"
    };

    private static MemorySegment at(long address) {
        return MemorySegment.ofAddress(address).reinterpret(Integer.MAX_VALUE);
    }

    private static MemorySegment at(long address, MemoryLayout layout) {
        return MemorySegment.ofAddress(address).reinterpret(layout.byteSize());
    }

    /** value as NAME|NAME|0x..., names in the order given; "0" for none. */
    static String flags(long value, String... names) {
        List<String> set = new ArrayList<>();
        long rest = value;
        for (String n : names) {
            if (!ABI.hasConstant(n)) {
                continue;
            }
            long bit = ABI.longConstant(n);
            if (bit != 0 && (rest & bit) == bit) {
                set.add(n);
                rest &= ~bit;
            }
        }
        if (rest != 0) {
            set.add("0x" + Long.toHexString(rest));
        }
        return set.isEmpty() ? "0" : String.join("|", set);
    }

    static String octal(long value) {
        return value == 0 ? "0" : "0" + Long.toOctalString(value);
    }

    static String openFlags(long value) {
        long access = value & 3;
        String mode = access == 0 ? "O_RDONLY" : access == 1 ? "O_WRONLY" : "O_RDWR";
        String rest = flags(
                value & ~3L,
                "O_PATH",
                "O_DIRECTORY",
                "O_CREAT",
                "O_EXCL",
                "O_TRUNC",
                "O_APPEND",
                "O_NONBLOCK",
                "O_NOCTTY",
                "O_NOFOLLOW",
                "O_CLOEXEC");
        if ((value & Linux.O_PATH) != 0 && access == 0) {
            return rest; // O_PATH ignores the access mode
        }
        return rest.equals("0") ? mode : mode + "|" + rest;
    }

    static String capability(int value) {
        for (KernelCapability c : KernelCapability.values()) {
            if (c.value() == value) {
                return c.name();
            }
        }
        return "capability " + value;
    }

    static String capabilities(long mask) {
        if (mask == 0) {
            return "{}";
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < 64; c++) {
            if ((mask & (1L << c)) != 0) {
                names.add(capability(c));
            }
        }
        return "{" + String.join(", ", names) + "}";
    }

    static String landlockAccess(long access) {
        Map<Long, String> rights = new TreeMap<>();
        for (String r : List.of(
                "EXECUTE",
                "WRITE_FILE",
                "READ_FILE",
                "READ_DIR",
                "REMOVE_DIR",
                "REMOVE_FILE",
                "MAKE_CHAR",
                "MAKE_DIR",
                "MAKE_REG",
                "MAKE_SOCK",
                "MAKE_FIFO",
                "MAKE_BLOCK",
                "MAKE_SYM",
                "REFER",
                "TRUNCATE",
                "IOCTL_DEV")) {
            if (ABI.hasConstant("LANDLOCK_ACCESS_FS_" + r)) {
                rights.put(ABI.longConstant("LANDLOCK_ACCESS_FS_" + r), r);
            }
        }
        List<String> set = new ArrayList<>();
        long rest = access;
        for (Map.Entry<Long, String> e : rights.entrySet()) {
            if ((rest & e.getKey()) != 0) {
                set.add(e.getValue());
                rest &= ~e.getKey();
            }
        }
        if (rest != 0) {
            set.add("0x" + Long.toHexString(rest));
        }
        return set.isEmpty() ? "0" : String.join("|", set);
    }

    private static String tolerated(long errnos) {
        if (errnos == 0) {
            return "";
        }
        List<String> names = new ArrayList<>();
        for (int e = 1; e < 64; e++) {
            if ((errnos & (1L << e)) != 0) {
                names.add(Errno.name(e));
            }
        }
        return " (tolerates " + names.stream().collect(Collectors.joining(", ")) + ")";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String sha256(MemorySegment bytes) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toArray(ValueLayout.JAVA_BYTE)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
