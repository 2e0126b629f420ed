package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.mount.HostLayout;
import io.jiso.spawn.HostFacts;
import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every setter's bad values (IllegalArgumentException naming the field and
 * the rule) and every contradictory combination (IllegalStateException from
 * start(), here from the spec start() makes first), planned for a root JVM
 * without a kernel: nothing here starts a sandbox. ApiEdgesTest checks some of
 * the same through start() against the kernel.
 */
class BuilderValidationTest {
    private static final HostLayout LAYOUT = new HostLayout(
            List.of(new HostLayout.Entry("/usr", null), new HostLayout.Entry("/bin", "usr/bin")), true, List.of());
    private static final HostFacts ROOT = new HostFacts(true, 0, 0, true, true, Map.of(), 2, LAYOUT);
    private static final HostFacts USER = new HostFacts(false, 1000, 1000, false, false, Map.of(), 2, LAYOUT);

    private static IsolatedProcessBuilder b() {
        return new IsolatedProcessBuilder("/bin/true");
    }

    /** The setter throws IllegalArgumentException whose message has every one of mentions. */
    private static void bad(Executable setter, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setter);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "\"" + m + "\" in: " + e.getMessage());
        }
    }

    /** Planning the builder (what start() does first) throws IllegalStateException with every mention. */
    private static void contradictory(IsolatedProcessBuilder builder, String... mentions) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.spec(ROOT));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "\"" + m + "\" in: " + e.getMessage());
        }
    }

    @Test
    void commandNeedsAProgramAndNoNul() {
        bad(() -> new IsolatedProcessBuilder(), "command must name a program");
        bad(() -> b().command(""), "command must name a program");
        bad(() -> b().command(List.of()), "command must name a program");
        bad(() -> b().command("/bin/echo", "a\0b"), "command", "NUL");
        assertThrows(NullPointerException.class, () -> b().command("/bin/echo", null));
        assertEquals(List.of("/bin/echo", "x"), b().command("/bin/echo", "x").command());
    }

    @Test
    void sandboxPathsAreAbsoluteWithoutDotsAndNotTheRootForMounts() {
        bad(() -> b().directory(new File("work")), "directory must be an absolute path", "\"work\"");
        bad(() -> b().directory(new File("/a/../etc")), "directory must not contain '.' or '..'");
        bad(() -> b().directory(new File("/a/./b")), "directory must not contain '.' or '..'");
        assertEquals(new File("/"), b().directory(new File("/")).directory(), "the root is a working directory");
        assertEquals(new File("/a/b"), b().directory(new File("/a//b/")).directory(), "normalized");
        assertEquals(new File("/"), b().directory(null).directory());
        bad(() -> b().tmpfs("/", 1 << 20), "tmpfs: sandboxPath must not be /");
        bad(() -> b().tmpfs("scratch", 1 << 20), "tmpfs: sandboxPath must be an absolute path");
        bad(() -> b().bindReadOnly(Path.of("/usr"), "/x/\0"), "NUL");
        bad(() -> b().landlockReadOnly("etc"), "landlockReadOnly must be an absolute path");
        bad(() -> b().landlockReadWrite("/tmp/.."), "landlockReadWrite must not contain");
        bad(() -> b().landlockExecutable("usr"), "landlockExecutable");
    }

    @Test
    void twoMountsAtOnePathAreRefused() {
        IsolatedProcessBuilder x = b().tmpfs("/scratch", 1 << 20);
        bad(() -> x.tmpfs("/scratch/", 1 << 20), "two mounts at /scratch");
        bad(() -> x.bindReadOnly(Path.of("/usr"), "/scratch"), "two mounts at /scratch");
    }

    @Test
    void sizesHaveAFloorAndNoInfinity() {
        bad(() -> b().tmpfs("/scratch", 1), "tmpfs: sizeBytes must be >=", "was 1");
        bad(() -> b().tmpfs("/scratch", Long.MAX_VALUE), "tmpfs: sizeBytes: Long.MAX_VALUE is not a limit");
        bad(() -> b().tmpSize(0), "tmpSize must be >=");
        bad(() -> b().tmpSize(Long.MAX_VALUE), "tmpSize: Long.MAX_VALUE");
        bad(() -> b().memoryMax(Long.MAX_VALUE), "memoryMax: Long.MAX_VALUE is not a limit", "UNLIMITED");
        bad(() -> b().pidsMax(Long.MAX_VALUE), "pidsMax: Long.MAX_VALUE");
        bad(() -> b().outputLimit(-1), "outputLimit must be >= 0");
        b().outputLimit(0).tmpSize(1 << 20).memoryMax(IsolatedProcessBuilder.UNLIMITED);
    }

    @Test
    void timeLimitsArePositiveAndAtMostAYear() {
        bad(() -> b().cpuTimeLimit(Duration.ZERO), "cpuTimeLimit must be positive and at most 365 days");
        bad(() -> b().wallTimeLimit(Duration.ofMillis(-1)), "wallTimeLimit must be positive");
        bad(() -> b().wallTimeLimit(Duration.ofDays(366)), "wallTimeLimit", "365 days");
        assertThrows(NullPointerException.class, () -> b().cpuTimeLimit(null));
        b().cpuTimeLimit(Duration.ofNanos(1)).wallTimeLimit(Duration.ofDays(365));
    }

    @Test
    void hostnamesFollowTheKernelsAndDnsRules() {
        for (String bad : new String[] {"", "-box", "box-", ".box", "box.", "b ox", "b_x", "x".repeat(65)}) {
            bad(() -> b().hostname(bad), "hostname must be 1..64", "\"" + bad + "\"");
        }
        b().hostname("x".repeat(64)).hostname("a-b.c9");
    }

    @Test
    void idsAreUnsigned32BitButNotMinusOne() {
        bad(() -> b().user(-1, 0), "user: uid must be 0..4294967294");
        bad(() -> b().user(0, 0xFFFF_FFFFL), "user: gid must be 0..4294967294");
        bad(() -> b().supplementaryGroups(5, -3), "supplementaryGroups must be 0..4294967294", "was -3");
        bad(() -> b().mapSubordinateIds(0), "mapSubordinateIds: count must be 1..4294967294");
        bad(() -> b().mapSubordinateIds(0xFFFF_FFFFL), "mapSubordinateIds");
        bad(() -> b().userNamespace(List.of(), List.of(new IdMapping(0, 1000, 1))), "userNamespace: uids and gids");
        b().user(0xFFFF_FFFEL, 0).supplementaryGroups();
    }

    @Test
    void redirectsOfTheWrongDirectionAreRefused() {
        bad(() -> b().redirectInput(Redirect.to(new File("/tmp/x"))), "redirectInput: a Redirect of type WRITE");
        bad(() -> b().redirectOutput(Redirect.from(new File("/tmp/x"))), "redirectOutput: a Redirect of type READ");
        bad(() -> b().redirectError(Redirect.from(new File("/tmp/x"))), "redirectError");
        b().redirectInput(Redirect.INHERIT).redirectOutput(Redirect.appendTo(new File("/tmp/x")));
    }

    @Test
    void lsmNamesAreOneLineOfAtMostAPage() {
        bad(() -> b().apparmorProfile(null), "apparmorProfile must not be null");
        bad(() -> b().apparmorProfile(""), "apparmorProfile must not be empty");
        bad(() -> b().apparmorProfile("a\nb"), "apparmorProfile must not contain control characters", "a?b");
        bad(() -> b().selinuxLabel("x\0"), "selinuxLabel must not contain a NUL");
        bad(() -> b().selinuxLabel("é".repeat(2001)), "selinuxLabel must be at most 4000 bytes in UTF-8, was 4002");
        b().selinuxLabel("é".repeat(2000)).apparmorProfile("jiso-test");
    }

    @Test
    void joinTakesOnlyNetIpcAndUts() {
        for (Namespace ns : new Namespace[] {Namespace.MOUNT, Namespace.PID, Namespace.USER, Namespace.CGROUP}) {
            bad(() -> b().join(ns, null), "join: only NET, IPC and UTS namespaces can be joined, not " + ns);
        }
        assertThrows(NullPointerException.class, () -> b().join(Namespace.NET, null));
    }

    @Test
    void mountsNeedTheirOwnMountNamespace() {
        contradictory(
                b().tmpfs("/scratch", 1 << 20).share(Namespace.MOUNT), "bind and tmpfs mounts", "MOUNT is shared");
        contradictory(b().bindReadOnly(Path.of("/usr"), "/u").share(Namespace.MOUNT), "MOUNT is shared");
        contradictory(b().tmpSize(1 << 20).share(Namespace.MOUNT), "tmpSize(1048576)", "share(MOUNT)");
        contradictory(b().etc(Etc.MINIMAL).hostRoot(), "etc(MINIMAL) needs a fresh root", "hostRoot()");
        contradictory(b().etc(Etc.MINIMAL).share(Namespace.MOUNT), "etc(MINIMAL)", "MOUNT is shared");
    }

    @Test
    void aHostnameNeedsItsOwnUtsNamespace() {
        contradictory(
                b().hostname("box").share(Namespace.UTS), "hostname(\"box\") needs a new UTS namespace", "share(UTS)");
    }

    @Test
    void whatNeedsALeafIsRefusedWithoutOne() {
        contradictory(
                b().allowDevice(DeviceRule.parse("c 1:3 rw")).withoutCgroup(), "allowDevice(..)", "withoutCgroup()");
        contradictory(b().memoryMax(1 << 30).withoutCgroup(), "cgroup limits were set", "withoutCgroup()");
        contradictory(b().pidsMax(10).withoutCgroup(), "withoutCgroup()");
        contradictory(
                b().cpuTimeLimit(Duration.ofSeconds(1)).withoutCgroup(), "cpuTimeLimit counts", "withoutCgroup()");
        contradictory(b().cgroupfs(true).withoutCgroup(), "cgroupfs(true)", "withoutCgroup()");
    }

    @Test
    void cgroupfsNeedsItsNamespacesAndAFreshRoot() {
        contradictory(b().cgroupfs(true).share(Namespace.CGROUP), "cgroupfs(true)", "share(CGROUP)");
        contradictory(b().cgroupfs(true).share(Namespace.MOUNT), "cgroupfs(true)", "share(MOUNT)");
        contradictory(b().cgroupfs(true).hostRoot(), "cgroupfs(true)", "hostRoot() keeps the host's /sys");
    }

    @Test
    void anOutputLimitNeedsJisoInit() {
        contradictory(
                b().outputLimit(100).share(Namespace.PID), "outputLimit is enforced by jiso-init", "PID is shared");
    }

    @Test
    void aUserNamespaceMapsZero() {
        contradictory(
                b().userNamespace(List.of(new IdMapping(1, 100000, 10)), List.of(new IdMapping(0, 100000, 10))),
                "uid 0 and gid 0 must be mapped");
        contradictory(
                b().userNamespace(List.of(new IdMapping(0, 100000, 10)), List.of(new IdMapping(5, 100000, 1))),
                "uid 0 and gid 0 must be mapped");
    }

    @Test
    void withoutNoNewPrivilegesAFilterNeedsCapSysAdmin() throws Exception {
        contradictory(b().noNewPrivileges(false), "noNewPrivileges(false) needs CAP_SYS_ADMIN");
        contradictory(b().noNewPrivileges(false).withoutSeccomp().landlockReadOnly("/etc"), "Landlock");
        b().noNewPrivileges(false).withoutSeccomp().spec(ROOT);
        b().noNewPrivileges(false).keepCapabilities(Capability.CAP_SYS_ADMIN).spec(ROOT);
    }

    @Test
    void environmentNamesAreChecked() {
        IsolatedProcessBuilder x = b();
        x.environment().put("A=B", "1");
        contradictory(x, "environment: name must be non-empty without '='", "\"A=B\"");
        IsolatedProcessBuilder empty = b();
        empty.environment().put("", "1");
        contradictory(empty, "environment: name must be non-empty");
        IsolatedProcessBuilder nul = b();
        nul.environment().put("A", "x\0y");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nul.spec(ROOT));
        assertTrue(e.getMessage().contains("environment: A must not contain a NUL"), e.getMessage());
    }

    @Test
    void theChecksComeBeforeAnythingStartsAndTheSameForAnUnprivilegedJvm() throws Exception {
        // start() plans first: the contradiction is thrown before any process, leaf or mount exists
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> b().hostname("box").share(Namespace.UTS).start());
        assertTrue(e.getMessage().contains("hostname(\"box\")"), e.getMessage());
        IllegalStateException u = assertThrows(
                IllegalStateException.class,
                () -> b().outputLimit(1).share(Namespace.PID).spec(USER));
        assertTrue(u.getMessage().contains("outputLimit"), u.getMessage());
        // a consistent builder plans
        b().hostname("box")
                .tmpfs("/scratch", 1 << 20)
                .memoryMax(1 << 30)
                .cgroupfs(true)
                .spec(ROOT);
    }
}
