package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.spawn.Launcher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * freeze() stops the program but not jiso-init, which keeps watching the
 * JVM: a frozen sandbox dies with a SIGKILLed JVM, as do a stopped one and one
 * at its pidsMax. What the kernel shows is checked: processes, namespaces,
 * the frozen part's cgroup files.
 */
@KernelTest
class FrozenSandboxCgroupTest {
    /** The pure v2 guest is software-emulated, 20-30 times slower. */
    private static final long SLOW = Files.exists(Path.of("/run/vm")) ? 20 : 1;

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    @BeforeEach
    void needsLeaves() throws Exception {
        Privileges.assumeCgroupLeaves();
        // A JVM that may make leaves may still not load a sandbox's device filter (BPF needs privileges)
        IsolatedProcess p = new IsolatedProcessBuilder("true").start();
        p.waitFor();
        String why = "";
        try {
            p.resourceUsage();
        } catch (IllegalStateException noLeaf) {
            why = noLeaf.getMessage();
        }
        Assumptions.assumeTrue(why.isEmpty(), "needs sandboxes with a cgroup leaf: " + why);
    }

    @Test
    void frozenStoppedAndFullSandboxesDieWithTheJvmWithinASecond() throws Exception {
        String base = "7" + ProcessHandle.current().pid();
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:-UsePerfData",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        FrozenLifelineProbe.class.getName(),
                        base)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Map<String, String[]> leaves = new HashMap<>(); // mark -> {leaf name, host pid}
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                if (line.startsWith("leaf ")) {
                    String[] f = line.split(" ");
                    leaves.put(f[1], new String[] {f[2], f[3]});
                }
            }
            assertEquals(6, leaves.size(), "the probe started its six sandboxes");
            Map<String, List<Path>> dirs = new HashMap<>();
            for (var e : leaves.entrySet()) {
                dirs.put(e.getKey(), leafDirs(e.getValue()[0]));
                assertFalse(dirs.get(e.getKey()).isEmpty(), "leaf of " + e.getKey());
            }
            for (int i = 1; i <= 4; i++) {
                String mark = base + "." + i;
                Path part = frozenPart(dirs.get(mark));
                assertTrue(isFrozen(part), mark + ": its frozen part is frozen");
                if (i <= 3) {
                    Path leaf = part.getParent();
                    assertEquals(
                            List.of(leaves.get(mark)[1]), procs(leaf), mark + ": only jiso-init is left in the leaf");
                    assertFalse(isFrozen(leaf), mark + ": the leaf itself runs");
                    assertEquals(2, procs(part).size(), mark + ": the program and its child are in the frozen part");
                }
            }
            String stopped = base + ".5";
            assertTrue(
                    processesMarked(stopped).stream().anyMatch(p -> state(p) == 'T'),
                    "the stopped sandbox's shell is stopped");
            assertEquals(
                    3,
                    processesMarked(base + ".6").size(),
                    "the full sandbox holds pidsMax processes: init, perl, 2 sleeps");

            Set<String> namespaces = namespacesOf(allMarked(base));
            assertFalse(namespaces.isEmpty());
            long killedAt = nowTicks();
            long t0 = System.nanoTime();
            jvm.destroyForcibly(); // SIGKILL: nothing of jiso runs in the JVM after this
            long gone = awaitNanos(
                    () -> allMarked(base).isEmpty() && dirs.values().stream().allMatch(FrozenSandboxCgroupTest::empty));
            long ms = TimeUnit.NANOSECONDS.toMillis(gone - t0);
            System.out.println("[lifeline] 6 sandboxes (4 frozen, 1 stopped, 1 at pidsMax) gone " + ms
                    + " ms after SIGKILL to the JVM");
            assertTrue(
                    ms <= 1000 * SLOW, "every sandbox gone within a second of the JVM's SIGKILL, took " + ms + " ms");
            assertTrue(jvm.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(
                    Set.of(),
                    held(namespaces, killedAt),
                    "no process holds a namespace of the sandboxes, and no mount");

            Sweep.deadJvms(); // what the next JVM does: the dead JVM's empty leaves go
            for (var e : leaves.entrySet()) {
                assertEquals(List.of(), leafDirs(e.getValue()[0]), "leaf of " + e.getKey() + " removed by the sweep");
            }
        } finally {
            jvm.destroyForcibly();
            jvm.waitFor();
        }
    }

    @Test
    void freezeStopsTheProgramButNotInitAndThawResumesIt() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i; sleep 0.01; done")
                .start();
        try {
            AtomicLong counter = count(p);
            await("counter starts", () -> counter.get() > 5);
            for (int round = 0; round < 2; round++) {
                p.freeze();
                List<Path> dirs = leafDirs(p.cgroupName().orElseThrow());
                Path part = frozenPart(dirs);
                assertEquals(List.of(Long.toString(p.pid())), procs(part.getParent()), "jiso-init stays in the leaf");
                assertFalse(isFrozen(part.getParent()), "the leaf, with init, is not frozen");
                Thread.sleep(100 * SLOW); // lines already in the pipe drain
                long frozenAt = counter.get();
                Thread.sleep(500 * SLOW);
                assertEquals(frozenAt, counter.get(), "no progress while frozen");
                p.thaw();
                assertFalse(isFrozen(part));
                await("counter resumes", () -> counter.get() > frozenAt + 3);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        assertLeafRemoved(p);
    }

    @Test
    void resourceUsageCountsTheProgramsCpuAfterAFreezeAndThaw() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
        try {
            p.freeze();
            p.thaw();
            long main = Long.parseLong(Files.readString(Path.of("/proc/" + p.pid() + "/task/" + p.pid() + "/children"))
                    .strip());
            Duration before = p.resourceUsage().cpuTotal();
            long ticksBefore = cpuTicks(main);
            Thread.sleep(1000 * SLOW);
            long ticksAfter = cpuTicks(main);
            Duration after = p.resourceUsage().cpuTotal();
            long programMillis = (ticksAfter - ticksBefore) * 10;
            long leafMillis = after.minus(before).toMillis();
            assertTrue(programMillis >= 50, "the busy loop ran: " + programMillis + " ms");
            // the program's own times count in ticks of 10 ms, read a little inside the leaf's readings
            assertTrue(
                    leafMillis >= programMillis - 20,
                    "the leaf counts the CPU of the program in its frozen part: " + leafMillis + " ms in the leaf, "
                            + programMillis + " ms by the program's /proc/PID/stat");
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        assertLeafRemoved(p);
    }

    /** utime + stime of a process, in USER_HZ ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Test
    void killAllEndsAFrozenSandbox() throws Exception {
        String mark = "8" + ProcessHandle.current().pid() + ".1";
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", "sleep $0 & sleep $0", mark).start();
        awaitMarked(mark, 3);
        p.freeze();
        p.killAll();
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
        await("every process gone", () -> processesMarked(mark).isEmpty());
        assertLeafRemoved(p);
    }

    @Test
    void destroyForciblyEndsAFrozenSandboxWithOrWithoutAPidNamespace() throws Exception {
        for (boolean shared : new boolean[] {false, true}) {
            String mark = "8" + ProcessHandle.current().pid() + (shared ? ".3" : ".2");
            IsolatedProcessBuilder b = new IsolatedProcessBuilder("/bin/sh", "-c", "sleep $0 & sleep $0", mark);
            IsolatedProcess p = (shared ? b.share(Namespace.PID) : b).start();
            awaitMarked(mark, 3);
            p.freeze();
            p.destroyForcibly();
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "shared pid namespace: " + shared);
            await("every process gone", () -> processesMarked(mark).isEmpty());
            assertLeafRemoved(p);
        }
    }

    @Test
    void destroyOfAFrozenSandboxReachesAProgramThatHandlesSigtermWhenThawed() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done")
                .start();
        try {
            assertEquals("ready\n", new String(p.getInputStream().readNBytes(6)));
            p.freeze();
            p.destroy(); // init passes SIGTERM on; the frozen shell runs its trap once thawed
            assertFalse(p.waitFor(500 * SLOW, TimeUnit.MILLISECONDS), "still frozen");
            p.thaw();
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(7, p.exitValue());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        assertLeafRemoved(p);
    }

    @Test
    void destroyOfAFrozenSandboxEndsAProgramWithoutAHandlerAtOnceOnV2() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("sleep", "1000").start();
        try {
            p.freeze();
            boolean v2 = Files.exists(
                    frozenPart(leafDirs(p.cgroupName().orElseThrow())).resolve("cgroup.freeze"));
            p.destroy(); // SIGTERM with its default action is fatal: the kernel kills the whole process
            if (v2) {
                assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "a v2-frozen task dies of a fatal signal");
            } else {
                assertFalse(p.waitFor(500 * SLOW, TimeUnit.MILLISECONDS), "a v1-frozen task acts on it once thawed");
                p.thaw();
                assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            assertEquals(143, p.exitValue());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        assertLeafRemoved(p);
    }

    // ---- what the kernel shows --------------------------------------------------------------

    /** Host pids of processes with {@code mark} as one of their arguments. */
    static List<Long> processesMarked(String mark) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path d :
                    s.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Arrays.asList(Files.readString(d.resolve("cmdline")).split("\0"))
                            .contains(mark)) {
                        pids.add(Long.parseLong(d.getFileName().toString()));
                    }
                } catch (IOException exited) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return pids;
    }

    private static List<Long> allMarked(String base) {
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            pids.addAll(processesMarked(base + "." + i));
        }
        return pids;
    }

    private static void awaitMarked(String mark, int n) throws Exception {
        await(n + " processes marked " + mark, () -> processesMarked(mark).size() == n);
    }

    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException gone) {
            return 'X';
        }
    }

    /** The namespaces of these processes that the test JVM is not in, as their links read ("net:[4026531840]"). */
    private static Set<String> namespacesOf(List<Long> pids) throws IOException {
        Set<String> own = new HashSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/ns"))) {
            for (Path n : s.toList()) {
                own.add(Files.readSymbolicLink(n).toString());
            }
        }
        Set<String> ns = new HashSet<>();
        for (long pid : pids) {
            try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/ns"))) {
                for (Path n : s.toList()) {
                    String link = Files.readSymbolicLink(n).toString();
                    if (!own.contains(link)) {
                        ns.add(link);
                    }
                }
            }
        }
        return ns;
    }

    /**
     * Which of these namespaces a process that started before {@code sinceTicks}
     * (since boot, in USER_HZ) is in, or this JVM holds an fd of, or one of its
     * mounts shows. The kernel reuses a freed namespace's inode number at once,
     * and other sandboxes start all the time: a process started later is in a
     * new namespace whatever its number. A zombie is left out: it has released
     * its namespaces but for its pid's (a JVM's dead children are reaped by
     * the host's init or subreaper, whenever that gets to it).
     */
    private static Set<String> held(Set<String> namespaces, long sinceTicks) throws IOException {
        Set<String> held = new HashSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path d :
                    s.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                if (startTicks(d) < sinceTicks
                        && state(Long.parseLong(d.getFileName().toString())) != 'Z') {
                    holders(d.resolve("ns"), namespaces, held, d.getFileName().toString());
                }
            }
        }
        holders(Path.of("/proc/self/fd"), namespaces, held, "this JVM's fd");
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            for (String n : namespaces) {
                if (line.contains(n)) {
                    held.add(n + " mounted: " + line);
                }
            }
        }
        return held;
    }

    private static void holders(Path links, Set<String> namespaces, Set<String> held, String who) {
        try (Stream<Path> s = Files.list(links)) {
            for (Path l : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(l).toString();
                    if (namespaces.contains(target)) {
                        held.add(target + " by " + who);
                    }
                } catch (IOException closed) {
                    // gone meanwhile
                }
            }
        } catch (IOException exitedOrNotOurs) {
            // gone meanwhile
        }
    }

    /** A process's start time since boot in USER_HZ ticks (Long.MAX_VALUE if it is gone). */
    private static long startTicks(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
        } catch (IOException | RuntimeException gone) {
            return Long.MAX_VALUE;
        }
    }

    /** Now, since boot, in USER_HZ ticks (100 per second on every Linux ABI). */
    private static long nowTicks() throws IOException {
        return (long)
                (Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]) * 100);
    }

    /** The leaf's directories in every mounted cgroup hierarchy. */
    static List<Path> leafDirs(String name) throws IOException {
        return cgroupDirsNamed(name::equals);
    }

    /**
     * Directories under /sys/fs/cgroup whose names match, not looking inside
     * them; leaves that other threads and JVMs remove while this walks are
     * passed over.
     */
    static List<Path> cgroupDirsNamed(Predicate<String> name) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(CGROUPS, Set.of(), 8, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.getFileName() != null && name.test(dir.getFileName().toString())) {
                    found.add(dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException removedMeanwhile) {
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    /** The frozen part among a leaf's directories (in the freezer's hierarchy). */
    private static Path frozenPart(List<Path> leafDirs) {
        return leafDirs.stream()
                .map(d -> d.resolve("frozen"))
                .filter(Files::isDirectory)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no frozen part in " + leafDirs));
    }

    private static boolean isFrozen(Path dir) throws IOException {
        Path events = dir.resolve("cgroup.events");
        if (Files.exists(events)) {
            return Files.readAllLines(events).contains("frozen 1");
        }
        return Files.readString(dir.resolve("freezer.state")).strip().equals("FROZEN");
    }

    private static List<String> procs(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("cgroup.procs")).stream()
                .filter(l -> !l.isBlank())
                .toList();
    }

    /** Whether no process is left in a leaf's directories or their frozen parts (true once removed). */
    private static boolean empty(List<Path> leafDirs) {
        for (Path d : leafDirs) {
            for (Path p : List.of(d, d.resolve("frozen"))) {
                try {
                    if (!procs(p).isEmpty()) {
                        return false;
                    }
                } catch (IOException removed) {
                    // no such directory
                }
            }
        }
        return true;
    }

    private static void assertLeafRemoved(IsolatedProcess p) throws Exception {
        assertTrue(Launcher.awaitHousekeeping(WAIT.toMillis()));
        assertEquals(List.of(), leafDirs(p.cgroupName().orElseThrow()), "the leaf and its frozen part are removed");
    }

    private static AtomicLong count(IsolatedProcess p) {
        AtomicLong counter = new AtomicLong();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                for (String line; (line = r.readLine()) != null; ) {
                    counter.set(Long.parseLong(line.strip()));
                }
            } catch (IOException | NumberFormatException ended) {
                // the process was killed
            }
        });
        return counter;
    }

    /** Polls every 2 ms; the time at which the check first held. */
    private static long awaitNanos(BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    private static void await(String what, BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(10);
        }
    }
}
