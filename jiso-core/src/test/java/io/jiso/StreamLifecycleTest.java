package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Abi;
import io.jiso.spawn.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * The standard streams have the life cycle of ProcessBuilder's: at exit what
 * is left of stdout and stderr moves to the heap and the pipes close, stdin
 * closes; the bare {@code start().waitFor()} leaks nothing.
 */
@KernelTest
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
     * The bare idiom in a JVM whose fd limit is 64 (soft and hard, as {@code ulimit -n 64} sets
     * them): jiso's own fds (cgroup leaves and network namespaces made ahead, exits awaiting their
     * cleanup) shrink to a share of that limit. The probe's classes come from directories, as
     * Maven has them: each class it loads late takes an fd of its own.
     */
    @Test
    void aThousandRunsFitInAnFdLimitOf64() throws Exception {
        String out = probeAt64(classpath(), "1000");
        assertTrue(out.contains("ran 1000"), out);
    }

    /** As above, from a jar, as users run it: one fd for the jar, none per class. */
    @Test
    void aThousandRunsFitInAnFdLimitOf64FromAJar(@TempDir Path dir) throws Exception {
        List<String> dirs = classpath();
        Path jar = dir.resolve("jiso-and-probe.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String d : dirs.subList(0, dirs.size() - 1)) { // the last one is slf4j's jar
                addTree(out, Path.of(d));
            }
        }
        String out = probeAt64(List.of(jar.toString(), dirs.getLast()), "1000");
        assertTrue(out.contains("ran 1000"), out);
    }

    /**
     * A program that holds every fd but 20 (a bare spawn with a cgroup leaf made on demand needs
     * about 20 for a moment on a hybrid host): jiso closes what it made ahead of need when a spawn
     * meets EMFILE, and makes none for a while, so the spawns fit in what is left. Were the
     * pools kept, the leaf made ahead to replace the one taken would take 8 of those 20.
     */
    @Test
    void aProgramNearItsFdLimitStillSpawns() throws Exception {
        String out = probeAt64(classpath(), "200", "20");
        assertTrue(out.contains("ran 200"), out);
    }

    /** jiso's classes directories (or jars), the probe's, then slf4j's jar: only what it needs, every jar holds an fd. */
    private static List<String> classpath() throws Exception {
        List<String> classpath = new ArrayList<>();
        for (Class<?> c : List.of(IsolatedProcessBuilder.class, Abi.class, StreamLoopProbe.class, Logger.class)) {
            classpath.add(Path.of(c.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
        }
        return classpath;
    }

    /** Adds a classes directory, or a jar's entries (the module's packaged jar, in verify), as plain classes. */
    private static void addTree(JarOutputStream jar, Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(root))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    if (!e.isDirectory()
                            && !e.getName().equals("META-INF/MANIFEST.MF")
                            && !e.getName().endsWith("module-info.class")) {
                        jar.putNextEntry(new JarEntry(e.getName()));
                        in.transferTo(jar);
                        jar.closeEntry();
                    }
                }
            }
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(f).toString();
                if (name.equals("META-INF/MANIFEST.MF")
                        || name.equals("module-info.class")) { // on a class path, as plain classes
                    continue;
                }
                jar.putNextEntry(new JarEntry(name));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }

    /** Runs StreamLoopProbe with these arguments in a JVM limited to 64 fds; its output, once it exited 0. */
    private static String probeAt64(List<String> classpath, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                "prlimit",
                "--nofile=64",
                java,
                "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                String.join(":", classpath),
                StreamLoopProbe.class.getName()));
        command.addAll(List.of(args));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, jvm.exitValue(), out);
        return out;
    }

    @Test
    void outputWrittenBeforeExitIsReadableAfterWaitFor() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh", "-c", "head -c 40000 /dev/zero | tr '\\0' o; echo; echo on stderr >&2")
                .start();
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
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do printf '%099d\\n' $i; i=$((i+1)); done")
                .start();
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
                .share(Namespace.PID)
                .withoutCgroup()
                .start();
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
            assertEquals(
                    "main done\n",
                    new String(read.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    "what the main process wrote, then EOF although a descendant holds the pipe");
        } finally {
            new ProcessBuilder("pkill", "-KILL", "-f", "^sleep 1003.5$").start().waitFor();
        }
    }

    @Test
    void stdinIsClosedAtExitLikeProcessBuilders() throws Exception {
        // A descendant keeps stdin's read end open: only the close at exit makes the write fail.
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh", "-c", "exec 3<&0; sleep 1004.5 <&3 3<&- & echo started")
                .share(Namespace.PID)
                .withoutCgroup()
                .start();
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
        assertThrows(
                IOException.class,
                () -> p.getInputStream().read(new byte[8]),
                "a closed stream, as ProcessBuilder's: Stream closed");
    }
}
