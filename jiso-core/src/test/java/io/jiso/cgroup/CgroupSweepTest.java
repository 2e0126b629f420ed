package io.jiso.cgroup;

import static io.jiso.cgroup.CgroupTestSupport.awaitTrue;
import static io.jiso.cgroup.CgroupTestSupport.dead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.Sweep;
import io.jiso.sys.HostOps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leaves recorded by JVMs that died without cleaning up are removed,
 * exactly and wherever they are; those of live JVMs are not.
 */
@KernelTest
class CgroupSweepTest {
    private static List<Path> defaultJisoDirs;
    private static Path base;

    @BeforeAll
    static void makeJisoDirs() throws Exception {
        if (!Privileges.cgroupLeavesUnavailable().isEmpty()) {
            return; // each test says why it skips
        }
        try (CgroupLeaf leaf = Cgroups.create(CgroupLimits.none())) {
            defaultJisoDirs = leaf.dirs().stream().map(Path::getParent).toList();
        }
        base = Cgroups.runStateDir().getParent();
    }

    @BeforeEach
    void needsCgroupLeaves() {
        Privileges.assumeCgroupLeaves();
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    /** A run-state directory as a JVM with this owner line writes it, with one leaf made in every default jiso directory. */
    private static List<Path> fakeJvm(RunState.Owner owner, String leaf) throws Exception {
        Path dir = Files.createDirectory(base.resolve(Long.toString(owner.pid())));
        Files.writeString(dir.resolve(RunState.OWNER), owner.line());
        List<Path> leaves = defaultJisoDirs.stream().map(d -> d.resolve(leaf)).toList();
        Files.writeString(
                Files.createDirectory(dir.resolve(RunState.LEAVES)).resolve(leaf), RunState.recordText(leaves));
        for (Path p : leaves) {
            CgroupFs.mkdir(p.getParent()); // a sweep removes jiso directories it leaves empty
            CgroupFs.mkdir(p);
        }
        return leaves;
    }

    /** Removes what a failed test left: the fake leaves and run-state directory. */
    private static void clean(long pid, List<Path> leaves) throws Exception {
        for (Path p : leaves) {
            CgroupFs.rmdir(p, 0);
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(base)) {
            dirs = s.filter(d -> d.getFileName().toString().matches("(dead-)?" + pid + "(-\\d+)?"))
                    .toList();
        }
        for (Path dir : dirs) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static RunState.Owner ownerOf(long pid) throws Exception {
        return RunState.Owner.of(HostOps.LINUX, pid);
    }

    @Test
    void leavesOfADeadJvmAreSweptWithItsRecords() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertTrue(dead(gone.pid()));
        RunState.Owner self = ownerOf(ProcessHandle.current().pid());
        String name = "jiso-" + gone.pid() + "-1";
        List<Path> leaves = fakeJvm(new RunState.Owner(gone.pid(), 12345, self.bootId(), self.pidNs()), name);
        try (CgroupLeaf mine = Cgroups.create(CgroupLimits.none())) {
            List<Sweep.Removed> removed = sweep(gone.pid());
            assertEquals(List.of(new Sweep.Removed(gone.pid(), name, leaves, Set.of())), removed);
            for (Path p : leaves) {
                assertFalse(Files.exists(p), p + " swept");
            }
            assertFalse(Files.exists(base.resolve(Long.toString(gone.pid()))), "its run-state directory removed");
            for (Path p : mine.dirs()) {
                assertTrue(Files.exists(p), p + " of this live JVM kept");
            }
            assertTrue(
                    Files.exists(Cgroups.runStateDir().resolve(RunState.LEAVES).resolve(mine.name())),
                    "and its record");
        } finally {
            clean(gone.pid(), leaves);
        }
    }

    @Test
    void leavesOfALiveJvmAreKeptButARecycledPidsAreNot() throws Exception {
        Process owner = new ProcessBuilder("sleep", "1000").start();
        List<Path> leaves = List.of();
        String name = "jiso-" + owner.pid() + "-7";
        try {
            leaves = fakeJvm(ownerOf(owner.pid()), name);
            assertEquals(List.of(), sweep(owner.pid()), "a live owner: nothing swept");
            for (Path p : leaves) {
                assertTrue(Files.exists(p), p + " kept: its owner lives");
            }
            // the same pid with another start time: the JVM that wrote this is gone, the pid was reused
            RunState.Owner recycled = new RunState.Owner(
                    owner.pid(),
                    ownerOf(owner.pid()).startTicks() - 1,
                    ownerOf(owner.pid()).bootId(),
                    ownerOf(owner.pid()).pidNs());
            Files.writeString(base.resolve(Long.toString(owner.pid())).resolve(RunState.OWNER), recycled.line());
            assertEquals(
                    List.of(name),
                    sweep(owner.pid()).stream().map(Sweep.Removed::leaf).toList());
            for (Path p : leaves) {
                assertFalse(Files.exists(p), p + " swept: pid reused");
            }
            assertFalse(dead(owner.pid()), "the unrelated process with that pid was not touched");
        } finally {
            owner.destroyForcibly().waitFor();
            clean(owner.pid(), leaves);
        }
    }

    @Test
    void aRecordNamingAnythingButALeafOfItsJvmIsNotActedOn() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        RunState.Owner self = ownerOf(ProcessHandle.current().pid());
        Path outside = Files.createTempDirectory(Path.of("/tmp"), "jiso-sweep-test");
        Path notALeaf = Files.createDirectories(outside.resolve("jiso/jiso-" + gone.pid() + "-1"));
        List<Path> leaves =
                fakeJvm(new RunState.Owner(gone.pid(), 1, self.bootId(), self.pidNs()), "jiso-" + gone.pid() + "-1");
        Path record = base.resolve(gone.pid() + "/leaves/jiso-" + gone.pid() + "-1");
        try {
            Files.writeString(record, notALeaf + "\n");
            assertEquals(List.of(), sweep(gone.pid()));
            assertTrue(Files.exists(notALeaf), "a directory off the cgroup mounts is never removed");
            assertFalse(Files.exists(record), "the record is dropped, not refused again at every sweep");
        } finally {
            Files.delete(notALeaf);
            Files.delete(notALeaf.getParent());
            Files.delete(outside);
            clean(gone.pid(), leaves);
        }
    }

