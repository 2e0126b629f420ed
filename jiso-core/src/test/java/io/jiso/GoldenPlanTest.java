package io.jiso;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.limits.RlimitResource;
import io.jiso.mount.HostLayout;
import io.jiso.nativegen.Abi;
import io.jiso.spawn.HostFacts;
import io.jiso.spawn.PlanRendering;
import io.jiso.spawn.PlanRendering.Leaf;
import io.jiso.spawn.PlanRendering.Root;
import io.jiso.spawn.SandboxSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden plans: what the child of a spawn does, step by step, for
 * representative builders, rendered in words (see PlanRendering) and compared
 * with the files in src/test/resources/golden-plans. A change to the spawn
 * sequence shows up here as a diff to read and check in. The plans are built
 * under fixed host facts (a root JVM, or an unprivileged one, on a merged-/usr
 * host), without root and without spawning.
 *
 * <p>On a mismatch the new rendering is written to target/golden-plans;
 * {@code -Djiso.golden.update=true} writes it over the golden file instead.
 */
class GoldenPlanTest {
    private static final String UPDATE = "jiso.golden.update";
    private static final Path GOLDEN = Path.of("src/test/resources/golden-plans");
    private static final Path ACTUAL = Path.of("target/golden-plans");

    /** A Debian host with merged /usr. */
    private static final HostLayout LAYOUT = new HostLayout(
            List.of(
                    new HostLayout.Entry("/usr", null),
                    new HostLayout.Entry("/bin", "usr/bin"),
                    new HostLayout.Entry("/sbin", "usr/sbin"),
                    new HostLayout.Entry("/lib", "usr/lib"),
                    new HostLayout.Entry("/lib64", "usr/lib64")),
            true,
            List.of("/etc/alternatives", "/etc/java-21-openjdk"));
    /** A root JVM with every capability, on a kernel with Landlock ABI 2. */
    private static final HostFacts ROOT = new HostFacts(true, 0, 0, true, true, Map.of(), 2, LAYOUT);
    /** A JVM run by uid 1000 with a login's hard limits, and no capability. */
    private static final HostFacts UNPRIVILEGED =
            new HostFacts(false, 1000, 1000, false, false, userHardLimits(), 2, LAYOUT);

    private static Path tmp;

    /** One golden plan: a builder, the facts it is planned under, and where its root and leaf come from. */
    record Case(String name, String what, IsolatedProcessBuilder builder, HostFacts host, Root root, Leaf leaf) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void sources() throws IOException {
        tmp = Files.createTempDirectory("jiso-golden");
        Files.createDirectories(tmp.resolve("judge/42"));
        Files.writeString(tmp.resolve("judge/42/solution.py"), "print(42)\n");
        Files.createDirectories(tmp.resolve("work/out"));
    }

