package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** etc(Etc.MINIMAL): an /etc with no file of the host's, in which the usual tools still run. */
@KernelTest
class MinimalEtcTest {
    private static final String DEBIAN_JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

    private static IsolatedProcessBuilder sh(String script) {
        return new IsolatedProcessBuilder("/bin/sh", "-c", script).etc(Etc.MINIMAL);
    }

    @Test
    void holdsOnlyWhatJisoWrote() throws Exception {
        Run r = Run.of(sh("ls /etc; cat /etc/passwd; for f in hostname machine-id shadow resolv.conf; do"
                        + " test -e /etc/$f && echo has-$f; done; id"))
                .ok();
        System.out.println("[minimal etc]\n" + r.out());
        assertTrue(r.out().startsWith("alternatives\n") || r.out().startsWith("group\n"), r.out());
        assertTrue(r.out().contains("group\nhosts\n") && r.out().contains("nsswitch.conf\npasswd\n"), r.out());
        assertTrue(r.out().contains("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:"), r.out());
        assertTrue(!r.out().contains("has-"), "no host identity file: " + r.out());
        // nobody when a root JVM made the sandbox; root of its own user namespace otherwise
        assertTrue(
                r.out()
                        .contains(
                                Privileges.jvmIsRoot()
                                        ? "uid=65534(nobody) gid=65534(nogroup)"
                                        : "uid=0(root) gid=0(root)"),
                r.out());
        String hostPasswd = Files.readString(Path.of("/etc/passwd"));
        assertTrue(
                !r.out().contains(hostPasswd.lines().skip(2).findFirst().orElse("no such line")),
                "no line of the host's passwd past root's");
    }

    @Test
    void etcIsReadOnlyAndTheDefaultIsTheHosts() throws Exception {
        Run r = Run.of(sh("echo x >> /etc/passwd 2>/dev/null || echo read-only").runAsRoot())
                .ok();
        assertEquals("read-only\n", r.out());
        String host = Files.readString(Path.of("/etc/passwd"));
        assertEquals(
                host,
                Run.of(new IsolatedProcessBuilder("/bin/cat", "/etc/passwd"))
                        .ok()
                        .out());
    }

    @Test
    void pythonShAndGccRun() throws Exception {
        assertEquals(
                "root nobody\n",
                Run.of(sh("/usr/bin/python3 -c 'import pwd; print(pwd.getpwuid(0).pw_name,"
                                + " pwd.getpwuid(65534).pw_name)'"))
                        .ok()
                        .out());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "no gcc on this host");
        Run r = Run.of(sh("cd /tmp && printf '#include <stdio.h>\\nint main(void){puts(\"hello\");return 0;}\\n'"
                + " > h.c && gcc h.c -o h && ./h"));
        assertEquals("hello\n", r.ok().out(), r.err());
    }

    @Test
    void theJdksRun() throws Exception {
        String temurin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Run r = Run.of(new IsolatedProcessBuilder(temurin, "-version").etc(Etc.MINIMAL))
                .ok();
        assertTrue(r.err().contains("version \"" + Runtime.version().feature()), r.err());
        assumeTrue(Files.isExecutable(Path.of(DEBIAN_JDK17)), "no Debian JDK 17 on this host");
        Run debian = Run.of(new IsolatedProcessBuilder(DEBIAN_JDK17, "-version").etc(Etc.MINIMAL))
                .ok();
        assertTrue(debian.err().contains("version \"17"), debian.err());
    }

    @Test
    void theSameFromTheHostsNamespace() throws Exception {
        Privileges.assumeRoot("an unprivileged JVM always builds from the host's namespace");
        String script = "ls -l /etc | cut -c1-10; cat /etc/passwd /etc/group /etc/hosts";
        String copied = Run.of(sh(script)).ok().out();
        try (JisoRuntime noTemplates =
                JisoRuntime.builder().rootTemplates(false).build()) {
            assertEquals(
                    copied,
                    Run.of(new IsolatedProcessBuilder(noTemplates, "/bin/sh", "-c", script).etc(Etc.MINIMAL))
                            .ok()
                            .out());
        }
    }

    @Test
    void needsAFreshRoot() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new IsolatedProcessBuilder("true")
                        .etc(Etc.MINIMAL)
                        .hostRoot()
                        .start());
        assertTrue(e.getMessage().contains("etc(MINIMAL) needs a fresh root"), e.getMessage());
    }
}
