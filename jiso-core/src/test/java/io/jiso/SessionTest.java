package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The main process leads a session of its own by default, so the sandbox has
 * no controlling terminal even when the JVM has one; newSession(false) keeps
 * the JVM's session. Read back from /proc/self/stat inside the sandbox.
 */
@KernelTest
class SessionTest {

    /** pid, process group and session of `cat /proc/self/stat` run as the sandbox's main process. */
    private static long[] ids(IsolatedProcessBuilder b) throws Exception {
        String stat = Run.of(b.command("cat", "/proc/self/stat")).ok().out();
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {
            Long.parseLong(stat.substring(0, stat.indexOf(' '))), Long.parseLong(f[2]), Long.parseLong(f[3])
        };
    }

    private static long jvmSession() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
    }

    @Test
    void theMainProcessLeadsASessionOfItsOwn() throws Exception {
        long[] withPidNs = ids(new IsolatedProcessBuilder("true"));
        assertEquals(2, withPidNs[0], "the main process under jiso-init");
        assertEquals(withPidNs[0], withPidNs[1], "process group leader");
        assertEquals(withPidNs[0], withPidNs[2], "session leader");
        long[] shared = ids(new IsolatedProcessBuilder("true").share(Namespace.PID));
        assertEquals(shared[0], shared[1]);
        assertEquals(shared[0], shared[2]);
        assertTrue(shared[2] != jvmSession(), "not the JVM's session " + jvmSession());
    }

    @Test
    void newSessionFalseKeepsTheJvmsSession() throws Exception {
        long[] shared =
                ids(new IsolatedProcessBuilder("true").share(Namespace.PID).newSession(false));
        assertEquals(jvmSession(), shared[2]);
        assertTrue(shared[0] != shared[2], "not a session leader");
        // In a pid namespace of its own the JVM's session leader is outside, so its id reads 0.
        long[] withPidNs = ids(new IsolatedProcessBuilder("true").newSession(false));
        assertEquals(0, withPidNs[2]);
    }

    @Test
    void onTheJvmsTerminalTheSandboxCannotOpenDevTtyUnlessItSharesTheSession() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script(1) to give a JVM a terminal");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // script(1) hands its command to sh -c: every word is quoted, since a checkout's path may hold a space
        String command = Stream.of(
                        java,
                        "-XX:-UsePerfData",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        TtyProbe.class.getName())
                .map(w -> "'" + w.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        Process jvm = new ProcessBuilder("/usr/bin/script", "-qec", command, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        String out = new String(jvm.getInputStream().readAllBytes()).replace("\r", "");
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, jvm.exitValue(), out);
        assertTrue(out.contains("newSession(true): /bin/sh: 1: cannot open /dev/tty: No such device or address"), out);
        assertTrue(out.contains("newSession(false): tty-opened"), out);
    }
}