    @AfterAll
    static void removeSources() throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case(
                "defaults",
                "new IsolatedProcessBuilder(\"/bin/true\"), from a root JVM: a copy of a root" + " template, a v2 leaf",
                new IsolatedProcessBuilder("/bin/true"),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "defaults-host-copy",
                "the defaults with -Djiso.rootTemplates=false: the root built from a"
                        + " copy of the host's mount namespace",
                new IsolatedProcessBuilder("/bin/true"),
                ROOT,
                Root.HOST_COPY,
                Leaf.V2));
        c.add(new Case(
                "defaults-hybrid-leaf",
                "the defaults on a hybrid cgroup layout: the child writes itself"
                        + " into the v1 controllers' leaves, then makes its cgroup namespace",
                new IsolatedProcessBuilder("/bin/true"),
                ROOT,
                Root.TEMPLATE,
                Leaf.HYBRID));
        c.add(new Case(
                "judge",
                "a judge's run: strict seccomp, limits, a minimal /etc, a read-only bind, PATH" + " search",
                new IsolatedProcessBuilder("python3", "solution.py")
                        .bindReadOnly(tmp.resolve("judge/42"), "/judge")
                        .directory(new File("/judge"))
                        .etc(Etc.MINIMAL)
                        .memoryMax(256 << 20)
                        .swapMax(0)
                        .pidsMax(64)
                        .wallTimeLimit(Duration.ofSeconds(3))
                        .outputLimit(64 << 20)
                        .rlimit(ResourceLimit.STACK, 256L << 20, 256L << 20)
                        .seccomp(SeccompPolicy.strict()),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "unprivileged",
                "the defaults from a JVM run by uid 1000: a user namespace first, maps the"
                        + " JVM writes, the root from a copy of the host's, no leaf (no delegated cgroup)",
                new IsolatedProcessBuilder("/bin/true"),
                UNPRIVILEGED,
                Root.HOST_COPY,
                Leaf.NONE));
        c.add(new Case(
                "share-pid",
                "share(PID): no jiso-init, the program dies with the JVM's spawner thread",
                new IsolatedProcessBuilder("/bin/true").share(Namespace.PID),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "share-net-uts-ipc-cgroup",
                "share(NET, UTS, IPC, CGROUP): no loopback, no hostname",
                new IsolatedProcessBuilder("/bin/true")
                        .share(Namespace.NET, Namespace.UTS, Namespace.IPC, Namespace.CGROUP),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "share-mount",
                "share(MOUNT): the host's file system",
                new IsolatedProcessBuilder("/bin/true").share(Namespace.MOUNT),
                ROOT,
                Root.HOST_COPY,
                Leaf.V2));
        c.add(new Case(
                "share-all",
                "every namespace shared, no leaf, no seccomp: the bare minimum of a spawn",
                new IsolatedProcessBuilder("/bin/true")
                        .share(Namespace.values())
                        .withoutCgroup()
                        .withoutSeccomp(),
                ROOT,
                Root.HOST_COPY,
                Leaf.NONE));
        c.add(new Case(
                "host-root",
                "hostRoot(): the host's root with a private /tmp and /proc",
                new IsolatedProcessBuilder("/bin/true").hostRoot(),
                ROOT,
                Root.HOST_COPY,
                Leaf.V2));
        c.add(new Case(
                "binds-and-tmpfs",
                "a read-only bind, a writable bind beneath it, a file bind, a tmpfs",
                new IsolatedProcessBuilder("/bin/true")
                        .bindReadOnly(tmp.resolve("work"), "/srv/work")
                        .bind(tmp.resolve("work/out"), "/srv/work/out")
                        .bindReadOnly(tmp.resolve("judge/42/solution.py"), "/box/solution.py")
                        .tmpfs("/scratch", 16 << 20)
                        .tmpSize(8 << 20),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "time-namespace",
                "timeOffsets: a time namespace with its offsets",
                new IsolatedProcessBuilder("/bin/true").timeOffsets(Duration.ofDays(1), Duration.ofSeconds(-5, 250)),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "user-namespace",
                "userNamespace(..) from a root JVM: maps it writes, setgroups kept, a" + " user with groups inside",
                new IsolatedProcessBuilder("/bin/true")
                        .userNamespace(
                                List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)))
                        .user(1000, 1000)
                        .supplementaryGroups(100, 27),
                ROOT,
                Root.HOST_COPY,
                Leaf.V2));
        c.add(new Case(
                "landlock",
                "Landlock read-only, executable and writable paths",
                new IsolatedProcessBuilder("/bin/true")
                        .landlockReadOnly("/etc")
                        .landlockExecutable("/usr")
                        .landlockReadWrite("/tmp"),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "custom-seccomp-and-capabilities",
                "a custom seccomp policy, a kept capability, a user",
                new IsolatedProcessBuilder("/bin/true")
                        .seccomp(SeccompPolicy.defaultPolicy().toBuilder()
                                .rule("mkdir", SeccompPolicy.Action.errno("EPERM"))
                                .build())
                        .keepCapabilities(Capability.CAP_NET_BIND_SERVICE)
                        .user(1000, 1000),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "cgroupfs",
                "cgroupfs(true) with a memory limit: the sandbox's own leaf, read-only at"
                        + " /sys/fs/cgroup of the fresh root, rooted at it by the cgroup namespace",
                new IsolatedProcessBuilder("/bin/true").memoryMax(256 << 20).cgroupfs(true),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        c.add(new Case(
                "cgroupfs-hybrid-leaf",
                "cgroupfs(true) on a hybrid layout: a tmpfs at /sys/fs/cgroup with"
                        + " the leaf's v1 hierarchies and its v2 one beneath it, all read-only",
                new IsolatedProcessBuilder("/bin/true").memoryMax(256 << 20).cgroupfs(true),
                ROOT,
                Root.TEMPLATE,
                Leaf.HYBRID));
        c.add(new Case(
                "pipeline-io",
                "inheritIO, merged stderr, own session kept off, another hostname",
                new IsolatedProcessBuilder("/bin/sh", "-c", "echo hi")
                        .inheritIO()
                        .newSession(false)
                        .hostname("box"),
                ROOT,
                Root.TEMPLATE,
                Leaf.V2));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePlanIsTheGoldenOne(Case c) throws IOException {
        assumeTrue(
                Abi.current().arch().equals("x86_64"),
                "the golden plans are x86_64's (seccomp filters differ in" + " size between architectures); this is "
                        + Abi.current().arch());
        SandboxSpec spec = c.builder().spec(c.host());
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put(tmp.toRealPath().toString(), "<tmp>");
        paths.put(tmp.toString(), "<tmp>");
        String actual = "# " + c.what() + "\n" + PlanRendering.render(spec, c.root(), c.leaf(), paths);
        Path golden = GOLDEN.resolve(c.name() + ".plan");
        String expected = Files.exists(golden) ? Files.readString(golden) : "";
        if (actual.equals(expected)) {
            return;
        }
        if (Boolean.getBoolean(UPDATE)) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, actual);
            return;
        }
        Files.createDirectories(ACTUAL);
        Path written = ACTUAL.resolve(c.name() + ".plan");
        Files.writeString(written, actual);
        fail("the plan of " + c.name() + " differs from " + golden + " (new rendering in " + written + "; -D" + UPDATE
                + "=true makes it the golden one):\n" + diff(expected, actual));
    }

    /** The lines that differ, with two lines of context, as a unified diff's body. */
    static String diff(String expected, String actual) {
        List<String> a = expected.lines().toList();
        List<String> b = actual.lines().toList();
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                lines.add("  " + a.get(i++));
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                lines.add("+ " + b.get(j++));
            } else {
                lines.add("- " + a.get(i++));
            }
        }
        StringBuilder out = new StringBuilder();
        int lastShown = -1;
        for (int k = 0; k < lines.size(); k++) {
            boolean near = false;
            for (int d = -2; d <= 2; d++) {
                int m = k + d;
                near |= m >= 0 && m < lines.size() && !lines.get(m).startsWith("  ");
            }
            if (near) {
                if (lastShown >= 0 && k > lastShown + 1) {
                    out.append("  ...\n");
                }
                out.append(lines.get(k)).append('\n');
                lastShown = k;
            }
        }
        return out.toString();
    }

    /** A Debian login's hard limits: what an unprivileged JVM cannot raise. */
    private static Map<RlimitResource, Long> userHardLimits() {
        Map<RlimitResource, Long> m = new EnumMap<>(RlimitResource.class);
        for (RlimitResource r : RlimitResource.values()) {
            m.put(r, RlimitResource.UNLIMITED);
        }
        m.put(RlimitResource.NOFILE, 524288L);
        m.put(RlimitResource.MEMLOCK, 8L << 20);
        m.put(RlimitResource.SIGPENDING, 31616L);
        m.put(RlimitResource.NPROC, 31616L);
        m.put(RlimitResource.MSGQUEUE, 819200L);
        m.put(RlimitResource.NICE, 0L);
        m.put(RlimitResource.RTPRIO, 0L);
        return m;
    }
}