    @Test
    void everyLeafOfAJvmKilledWithSigkillIsRemovedWhateverMemoryCgroupItRanIn() throws Exception {
        Layout.V1Hierarchy memory = CgroupTestSupport.layout().v1For(Controller.MEMORY);
        // the crashing JVM in a memory cgroup of its own, a sibling of the leaves' usual place
        Path own = memory == null
                ? null
                : memory.ownDir()
                        .resolve("jisotest-crash-" + ProcessHandle.current().pid());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        if (own != null) {
            CgroupFs.mkdir(own);
            cmd.addAll(List.of("sh", "-c", "echo $$ > " + own.resolve("cgroup.procs") + " && exec \"$@\"", "sh"));
        }
        cmd.addAll(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                CgroupCrashHelper.class.getName()));
        Process jvm = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
            String ready = CompletableFuture.supplyAsync(() -> {
                        try {
                            return out.readLine();
                        } catch (Exception e) {
                            return null;
                        }
                    })
                    .get(120 * CgroupTestSupport.SLOW, TimeUnit.SECONDS);
            assertTrue(ready != null && ready.startsWith("READY "), "helper JVM said: " + ready);
            String[] f = ready.split(" ");
            long sleeper = Long.parseLong(f[2]);
            long sandbox = Long.parseLong(f[3]);
            Path records = base.resolve(jvm.pid() + "/" + RunState.LEAVES);
            List<Path> made = leavesOf(jvm.pid());
            if (own != null) {
                assertTrue(
                        made.stream().anyMatch(p -> p.startsWith(own)),
                        "its memory leaves are under " + own + ": " + made);
            }
            assertEquals(List.of(), sweep(jvm.pid()), "nothing of a live JVM is swept");
            assertEquals(made, leavesOf(jvm.pid()));

            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertEquals(137, jvm.waitFor());
            made = leavesOf(jvm.pid());
            Set<String> recorded = names(records);
            System.out.println("[crash] the killed JVM left " + made.size() + " directories of leaves " + recorded
                    + "; its child " + sleeper + " alive: " + !dead(sleeper) + ", its sandbox " + sandbox
                    + " (PR_SET_PDEATHSIG) alive: " + !dead(sandbox));
            assertFalse(dead(sleeper), "its child still runs");
            assertTrue(recorded.size() >= 3, "a leaf, a running sandbox's, ready ones: " + recorded);
            assertEquals(
                    made.stream().map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
                    new TreeSet<>(recorded),
                    "every leaf left is recorded, and only those");

            List<Sweep.Removed> removed = sweep(jvm.pid());
            assertEquals(
                    recorded, removed.stream().map(Sweep.Removed::leaf).collect(Collectors.toCollection(TreeSet::new)));
            assertEquals(
                    new TreeSet<>(made),
                    removed.stream()
                            .flatMap(r -> r.directories().stream())
                            .filter(made::contains)
                            .collect(Collectors.toCollection(TreeSet::new)),
                    "each directory reported");
            assertTrue(
                    removed.stream().anyMatch(r -> r.killedPids().contains((int) sleeper)),
                    "the sleeper killed: " + removed);
            assertEquals(List.of(), leavesOf(jvm.pid()), "no leaf of the killed JVM left in any hierarchy");
            assertFalse(Files.exists(base.resolve(Long.toString(jvm.pid()))), "nor its run-state directory");
            awaitTrue("orphaned child killed by the sweep", 30, () -> dead(sleeper));
            awaitTrue("orphaned sandbox killed by the sweep", 30, () -> dead(sandbox));
        } finally {
            jvm.destroyForcibly().waitFor();
            if (own != null) {
                try {
                    Sweep.deadJvms(); // if the test failed before its sweep
                    CgroupFs.rmdir(
                            own.resolve("jiso"), TimeUnit.SECONDS.toNanos(5)); // the helper's, if the sweep left it
                    CgroupFs.rmdir(own, TimeUnit.SECONDS.toNanos(5));
                } catch (Exception e) {
                    System.out.println("[crash] could not remove " + own + ": " + e);
                }
            }
        }
    }

    /** What the public sweep removed of that JVM (other JVMs on this host may have crashed too). */
    private static List<Sweep.Removed> sweep(long jvmPid) throws Exception {
        return Sweep.deadJvms().stream().filter(r -> r.jvmPid() == jvmPid).toList();
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Every cgroup directory of a leaf of that JVM, in every hierarchy. */
    static List<Path> leavesOf(long pid) {
        List<Path> found = new ArrayList<>();
        find(Path.of("/sys/fs/cgroup"), "jiso-" + pid + "-", 8, found);
        return found.stream().sorted().toList();
    }

    /** A walk that tolerates directories removed while it looks (other JVMs' leaves come and go). */
    private static void find(Path dir, String prefix, int depth, List<Path> found) {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isDirectory).toList()) {
                if (p.getFileName().toString().startsWith(prefix)) {
                    found.add(p);
                } else if (depth > 1 && !Files.isSymbolicLink(p)) {
                    find(p, prefix, depth - 1, found);
                }
            }
        } catch (IOException | UncheckedIOException gone) {
            // removed meanwhile
        }
    }
}
