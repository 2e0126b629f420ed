package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.nativegen.Linux;
import io.jiso.user.Rootless;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The privilege drop that every isolated process gets by default, read back
 * from the kernel inside the sandbox, and real programs that must still work.
 */
@KernelTest
class SecurityDefaultsTest {

    private static Map<String, String> status(IsolatedProcessBuilder b) throws Exception {
        return Run.of(b.command("cat", "/proc/self/status"))
                .ok()
                .out()
                .lines()
                .map(l -> l.split(":\\s*", 2))
                .filter(kv -> kv.length == 2)
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1].trim()));
    }

    @Test
    void byDefaultNobodyWithoutCapabilitiesUnderSeccompAndNoNewPrivs() throws Exception {
        Map<String, String> s = status(new IsolatedProcessBuilder("true"));
        // Not root: the JVM's user is root of the sandbox's user namespace, the only id it may map.
        String id = Privileges.jvmIsRoot() ? "65534" : "0";
        assertEquals(String.join("\t", id, id, id, id), s.get("Uid"));
        assertEquals(String.join("\t", id, id, id, id), s.get("Gid"));
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertEquals("0000000000000000", s.get(set), set);
        }
        assertEquals("1", s.get("NoNewPrivs"));
        assertEquals("2", s.get("Seccomp"), "a filter is installed");
    }

    @Test
    void rootOfTheSandboxStillHasNoCapabilities() throws Exception {
        Map<String, String> s = status(new IsolatedProcessBuilder("true").runAsRoot());
        assertEquals("0\t0\t0\t0", s.get("Uid"));
        assertEquals("0000000000000000", s.get("CapEff"));
        Run r = Run.of(new IsolatedProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "chown 1:1 /tmp 2>/dev/null || echo chown-refused; mknod /tmp/null c 1 3 2>/dev/null || echo mknod-refused")
                .runAsRoot());
        assertEquals("chown-refused\nmknod-refused\n", r.out());
    }

    @Test
    void keptCapabilityWorks() throws Exception {
        Privileges.assumeTool("python3");
        String bind = """
                import socket
                s = socket.socket(); s.bind(("127.0.0.1", 80)); print("bound 80")
                """;
        Run without = Run.of(new IsolatedProcessBuilder("/usr/bin/python3", "-c", bind));
        assertTrue(without.err().contains("Permission denied"), without.err());
        Run with = Run.of(new IsolatedProcessBuilder("/usr/bin/python3", "-c", bind)
                        .keepCapabilities(Capability.CAP_NET_BIND_SERVICE))
                .ok();
        assertEquals("bound 80\n", with.out());
    }

    @Test
    void keepingACapabilityTheJvmLacksIsRefusedBeforeTheSpawn() throws Exception {
        Set<Capability> held = EnumSet.noneOf(Capability.class);
        long eff = Long.parseUnsignedLong(
                Files.readAllLines(Path.of("/proc/self/status")).stream()
                        .filter(l -> l.startsWith("CapEff:"))
                        .findFirst()
                        .orElseThrow()
                        .substring(7)
                        .trim(),
                16);
        Capability lacking = Arrays.stream(Capability.values())
                .filter(c -> (eff & (1L << c.value())) == 0)
                .findFirst()
                .orElse(null);
        assumeTrue(lacking != null, "this JVM holds every capability");
        // Sharing every namespace: in a user namespace of its own the child could keep it (see keptCapabilityWorks).
        FeatureUnavailableException e = assertThrows(
                FeatureUnavailableException.class,
                () -> new IsolatedProcessBuilder("true")
                        .share(Namespace.values())
                        .keepCapabilities(lacking)
                        .start());
        assertTrue(e.getMessage().contains(lacking.name()), e.getMessage());
    }

    @Test
    void withoutRootOrAUserNamespaceTheProgramStaysTheJvmsUserUnderTheFilter() throws Exception {
        Privileges.assumeNotRoot("the identity of a child that shares every namespace");
        long uid = Rootless.jvmUid();
        Map<String, String> s = status(new IsolatedProcessBuilder("true").share(Namespace.values()));
        assertEquals(String.join("\t", "" + uid, "" + uid, "" + uid, "" + uid), s.get("Uid"));
        assertEquals("0000000000000000", s.get("CapEff"));
        assertEquals("1", s.get("NoNewPrivs"));
        assertEquals("2", s.get("Seccomp"));
        FeatureUnavailableException other = assertThrows(
                FeatureUnavailableException.class,
                () -> new IsolatedProcessBuilder("true")
                        .share(Namespace.values())
                        .runAsRoot()
                        .start());
        assertTrue(
                other.getMessage().startsWith("run as uid 0, gid 0")
                        && other.getMessage().contains("only run as the JVM's own uid " + uid),
                other.getMessage());
        FeatureUnavailableException bounding = assertThrows(
                FeatureUnavailableException.class,
                () -> new IsolatedProcessBuilder("true")
                        .share(Namespace.values())
                        .noNewPrivileges(false)
                        .withoutSeccomp()
                        .start());
        assertTrue(bounding.getMessage().contains("CAP_SETPCAP"), bounding.getMessage());
    }

    @Test
    void defaultPolicyBlocksNamespacesMountsAndKeyrings() throws Exception {
        Privileges.assumeTool("python3");
        Run r = Run.of(new IsolatedProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "unshare -U true 2>/dev/null || echo unshare-refused;"
                                + " mount -t tmpfs x /tmp 2>/dev/null || echo mount-refused;"
                                + " python3 -c 'import ctypes,os; l=ctypes.CDLL(None,use_errno=True);"
                                + " r=l.syscall(" + Linux.__NR_keyctl + ",0,0,0,0,0);"
                                + " print(\"keyctl\", os.strerror(ctypes.get_errno()))'")
                .runAsRoot()
                .keepCapabilities(Capability.CAP_SYS_ADMIN));
        assertEquals(
                "unshare-refused\nmount-refused\nkeyctl Operation not permitted\n",
                r.out(),
                "even with CAP_SYS_ADMIN kept, the filter refuses");
    }

    @Test
    void realRuntimesWorkUnderTheDefaultPolicy() throws Exception {
        Privileges.assumeTool("python3");
        assertEquals(
                "1\n",
                Run.of(new IsolatedProcessBuilder("python3", "-c", "print(1)"))
                        .ok()
                        .out());
        assertEquals(
                "3\n", Run.sh("printf 'a\\nb\\nc\\n' | sort -r | wc -l").ok().out());
        Run gcc = Run.sh("cd /tmp && printf '#include <stdio.h>\\nint main(void){puts(\"hello\");return 0;}\\n' > h.c"
                        + " && gcc -o h h.c && ./h")
                .ok();
        assertEquals("hello\n", gcc.out());
        String java = System.getProperty("java.home") + "/bin/java";
        Run jv = Run.of(new IsolatedProcessBuilder(java, "-version")).ok();
        assertTrue(jv.err().contains("version"), jv.err());
    }

    @Test
    void judgeProgramsWorkUnderTheStrictPolicy() throws Exception {
        Privileges.assumeTool("python3");
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "python3", "-c", "import sys; print(sum(int(x) for x in sys.stdin.read().split()))")
                .seccomp(SeccompPolicy.strict())
                .start();
        p.getOutputStream().write("1 2 3 4\n".getBytes());
        p.getOutputStream().close();
        assertEquals("10\n", new String(p.getInputStream().readAllBytes()));
        assertEquals(0, p.waitFor());
        Run net = Run.of(new IsolatedProcessBuilder(
                                "python3",
                                "-c",
                                "import socket\ntry:\n socket.socket()\n print('socket')\nexcept OSError as e:\n print(e.strerror)")
                        .seccomp(SeccompPolicy.strict()))
                .ok();
        assertEquals("Operation not permitted\n", net.out(), "strict has no sockets");
    }

    @Test
    void landlockDeniesAMountedPath() throws Exception {
        Run r = Run.of(new IsolatedProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "cat /etc/hostname >/dev/null 2>&1 && echo etc-readable || echo etc-denied; ls /usr >/dev/null && echo usr-ok")
                .landlockExecutable("/usr", "/bin", "/lib", "/lib64")
                .landlockReadWrite("/dev/null", "/tmp"));
        assertEquals("etc-denied\nusr-ok\n", r.out(), r.err());
    }
}
