package io.jiso.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.nativegen.Linux;
import io.jiso.spawn.PlanHarness;
import io.jiso.spawn.PlanHarness.Ran;
import io.jiso.user.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privilege drop in real children (through the native stage, see
 * PlanHarness): what /proc/self/status says afterwards, and what each
 * dropped capability guards failing for real.
 */
@KernelTest
class PrivilegeKernelTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path dir;

    static Map<String, String> status(Ran ran) {
        assertEquals(0, ran.exit(), ran.output());
        Map<String, String> fields = new HashMap<>();
        for (String line : ran.output().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(
                        line.substring(0, colon),
                        line.substring(colon + 1).strip().replaceAll("\\s+", " "));
            }
        }
        return fields;
    }

    static Ran as(PrivilegeSpec spec, String... command) throws Exception {
        return PlanHarness.run(steps -> CapabilitySteps.dropPrivileges(steps, spec, true), command);
    }

    @Test
    void unprivilegedHasNothing() throws Exception {
        Privileges.assumeRoot("becomes uid 65534, which only root can (a user namespace maps only the JVM's own uid)");
        Map<String, String> s = status(as(PrivilegeSpec.unprivileged(), "/bin/cat", "/proc/self/status"));
        assertEquals("65534 65534 65534 65534", s.get("Uid"));
        assertEquals("65534 65534 65534 65534", s.get("Gid"));
        assertEquals("", s.get("Groups"));
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertEquals("0000000000000000", s.get(set), set);
        }
        assertEquals("1", s.get("NoNewPrivs"));
    }

    @Test
    void rootWithoutCapabilitiesIsPowerless() throws Exception {
        Privileges.assumeRoot("stays uid 0 of the host and sets supplementary groups 0 and 4 (CAP_SETGID)");
        PrivilegeSpec root = PrivilegeSpec.root().withIdentity(0, 0, List.of(0L, 4L));
        Map<String, String> s = status(as(root, "/bin/cat", "/proc/self/status"));
        assertEquals("0 0 0 0", s.get("Uid"));
        assertEquals("0 4", s.get("Groups"));
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertEquals("0000000000000000", s.get(set), set);
        }
        // securebits locked: NOROOT and the locks, as capsh reads them
        if (Files.isExecutable(Path.of("/usr/sbin/capsh"))) {
            Ran capsh = as(root, "/usr/sbin/capsh", "--print");
            assertTrue(capsh.output().contains("secure-noroot: yes (locked)"), capsh.output());
            assertTrue(capsh.output().contains("secure-no-suid-fixup: no (locked)"), capsh.output());
            assertTrue(capsh.output().contains("secure-no-ambient-raise: yes (locked)"), capsh.output());
        }
        // What the capabilities guard: chown (CAP_CHOWN), mount (CAP_SYS_ADMIN), mknod (CAP_MKNOD),
        // a raw socket (CAP_NET_RAW), port 80 (CAP_NET_BIND_SERVICE), reading a 0000 file (CAP_DAC_OVERRIDE).
        Path file = Files.writeString(dir.resolve("owned"), "x");
        Path secret = Files.writeString(dir.resolve("secret"), "x");
        Files.setPosixFilePermissions(secret, Set.of());
        Files.createDirectories(dir.resolve("mnt"));
        assertNotEquals(0, as(root, "/bin/chown", "1:1", file.toString()).exit());
        assertNotEquals(
                0,
                as(root, "/bin/mount", "-t", "tmpfs", "none", dir.resolve("mnt").toString())
                        .exit());
        assertNotEquals(
                0,
                as(root, "/bin/mknod", dir.resolve("null").toString(), "c", "1", "3")
                        .exit());
        assertNotEquals(0, as(root, "/bin/cat", secret.toString()).exit());
        assumeTrue(Files.isExecutable(Path.of(PYTHON)));
        String tries = """
                import socket
                for name, make in [('raw', lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)),
                                   ('bind80', lambda: socket.socket().bind(('0.0.0.0', 80)))]:
                    try:
                        make(); print(name, 'ok')
                    except OSError as e:
                        print(name, e.errno)
                """;
        // In a network namespace of its own, so that port 80 is free whatever the host runs.
        Ran ran = PlanHarness.run(
                Linux.CLONE_NEWNET,
                null,
                null,
                steps -> CapabilitySteps.dropPrivileges(steps, root, true),
                List.of(PYTHON, "-c", tries));
        assertTrue(ran.output().contains("raw " + Linux.EPERM), ran.output());
        assertTrue(ran.output().contains("bind80 " + Linux.EACCES), ran.output());
    }

    @Test
    void keptCapabilitySurvivesExecveForNobody() throws Exception {
        Privileges.assumeRoot("gives uid 65534 a capability of the host's user namespace");
        PrivilegeSpec spec = PrivilegeSpec.unprivileged().keeping(Set.of(KernelCapability.CAP_NET_BIND_SERVICE));
        String bit = String.format("%016x", 1L << KernelCapability.CAP_NET_BIND_SERVICE.value());
        Map<String, String> s = status(as(spec, "/bin/cat", "/proc/self/status"));
        assertEquals("65534 65534 65534 65534", s.get("Uid"));
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertEquals(bit, s.get(set), set);
        }
        assumeTrue(Files.isExecutable(Path.of(PYTHON)));
        Ran ran = PlanHarness.run(
                Linux.CLONE_NEWNET,
                null,
                null,
                steps -> CapabilitySteps.dropPrivileges(steps, spec, true),
                List.of(PYTHON, "-c", "import socket; socket.socket().bind(('0.0.0.0', 80)); print('bound')"));
        assertEquals("bound\n", ran.output());
    }

    @Test
    void insideAUserNamespace() throws Exception {
        Privileges.assumeRoot("maps 65536 uids from 100000 (newuidmap is not used; without root only the JVM's own)");
        // The way rootless sandboxes run: root of a new user namespace, mapped to unprivileged host ids.
        String map = "0 100000 65536\n";
        Ran ran = PlanHarness.run(
                Linux.CLONE_NEWUSER,
                map,
                map,
                steps -> CapabilitySteps.dropPrivileges(
                        steps, PrivilegeSpec.unprivileged().withIdentity(1000, 1000, List.of(1000L, 27L)), true),
                List.of("/bin/cat", "/proc/self/status"));
        Map<String, String> s = status(ran);
        assertEquals("1000 1000 1000 1000", s.get("Uid"));
        assertEquals("27 1000", s.get("Groups")); // the kernel sorts them
        assertEquals("0000000000000000", s.get("CapEff"));
        assertEquals("0000000000000000", s.get("CapBnd"));
        assertEquals("1", s.get("NoNewPrivs"));
    }

    @Test
    void anUnmappedUidIsAClearFailure() {
        // One id, the JVM's own, as 0: the map any JVM may write. 65534 is not in it.
        String uidMap = "0 " + Rootless.jvmUid() + " 1\n";
        String gidMap = "0 " + Rootless.jvmGid() + " 1\n";
        var e = assertThrows(
                IOException.class,
                () -> PlanHarness.run(
                        Linux.CLONE_NEWUSER,
                        uidMap,
                        gidMap,
                        steps -> CapabilitySteps.dropPrivileges(
                                steps, PrivilegeSpec.unprivileged(), Privileges.jvmIsRoot()),
                        List.of("/bin/true")));
        assertEquals("set gid to 65534: EINVAL", e.getMessage());
    }
}
