package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each test asserts an effect the seed chapter demonstrates, read from inside and outside the sandbox. */
@KernelTest
class NamespaceIsolationTest {

    @Test
    void hostnameIsTheSandboxsNotTheHosts() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        String inside = Run.of(new IsolatedProcessBuilder("hostname").hostname("tupperware"))
                .ok()
                .out()
                .strip();
        assertEquals("tupperware", inside);
        assertNotEquals(host, inside);
        assertEquals(
                host, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), "host hostname unchanged");
    }

    @Test
    void pidNamespaceShowsInitAndOnlyTheSandboxsProcesses() throws Exception {
        Run r = Run.sh(
                        "echo $$; ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '; echo; cat /proc/1/cmdline | tr '\\0' ' '")
                .ok();
        List<String> lines = r.out().lines().toList();
        assertEquals("2", lines.get(0), "the main process is pid 2, under init");
        Set<Integer> pids = Arrays.stream(lines.get(1).trim().split(" "))
                .map(Integer::parseInt)
                .collect(Collectors.toSet());
        assertTrue(pids.contains(1), "PID 1 exists: " + pids);
        assertTrue(pids.size() <= 6, "only the sandbox's few processes are visible: " + pids);
        assertTrue(lines.get(2).startsWith("jiso-init"), "PID 1 is jiso-init: " + lines.get(2));
    }

    @Test
    void onlyLoopbackExistsAndItIsUp() throws Exception {
        Privileges.assumeTool("python3");
        Run r = Run.of(new IsolatedProcessBuilder("/usr/bin/python3", "-c", """
                import socket
                print(sorted(name for _, name in socket.if_nameindex()))
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
                c = socket.create_connection(s.getsockname(), timeout=5)
                print("connected")
                """))
                .ok();
        assertEquals("['lo']\nconnected\n", r.out());
    }

    @Test
    void tmpIsPrivate() throws Exception {
        Path hostFile = Files.createTempFile(Path.of("/tmp"), "jiso-host-", ".txt");
        try {
            Run r = Run.sh("ls /tmp | wc -l; echo inside > /tmp/jiso-private-file; cat /tmp/jiso-private-file")
                    .ok();
            assertEquals("0\ninside\n", r.out(), "an empty private /tmp that the sandbox can write");
            assertFalse(Files.exists(Path.of("/tmp/jiso-private-file")), "the sandbox's /tmp file is not on the host");
        } finally {
            Files.delete(hostFile);
        }
    }

    @Test
    void hostFilesOutsideTheBindsAreInvisible() throws Exception {
        String cwd = Path.of("").toAbsolutePath().toString();
        Run r = Run.sh("test -e '" + cwd
                        + "' && echo visible || echo invisible; test -e /root && echo root || echo noroot")
                .ok();
        assertEquals("invisible\nnoroot\n", r.out());
    }

    @Test
    void usrIsReadOnly() throws Exception {
        Run r = Run.sh("touch /usr/jiso-test 2>&1; echo $?; touch /jiso-root-file 2>&1; echo $?");
        assertTrue(r.out().contains("Read-only file system"), r.out());
        assertFalse(Files.exists(Path.of("/usr/jiso-test")));
        assertEquals(
                List.of("1", "1"),
                r.out().lines().filter(l -> l.matches("\\d+")).toList());
    }

    @Test
    void timeNamespaceOffsetShowsInUptime() throws Exception {
        double hostUptime = uptime(Files.readString(Path.of("/proc/uptime")));
        Run r = Run.of(new IsolatedProcessBuilder("cat", "/proc/uptime")
                        .timeOffsets(Duration.ofDays(1), Duration.ofDays(1)))
                .ok();
        double inside = uptime(r.out());
        assertTrue(
                inside - hostUptime > 86_400 - 60 && inside - hostUptime < 86_400 + 60,
                "uptime inside " + inside + " is the host's " + hostUptime + " plus a day");
    }

    private static double uptime(String procUptime) {
        return Double.parseDouble(procUptime.split(" ")[0]);
    }

    @Test
    void cgroupNamespaceShowsRoot() throws Exception {
        Run r = Run.of(new IsolatedProcessBuilder("cat", "/proc/self/cgroup")).ok();
        assertFalse(r.out().isEmpty());
        r.out().lines().forEach(l -> assertTrue(l.endsWith(":/"), "every hierarchy shows / inside: " + l));
    }

    @Test
    void ipcObjectsCreatedInsideAreInvisibleOutside() throws Exception {
        Privileges.assumeTool("ipcmk");
        Run r = Run.sh("ipcmk -M 4096 >/dev/null && ipcs -m | grep -c '^0x'").ok();
        assertEquals("1", r.out().strip(), "the segment exists inside");
        String hostSegments = Files.readString(Path.of("/proc/sysvipc/shm"));
        assertFalse(
                hostSegments
                        .lines()
                        .skip(1)
                        .anyMatch(l -> l.trim().split("\\s+")[3].equals("4096") && l.contains(" 4096 ")),
                "no 4096-byte segment leaked to the host: " + hostSegments);
    }

    @Test
    void twoProcessesJoinedIntoOneNetworkSeeEachOther() throws Exception {
        Privileges.assumeTool("python3");
        Privileges.assumeRoot("without root each sandbox has a user namespace of its own, which owns its network");
        IsolatedProcess server = new IsolatedProcessBuilder("/usr/bin/python3", "-u", "-c", """
                import socket, sys
                s = socket.socket(); s.bind(("127.0.0.1", 8080)); s.listen()
                print("listening"); c, _ = s.accept(); c.sendall(b"hello from the server\\n")
                """).start();
        try {
            String first = new String(server.getInputStream().readNBytes(10));
            assertEquals("listening\n", first);
            Run client = Run.of(new IsolatedProcessBuilder("/usr/bin/python3", "-c", """
                    import socket
                    print(socket.create_connection(("127.0.0.1", 8080), timeout=5).recv(100).decode(), end="")
                    """).join(Namespace.NET, server))
                    .ok();
            assertEquals("hello from the server\n", client.out());
            Run stranger = Run.of(new IsolatedProcessBuilder("/usr/bin/python3", "-c", """
                    import socket
                    try:
                        socket.create_connection(("127.0.0.1", 8080), timeout=5); print("connected")
                    except OSError as e:
                        print("refused")
                    """));
            assertEquals("refused\n", stranger.out(), "a sandbox with its own network does not see the server");
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }
    }

    @Test
    void withoutRootJoiningAnotherSandboxIsRefusedWithTheReason() throws Exception {
        Privileges.assumeNotRoot("join(NET, ..) between sandboxes with user namespaces of their own");
        IsolatedProcess server = new IsolatedProcessBuilder("sleep", "60").start();
        try {
            FeatureUnavailableException e = assertThrows(
                    FeatureUnavailableException.class,
                    () -> new IsolatedProcessBuilder("true")
                            .join(Namespace.NET, server)
                            .start());
            assertTrue(
                    e.getMessage().startsWith("join the [NET] namespace of process " + server.pid())
                            && e.getMessage().contains("the JVM is not root")
                            && e.getMessage().contains("CAP_SYS_ADMIN"),
                    e.getMessage());
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void userNamespaceMapsRangesAsAsked() throws Exception {
        if (!Privileges.jvmIsRoot()) {
            FeatureUnavailableException e = assertThrows(
                    FeatureUnavailableException.class,
                    () -> new IsolatedProcessBuilder("true")
                            .userNamespace(
                                    List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 200000, 1000)))
                            .start());
            // without subordinate ranges for this user, ids beyond its own are refused before the spawn
            assertTrue(
                    e.getMessage().contains("neither the caller's own id")
                            && e.getMessage().contains("/etc/subuid"),
                    e.getMessage());
            return;
        }
        Run r = Run.of(new IsolatedProcessBuilder(
                                "/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g")
                        .userNamespace(
                                List.of(new IdMapping(0, 100000, 65536)),
                                List.of(new IdMapping(0, 200000, 1000), new IdMapping(1000, 300000, 10))))
                .ok();
        List<String> lines =
                r.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("0 100000 65536", "0 200000 1000", "1000 300000 10", "0", "0"), lines);
    }
}
