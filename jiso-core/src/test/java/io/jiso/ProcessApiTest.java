package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.spawn.Launcher;
import io.jiso.user.Rootless;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IsolatedProcess behaves like the Process that ProcessBuilder returns. */
@KernelTest
class ProcessApiTest {

    @Test
    void stdinFlowsToStdout() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("cat").start();
        p.getOutputStream().write("through the sandbox\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertEquals("through the sandbox\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, p.waitFor());
        assertFalse(p.isAlive());
        assertTrue(p.onExit().isDone());
    }

    @Test
    void exitCodesAndSignalsAreReportedLikeProcessBuilder() throws Exception {
        assertEquals(42, Run.sh("exit 42").exit());
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "kill -KILL $$").start();
        assertEquals(137, p.waitFor(), "128 + SIGKILL, as ProcessBuilder reports it");
        assertEquals(9, p.terminationSignal().orElseThrow());
    }

    @Test
    void exitValueBeforeExitThrowsAndWaitForTimesOut() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("sleep", "30").start();
        try {
            assertThrows(IllegalThreadStateException.class, p::exitValue);
            assertFalse(p.waitFor(100, TimeUnit.MILLISECONDS));
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theExitIsReportedFromInitsReportAndInitIsReapedAfterwards() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "exit 3").start();
        Path init = Path.of("/proc/" + p.pid());
        assertEquals(3, p.waitFor(), "the main process's status, as jiso-init reported it");
        assertTrue(Launcher.awaitHousekeeping(10_000));
        assertFalse(Files.exists(init), "PID 1 reaped after the report, not left a zombie");
    }

    @Test
    void killingInitItselfReportsItsOwnDeath() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("sleep", "30").start();
        p.destroyForcibly(); // SIGKILL to PID 1: no report on the status pipe
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
        assertEquals(9, p.terminationSignal().orElseThrow());
    }

    @Test
    void destroyDeliversSigtermToTheMainProcessThroughInit() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh", "-c", "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done")
                .start();
        assertEquals("ready\n", new String(p.getInputStream().readNBytes(6)));
        p.destroy();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(7, p.exitValue());
        assertEquals("got TERM\n", new String(p.getInputStream().readAllBytes()));
    }

    @Test
    void destroyForciblyEndsEveryProcessOfTheSandbox() throws Exception {
        IsolatedProcess p =
                new IsolatedProcessBuilder("/bin/sh", "-c", "sleep 1001.25 & sleep 1001.25 & echo ready; wait").start();
        assertEquals("ready\n", new String(p.getInputStream().readNBytes(6)));
        awaitProcesses("1001.25", 2);
        p.destroyForcibly();
        p.waitFor();
        assertEquals(0, hostProcessesWithArgument("1001.25"), "no process of the sandbox lingers");
    }

    @Test
    void whenTheMainProcessExitsNothingOfItLingers() throws Exception {
        Run r = Run.sh("sleep 1002.5 & echo started");
        assertEquals("started\n", r.out());
        assertEquals(0, hostProcessesWithArgument("1002.5"), "the daemonized child died with its sandbox");
    }

    @Test
    void pid1ReapsOrphanedZombies() throws Exception {
        // The grandchild is orphaned to PID 1 and exits; a PID 1 that did not reap would leave a zombie.
        // Wait until it no longer runs (reaped, or a zombie), so the count cannot pass before it exits.
        Run r = Run.sh(
                        "sh -c 'sleep 0.1 &'; i=0; while ps -eo stat=,args= | grep -qE '^[^Z][^ ]* +sleep 0[.]1$'"
                                + " && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; sleep 0.2; ps -eo stat= | grep -c Z || true")
                .ok();
        assertEquals("0", r.out().strip());
    }

    @Test
    void redirectsToFilesAndMergedStreams(@TempDir Path dir) throws Exception {
        File in = dir.resolve("in.txt").toFile();
        File out = dir.resolve("out.txt").toFile();
        Files.writeString(in.toPath(), "from a file\n");
        Files.writeString(out.toPath(), "first line\n");
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "cat; echo to stderr >&2")
                .redirectInput(in)
                .redirectOutput(Redirect.appendTo(out))
                .redirectErrorStream(true)
                .start();
        assertEquals(0, p.waitFor());
        assertEquals("first line\nfrom a file\nto stderr\n", Files.readString(out.toPath()));
        assertEquals(-1, p.getInputStream().read(), "a redirected stream reads as empty, as with ProcessBuilder");

        Run discard = Run.of(new IsolatedProcessBuilder("/bin/sh", "-c", "echo gone; echo kept >&2")
                .redirectOutput(Redirect.DISCARD));
        assertEquals("", discard.out());
        assertEquals("kept\n", discard.err());
    }

    @Test
    void environmentAndDirectoryApplyInsideTheSandbox() throws Exception {
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("/bin/sh", "-c", "echo $GREETING; pwd; env | wc -l")
                .directory(new File("/usr/lib"));
        b.environment().put("GREETING", "hello");
        assertEquals("hello\n/usr/lib\n4\n", Run.of(b).ok().out(), "PATH, HOME, GREETING and sh's PWD only");
    }

    @Test
    void bindsAndTmpfsMountsAreUsable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("input.txt"), "host data\n");
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Run r = Run.of(new IsolatedProcessBuilder(
                                "/bin/sh",
                                "-c",
                                "cat /data/input.txt; echo written > /out/result; touch /data/x 2>/dev/null || echo ro;"
                                        + " echo s > /scratch/f && cat /scratch/f")
                        .bindReadOnly(dir, "/data")
                        .bind(outDir, "/out")
                        .tmpfs("/scratch", 1 << 20)
                        .runAsRoot())
                .ok(); // the host's out directory belongs to root
        assertEquals("host data\nro\ns\n", r.out());
        // A directory the program's user does not own: as root the program is nobody and the JVM's out is
        // root's; otherwise the program is the JVM's own user (root of its user namespace), so one of root's.
        Path foreign = Privileges.jvmIsRoot() ? outDir : Path.of("/etc");
        Run nobody = Run.of(new IsolatedProcessBuilder(
                                "/bin/sh",
                                "-c",
                                "echo s > /scratch/f && cat /scratch/f;"
                                        + " echo x > /out/denied 2>/dev/null || echo denied")
                        .bind(foreign, "/out")
                        .tmpfs("/scratch", 1 << 20))
                .ok();
        assertEquals("s\ndenied\n", nobody.out(), "a tmpfs is the program's own; a root-owned bind is not");
        assertEquals("written\n", Files.readString(outDir.resolve("result")));
    }

    @Test
    void hostRootKeepsTheHostsFiles() throws Exception {
        // A host directory outside /tmp, which hostRoot() keeps private: the checkout may lie in /tmp, the JDK hardly
        Optional<String> outsideTmp = Stream.of(Path.of("").toAbsolutePath(), Path.of(System.getProperty("java.home")))
                .map(Path::toString)
                .filter(d -> !d.equals("/tmp") && !d.startsWith("/tmp/"))
                .findFirst();
        Assumptions.assumeTrue(
                outsideTmp.isPresent(),
                "needs a host directory outside /tmp: the working directory and the JDK both lie under /tmp");
        String seen = outsideTmp.get();
        Run r = Run.of(new IsolatedProcessBuilder("/bin/sh", "-c", "test -d \"$0\" && echo seen; ls /tmp | wc -l", seen)
                        .hostRoot())
                .ok();
        assertEquals("seen\n0\n", r.out(), "host files visible, /tmp still private");
    }

    @Test
    void sharingEveryNamespaceRunsLikeAPlainChild() throws Exception {
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        Run r = Run.of(new IsolatedProcessBuilder("/bin/sh", "-c", "hostname; id -u").share(Namespace.values()))
                .ok();
        // Without a user namespace of its own, a JVM that is not root cannot make its child anyone else.
        long uid = Privileges.jvmIsRoot() ? 65534 : Rootless.jvmUid();
        assertEquals(host + "\n" + uid + "\n", r.out());
    }

    /** Waits (up to 5 minutes: CI machines and the emulated guest are slow) until count processes run "sleep arg". */
    static void awaitProcesses(String sleepArgument, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (hostProcessesWithArgument(sleepArgument) != count) {
            assertTrue(System.nanoTime() < deadline, count + " processes running sleep " + sleepArgument);
            Thread.sleep(20);
        }
    }

    /** Processes on the host running exactly "sleep arg". */
    static long hostProcessesWithArgument(String arg) throws Exception {
        long n = 0;
        for (File f : new File("/proc").listFiles((d, name) -> name.matches("\\d+"))) {
            try {
                if (Files.readString(f.toPath().resolve("cmdline")).equals("sleep\0" + arg + "\0")) {
                    n++;
                }
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        return n;
    }
}
