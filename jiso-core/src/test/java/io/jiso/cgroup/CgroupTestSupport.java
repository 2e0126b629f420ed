package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.DeviceRule;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Helpers for the cgroup tests: children are plain ProcessBuilder processes
 * that wait on stdin ("read x") until the test has moved them into a leaf,
 * so the workload runs entirely inside it.
 */
final class CgroupTestSupport {
    /** A device rule in the cgroup syntax ("c 1:3 rwm"), parsed and checked as the public API does. */
    static AllowedDevice device(String rule) {
        DeviceRule r = DeviceRule.parse(rule);
        return new AllowedDevice(r.type(), r.major(), r.minor(), r.access());
    }

    private CgroupTestSupport() {}

    /** Everything is ~25x slower in the TCG guest: scale waits, not assertions. */
    static final long SLOW = Files.exists(Path.of("/run/vm")) ? 20 : 1;

    static Layout layout() {
        try {
            return Cgroups.layout();
        } catch (SetupFailure e) {
            throw new AssertionError(e);
        }
    }

    /** Whether this controller lives in the v2 tree here (pure v2, or hybrid's unified part). */
    static boolean onV2(Controller c) {
        return layout().v1For(c) == null;
    }

    /** Starts argv held at "read x" (stdin). */
    static Process startHeld(String... argv) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "read x; exec \"$@\"", "sh"));
        cmd.addAll(List.of(argv));
        try {
            return new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts argv, moves it into the leaf, then lets it run. */
    static Process startIn(CgroupLeaf leaf, String... argv) throws SetupFailure {
        Process p = startHeld(argv);
        leaf.attach(p.pid());
        release(p);
        return p;
    }

    /** Starts a shell script (which must begin by reading a line), moves it into the leaf, lets it run. */
    static Process scriptIn(CgroupLeaf leaf, String script) throws SetupFailure {
        Process p;
        try {
            p = new ProcessBuilder("sh", "-c", script)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        leaf.attach(p.pid());
        release(p);
        return p;
    }

    static void release(Process p) {
        try {
            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedReader stdout(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    static int waitFor(Process p, long seconds) throws InterruptedException {
        assertTrue(p.waitFor(seconds * SLOW, TimeUnit.SECONDS), "process did not exit in " + seconds * SLOW + " s");
        return p.exitValue();
    }

    static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A /proc/PID state letter, or 'X' if the process is gone. Z (zombie) and X both mean dead. */
    static char state(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.charAt(s.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return 'X';
        }
    }

    static boolean dead(long pid) {
        char s = state(pid);
        return s == 'X' || s == 'Z';
    }

    static void awaitTrue(String what, long seconds, BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds * SLOW);
        while (!check.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " did not happen in " + seconds * SLOW + " s");
            Thread.sleep(10);
        }
    }

    /**
     * A parent cgroup the test makes as an administrator would: MOUNT/jiso/NAME
     * in the v2 tree and in every v1 hierarchy (inside jiso's own folder, so no
     * foreign cgroup is touched). close() removes it, the jiso folder create()
     * made in it, and the MOUNT/jiso folders it made itself once they are empty.
     */
    static final class TestParent implements AutoCloseable {
        /** The parent as create() takes it: "/jiso/NAME". */
        final String path;

        private final Map<Path, Path> dirs = new LinkedHashMap<>();
        private final List<Path> madeJiso = new ArrayList<>();

        TestParent(String name) throws HostSetupFailure {
            path = "/jiso/" + name;
            Layout l = layout();
            List<Path> mounts = new ArrayList<>();
            if (l.v2Mount() != null) {
                mounts.add(l.v2Mount());
            }
            l.v1().forEach(h -> mounts.add(h.mount()));
            for (Path mount : mounts) {
                if (CgroupFs.mkdir(mount.resolve("jiso"))) {
                    madeJiso.add(mount.resolve("jiso"));
                }
                Path dir = mount.resolve(path.substring(1));
                CgroupFs.mkdir(dir);
                dirs.put(mount, dir);
            }
        }

        /** The parent's directory in the hierarchy mounted there. */
        Path in(Path mount) {
            return dirs.get(mount);
        }

        @Override
        public void close() throws HostSetupFailure {
            for (Path p : dirs.values()) {
                CgroupFs.rmdir(p.resolve("jiso"), 1_000_000_000L);
                CgroupFs.rmdir(p, 1_000_000_000L);
            }
            for (Path jiso : madeJiso) {
                try {
                    CgroupFs.rmdir(jiso, 0);
                } catch (HostSetupFailure e) {
                    // EBUSY: other leaves of this JVM still use it; the shutdown hook removes it
                }
            }
        }
    }

    /** No leaf of this JVM is open or left in any jiso directory it used. */
    static void assertNoLeftovers() throws IOException {
        Cgroups.releaseReadyLeaves(); // leaves made ahead for spawns are no leftovers, but must go too
        assertEquals(Set.of(), Cgroups.open(), "open leaves");
        String prefix = "jiso-" + ProcessHandle.current().pid() + "-";
        for (Path jiso : Cgroups.jisoDirs()) {
            if (Files.isDirectory(jiso)) {
                try (Stream<Path> s = Files.list(jiso)) {
                    List<String> mine = s.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith(prefix))
                            .toList();
                    assertEquals(List.of(), mine, "leaves of this JVM left in " + jiso);
                }
            }
        }
        // Nor any fd into one: a leaf's tasks files and the directory fds its files are opened through.
        List<String> fds = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains("/" + prefix)) {
                        fds.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own fd, or one another thread closed
                }
            }
        }
        assertEquals(
                List.of(),
                fds.subList(0, Math.min(10, fds.size())),
                "fds of this JVM into its leaves (" + fds.size() + "; the first 10)");
    }
}
