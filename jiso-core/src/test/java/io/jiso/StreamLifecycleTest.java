package io.jiso;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.spawn.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The standard streams have the life cycle of ProcessBuilder's: at exit what
 * is left of stdout and stderr moves to the heap and the pipes close, stdin
 * closes; the bare {@code start().waitFor()} leaks nothing.
 */
class StreamLifecycleTest {

    private static int openFds() {
        return new File("/proc/self/fd").list().length;
    }

    @Test
    void theBareIdiomKeepsTheFdCountFlat() throws Exception {
        for (int i = 0; i < 200; i++) { // the reaper, the pools, the templates: opened once
            new IsolatedProcessBuilder("/bin/true").start().waitFor();
        }
        assertTrue(Launcher.awaitHousekeeping(10_000));
        int before = openFds();
        for (int i = 0; i < 2000; i++) {
            assertEquals(0, new IsolatedProcessBuilder("/bin/true").start().waitFor());
        }
        assertTrue(Launcher.awaitHousekeeping(10_000));
        int after = openFds();
        // Bounded pools of ready cgroup leaves (a few fds each on a v1 host) may hold one leaf more or
        // less than before; three fds a run would be 6000.
        assertTrue(after <= before + 20, "fds before " + before + ", after 2000 runs " + after);
    }

    /**
     * 128, not 64: on a v1 or hybrid host jiso's own standing fds (ready cgroup leaves of about nine
     * fds each, pooled network namespaces, the reaper) are about 50, and a spawn needs some 20 more
     * for a moment; three leaked fds a run would end this loop near its 20th run.
     */
    @Test
    void aThousandRunsFitInALowFdLimit() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Only what the probe needs on its classpath: every jar of Maven's would hold an fd.
        List<String> classpath = new ArrayList<>();
        for (Class<?> c : List.of(IsolatedProcessBuilder.class, io.jiso.nativegen.Abi.class,
                org.slf4j.Logger.class, StreamLoopProbe.class)) {
            classpath.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        Process jvm = new ProcessBuilder("prlimit", "--nofile=128", java, "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED", "-cp", String.join(":", classpath),
                StreamLoopProbe.class.getName(), "1000").redirectErrorStream(true).start();
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, jvm.exitValue(), out);
        assertTrue(out.contains("ran 1000"), out);
    }

    @Test
    void outputWrittenBeforeExitIsReadableAfterWaitFor() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c",
                "head -c 40000 /dev/zero | tr '\\0' o; echo; echo on stderr >&2").start();
        assertEquals(0, p.waitFor());
        assertTrue(Launcher.awaitHousekeeping(10_000));
        int fds = openFds();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(40001, out.length);
        assertEquals("on stderr\n", new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(-1, p.getInputStream().read(), "EOF stays EOF");
        assertEquals(fds, openFds(), "the pipes were closed at exit: reading the kept bytes opens nothing");
    }

    @Test
    void moreThanAPipeFullWithASlowReaderLosesNothing() throws Exception {
        // 200000 bytes, several pipes full: the program blocks until the reader catches up, then exits
        // with the last bytes still in the pipe.
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c",
                "i=0; while [ $i -lt 2000 ]; do printf '%099d\\n' $i; i=$((i+1)); done").start();
        InputStream in = p.getInputStream();
        byte[] first = in.readNBytes(1000);
        Thread.sleep(300); // slow: the program is blocked on a full pipe meanwhile
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(first);
        byte[] chunk = new byte[4096];
        int n;
        while ((n = in.read(chunk)) > 0) {
            all.write(chunk, 0, n);
            if (all.size() % 40960 < 4096) {
                Thread.sleep(20);
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            expected.append(String.format("%099d\n", i));
        }
        assertEquals(expected.toString(), all.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aReaderBlockedInReadAtExitGetsEverything() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "read x; echo got $x; echo more").start();
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200); // the reader is inside read(2) now
        p.getOutputStream().write("it\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        assertEquals(0, p.waitFor());
        assertEquals("got it\nmore\n", reader.get(30, TimeUnit.SECONDS));
    }

    @Test
    void descendantsHoldingThePipeDoNotBlockTheExit() throws Exception {
        // No pid namespace and no cgroup: the background sleep outlives the main process and keeps
        // stdout's write end open, so the pipe never reaches EOF by itself.
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "sleep 1003.5 & echo main done")
                .share(Namespace.PID).withoutCgroup().start();
        try {
            assertEquals(0, p.waitFor());
            assertTrue(Launcher.awaitHousekeeping(10_000), "the exit did not wait for the pipe");
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals("main done\n", new String(read.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    "what the main process wrote, then EOF although a descendant holds the pipe");
        } finally {
            new ProcessBuilder("pkill", "-KILL", "-f", "^sleep 1003.5$").start().waitFor();
        }
    }

    @Test
    void stdinIsClosedAtExitLikeProcessBuilders() throws Exception {
        // A descendant keeps stdin's read end open: only the close at exit makes the write fail.
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "exec 3<&0; sleep 1004.5 <&3 3<&- & echo started")
                .share(Namespace.PID).withoutCgroup().start();
        try {
            assertEquals(0, p.waitFor());
            stdinRefusesWrites(p.getOutputStream());
        } finally {
            new ProcessBuilder("pkill", "-KILL", "-f", "^sleep 1004.5$").start().waitFor();
        }
        IsolatedProcess plain = new IsolatedProcessBuilder("/bin/true").start();
        assertEquals(0, plain.waitFor());
        stdinRefusesWrites(plain.getOutputStream());
        Process jdk = new ProcessBuilder("/bin/true").start();
        jdk.waitFor();
        Thread.sleep(100); // the JDK closes stdin on its reaper thread, after waitFor() returns
        assertThrows(IOException.class, () -> jdk.getOutputStream().write(new byte[16384]));
    }

    private static void stdinRefusesWrites(OutputStream stdin) {
        // As with ProcessBuilder (whose stdin becomes a closed stream at exit): IOException, once the
        // bytes go past the stream's buffer.
        assertThrows(IOException.class, () -> stdin.write(new byte[16384]));
        assertThrows(IOException.class, () -> {
            stdin.write(1);
            stdin.flush();
        });
    }

    @Test
    void closeDropsTheKeptBytes() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/echo", "kept").start();
        assertEquals(0, p.waitFor());
        p.getInputStream().close();
        assertThrows(IOException.class, () -> p.getInputStream().read(new byte[8]),
                "a closed stream, as ProcessBuilder's: Stream closed");
    }
}
