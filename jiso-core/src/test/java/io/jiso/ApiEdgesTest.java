package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.landlock.LandlockSupport;
import io.jiso.spawn.Launcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Choices that contradict each other are refused, never silently dropped; handles are the user's program. */
@KernelTest
class ApiEdgesTest {

    private static void refused(Executable start, String... mentions) {
        IllegalStateException e = assertThrows(IllegalStateException.class, start);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "\"" + e.getMessage() + "\" names " + m);
        }
    }

    @Test
    void aHostnameNeedsANewUtsNamespace() throws Exception {
        refused(
                () -> new IsolatedProcessBuilder("/bin/true")
                        .hostname("box")
                        .share(Namespace.UTS)
                        .start(),
                "hostname(\"box\")",
                "share(UTS)");
        IsolatedProcess other = new IsolatedProcessBuilder("sleep", "30").start();
        try {
            refused(
                    () -> new IsolatedProcessBuilder("/bin/true")
                            .hostname("box")
                            .join(Namespace.UTS, other)
                            .start(),
                    "hostname(\"box\")",
                    "join(UTS");
        } finally {
            other.destroyForcibly().waitFor();
        }
        // Sharing UTS without asking for a hostname stays fine.
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        assertEquals(
                host + "\n",
                Run.of(new IsolatedProcessBuilder("hostname").share(Namespace.UTS))
                        .ok()
                        .out());
    }

    @Test
    void tmpSizeNeedsANewMountNamespace() {
        refused(
                () -> new IsolatedProcessBuilder("/bin/true")
                        .tmpSize(1 << 20)
                        .share(Namespace.MOUNT)
                        .start(),
                "tmpSize(1048576)",
                "share(MOUNT)");
    }

    @Test
    void allowDeviceNeedsACgroupLeaf() {
        refused(
                () -> new IsolatedProcessBuilder("/bin/true")
                        .allowDevice(DeviceRule.parse("c 10:200 rw"))
                        .withoutCgroup()
                        .start(),
                "allowDevice(..)",
                "withoutCgroup()");
    }

    @Test
    void longMaxValueIsNotALimitAndUnlimitedIsExplicit() throws Exception {
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("/bin/true");
        for (Executable set : List.<Executable>of(
                () -> b.memoryMax(Long.MAX_VALUE),
                () -> b.memoryHigh(Long.MAX_VALUE),
                () -> b.swapMax(Long.MAX_VALUE),
                () -> b.pidsMax(Long.MAX_VALUE),
                () -> b.tmpSize(Long.MAX_VALUE),
                () -> b.tmpfs("/scratch", Long.MAX_VALUE))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, set);
            assertTrue(e.getMessage().contains("Long.MAX_VALUE is not a limit"), e.getMessage());
        }
        // UNLIMITED is no limit at all: nothing for a cgroup leaf to hold, so withoutCgroup() agrees with it.
        assertEquals(
                0,
                new IsolatedProcessBuilder("/bin/true")
                        .memoryMax(1 << 30)
                        .memoryMax(IsolatedProcessBuilder.UNLIMITED)
                        .pidsMax(IsolatedProcessBuilder.UNLIMITED)
                        .withoutCgroup()
                        .start()
                        .waitFor());
        refused(
                () -> new IsolatedProcessBuilder("/bin/true")
                        .memoryMax(1 << 30)
                        .withoutCgroup()
                        .start(),
                "withoutCgroup()");
    }

    @Test
    void userNotificationIsNotOffered() {
        assertTrue(
                Arrays.stream(SeccompPolicy.Action.class.getMethods())
                        .noneMatch(m -> m.getName().equals("userNotification")),
                "no action that only fails with ENOSYS");
        assertTrue(Arrays.stream(SeccompPolicy.Kind.values())
                .noneMatch(k -> k.name().contains("NOTIF")));
    }

    @Test
    void landlockWorksWithTheHostsRoot() throws Exception {
        assumeTrue(LandlockSupport.abiVersion() > 0, "this kernel has no Landlock");
        // Not a contradiction: Landlock restricts the host's tree as it does a fresh root.
        Run r = Run.of(new IsolatedProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "cat /etc/hostname >/dev/null && echo etc;" + " ls /root 2>/dev/null || echo no-root")
                .hostRoot()
                .runAsRoot()
                .landlockExecutable("/usr", "/bin", "/lib", "/lib64")
                .landlockReadOnly("/etc")
                .landlockReadWrite("/dev"));
        assertEquals("etc\nno-root\n", r.out(), r.err());
    }

    @Test
    void theHandleIsTheUsersProgramWhileItRuns() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "sleep 1005.5 & echo ready; wait").start();
        try {
            assertEquals("ready\n", new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8));
            ProcessApiTest.awaitProcesses("1005.5", 1);
            ProcessHandle h = p.toHandle();
            assertNotEquals(p.pid(), h.pid(), "under jiso-init the program is init's child");
            assertEquals(
                    "/bin/sh\0-c\0sleep 1005.5 & echo ready; wait\0",
                    Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")),
                    "the host's view of that pid");
            assertTrue(h.isAlive());
            assertEquals(
                    List.of("-c", "sleep 1005.5 & echo ready; wait"),
                    List.of(p.info().arguments().orElseThrow()));
            assertTrue(
                    p.info().command().orElseThrow().matches(".*/(da|ba)?sh"),
                    p.info().toString());
            List<ProcessHandle> children = p.children().toList();
            assertEquals(1, children.size(), children.toString());
            assertEquals(
                    "sleep\0" + "1005.5\0",
                    Files.readString(Path.of("/proc/" + children.get(0).pid() + "/cmdline")));
            assertEquals(1, p.descendants().count());
        } finally {
            p.destroyForcibly().waitFor();
        }
        ProcessHandle after = p.toHandle();
        assertFalse(after.isAlive());
        assertEquals(0, p.children().count());
        assertEquals(0, p.descendants().count());
        assertEquals("/bin/sh", p.info().command().orElseThrow(), "the user's command, not jiso-init (deleted)");
        assertTrue(after.onExit().isDone());
    }

    @Test
    void afterAnExitNeverSeenRunningTheHandleIsNotAliveAndTellsTheCommand() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/echo", "hi").start();
        assertEquals(0, p.waitFor());
        assertTrue(Launcher.awaitHousekeeping(10_000));
        ProcessHandle h = p.toHandle(); // as ProcessBuilder's: no exception after exit
        assertFalse(h.isAlive());
        assertEquals("/bin/echo hi", p.info().commandLine().orElseThrow());
        assertEquals(0, p.children().count());
        Process jdk = new ProcessBuilder("/bin/true").start();
        jdk.waitFor(10, TimeUnit.SECONDS);
        assertFalse(jdk.toHandle().isAlive(), "the JDK's behaviour this matches");
    }

    @Test
    void withoutAPidNamespaceTheHandleIsThePid() throws Exception {
        IsolatedProcess p =
                new IsolatedProcessBuilder("sleep", "30").share(Namespace.PID).start();
        try {
            assertEquals(p.pid(), p.toHandle().pid());
            Path cmdline = Path.of("/proc/" + p.toHandle().pid() + "/cmdline");
            for (int i = 0; i < 500 && Files.readString(cmdline).isEmpty(); i++) {
                Thread.sleep(10); // execve may still be setting up the arguments when start() returns
            }
            assertEquals("sleep\0" + "30\0", Files.readString(cmdline));
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertFalse(p.toHandle().isAlive());
    }
}
