package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.sys.FakeHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps of the leaves that dead JVMs recorded, on a {@link FakeHost} of a
 * hybrid host (a v2 tree, a v1 freezer and a v1 memory hierarchy): only the
 * leaves of jiso JVMs that are gone are killed and removed, never a live
 * JVM's nor a cgroup a record names that is no jiso leaf; frozen leaves are
 * killed and thawed as each cgroup version needs.
 */
class CgroupSweepUnitTest {
    private static final Path V2 = Path.of("/sys/fs/cgroup/unified");
    private static final Path FREEZER = Path.of("/sys/fs/cgroup/freezer");
    private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory");
    private static final List<Path> MOUNTS = List.of(V2, FREEZER, MEMORY);
    private static final Path BASE = Path.of("/run/jiso");
    private static final Path FOREIGN = V2.resolve("system.slice/db.service");

    @TempDir
    Path tmp;

    private FakeHost host;

    @BeforeEach
    void host() throws Exception {
        host = new FakeHost(tmp).self(4000, 777, 0);
        host.cgroupMount(V2, true, false).cgroupMount(FREEZER, false, true).cgroupMount(MEMORY, false, false);
        host.process(77, 7).cgroup(FOREIGN, 77); // someone else's service
        Files.createDirectories(host.real(BASE));
    }

    private List<DeadLeaves.Removed> sweep() {
        return DeadLeaves.sweep(host, BASE, MOUNTS);
    }

    /** A JVM's run-state directory (owner line unless start is null) recording one leaf with these directories. */
    private Path jvm(long pid, Long start, String leaf, List<Path> dirs) {
        Path dir = BASE.resolve(Long.toString(pid));
        if (start != null) {
            host.put(
                    dir.resolve(RunState.OWNER),
                    new RunState.Owner(pid, start, FakeHost.BOOT_ID, FakeHost.PID_NS).line());
        }
        host.put(dir.resolve(RunState.LEAVES).resolve(leaf), RunState.recordText(dirs));
        return dir;
    }

    private static List<Path> leafIn(String name, Path... mounts) {
        List<Path> dirs = new ArrayList<>();
        for (Path m : mounts) {
            dirs.add(m.resolve("jiso").resolve(name));
        }
        return dirs;
    }

    private void made(List<Path> leaf, int... pids) {
        for (Path d : leaf) {
            host.cgroup(d);
        }
        host.cgroup(leaf.get(0), pids);
    }

    private void assertForeignUntouched() {
        assertTrue(host.running(77), "a process of a foreign cgroup");
        assertTrue(host.isDirectory(FOREIGN));
        assertEquals(
                List.of(),
                host.calls().stream()
                        .filter(c -> c.contains("db.service") || c.startsWith("kill 77 "))
                        .toList());
    }

    @Test
    void onlyTheLeavesOfAJvmThatIsGoneAreRemoved() throws Exception {
        List<Path> dead = leafIn("jiso-5000-1", V2, MEMORY);
        made(dead);
        Path deadDir = jvm(5000, 50L, "jiso-5000-1", dead);
        host.process(6000, 60);
        List<Path> live = leafIn("jiso-6000-1", V2);
        made(live);
        Path liveDir = jvm(6000, 60L, "jiso-6000-1", live);

        assertEquals(List.of(new DeadLeaves.Removed(5000, "jiso-5000-1", dead, Set.of())), sweep());
        dead.forEach(d -> assertFalse(host.exists(d), d + " removed"));
        assertFalse(host.exists(deadDir), "with its run-state directory");
        assertFalse(host.exists(MEMORY.resolve("jiso")), "and a jiso directory left empty");
        assertTrue(host.isDirectory(live.get(0)), "a live JVM's leaf is kept");
        assertTrue(host.exists(liveDir.resolve("leaves/jiso-6000-1")), "and its record");
        assertTrue(host.isDirectory(V2.resolve("jiso")), "and the jiso directory it is in");
        assertEquals(List.of(), host.calls("kill "), "no task to kill");
        assertEquals(
                List.of(), host.calls().stream().filter(c -> c.contains("6000")).toList(), "nothing of the live JVM");
        assertForeignUntouched();
    }

    @Test
    void aReusedPidIsAnotherProcess() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2);
        made(leaf);
        jvm(5000, 50L, "jiso-5000-1", leaf);
        host.process(5000, 51); // the JVM died, an unrelated process got its pid
        assertEquals(
                List.of("jiso-5000-1"),
                sweep().stream().map(DeadLeaves.Removed::leaf).toList());
        assertFalse(host.exists(leaf.get(0)));
        assertTrue(host.running(5000), "the process that reused the pid is left alone");
        assertEquals(List.of(), host.calls("kill "));
    }

    @Test
    void aLiveJvmAndOneInAnotherPidNamespaceAreNotJudged() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2);
        made(leaf, 501);
        host.process(501, 1).process(5000, 50);
        jvm(5000, 50L, "jiso-5000-1", leaf);
        List<Path> other = leafIn("jiso-5100-1", V2);
        made(other);
        host.put(BASE.resolve("5100").resolve(RunState.OWNER), "5100 1 " + FakeHost.BOOT_ID + " 4026532999\n");
        host.put(BASE.resolve("5100/leaves/jiso-5100-1"), RunState.recordText(other));
        assertEquals(List.of(), sweep());
        assertTrue(host.isDirectory(leaf.get(0)) && host.isDirectory(other.get(0)));
        assertTrue(host.running(501));
        assertEquals(List.of(), host.calls(), "nothing changed");
    }

    @Test
    void aDirectoryWithoutOwnerIsSweptOnlyWhenNoProcessHasItsPid() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2);
        made(leaf);
        jvm(5000, null, "jiso-5000-1", leaf);
        host.process(5000, 50); // a JVM writing its owner line right now
        assertEquals(List.of(), sweep());
        assertTrue(host.exists(leaf.get(0)));
        host.exit(5000);
        assertEquals(List.of(new DeadLeaves.Removed(5000, "jiso-5000-1", leaf, Set.of())), sweep());
        assertFalse(host.exists(BASE.resolve("5000")));
    }

    @Test
    void aDirectoryClaimedByASweepThatDidNotFinishIsSwept() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2);
        made(leaf);
        host.process(5000, 50); // whatever runs with that pid now: the claim says the JVM is gone
        host.put(
                BASE.resolve("dead-5000-123/owner"),
                new RunState.Owner(5000, 50, FakeHost.BOOT_ID, FakeHost.PID_NS).line());
        host.put(BASE.resolve("dead-5000-123/leaves/jiso-5000-1"), RunState.recordText(leaf));
        assertEquals(
                List.of("jiso-5000-1"),
                sweep().stream().map(DeadLeaves.Removed::leaf).toList());
        assertFalse(host.exists(BASE.resolve("dead-5000-123")));
        assertEquals(List.of(), host.calls("rename "), "already claimed");
    }

    @Test
    void aDeadJvmsDirectoryIsClaimedBeforeItIsSwept() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2);
        made(leaf);
        jvm(5000, 50L, "jiso-5000-1", leaf);
        sweep();
        List<String> renames = host.calls("rename ");
        assertEquals(1, renames.size());
        assertTrue(renames.get(0).startsWith("rename /run/jiso/5000 /run/jiso/dead-5000-"), renames.toString());
        int rename = host.calls().indexOf(renames.get(0));
        int rmdir = host.calls().indexOf("rmdir " + leaf.get(0));
        assertTrue(rename < rmdir, "claimed, then removed: " + host.calls());
    }

    @Test
    void aRecordNamingAnythingButALeafOfItsJvmIsDroppedNotActedOn() throws Exception {
        Map<String, Path> records = new LinkedHashMap<>();
        records.put("jiso-5000-1", V2.resolve("system.slice/jiso-5000-1")); // not in a jiso directory
        records.put("jiso-5000-2", Path.of("/srv/jiso/jiso-5000-2")); // off the cgroup mounts
        records.put("jiso-5000-3", V2.resolve("a/../system.slice/jiso/jiso-5000-3")); // not normal
        records.put("jiso-5000-4", V2.resolve("jiso/jiso-6000-1")); // another leaf's directory
        records.put("jiso-5000-5", Path.of("sys/fs/cgroup/unified/jiso/jiso-5000-5")); // relative
        records.put("jiso-6000-1", V2.resolve("jiso/jiso-6000-1")); // a name not of that JVM
        int task = 600;
        for (Path target : List.of(
                V2.resolve("system.slice/jiso-5000-1"),
                V2.resolve("system.slice/jiso/jiso-5000-3"),
                V2.resolve("jiso/jiso-6000-1"),
                V2.resolve("jiso/jiso-5000-5"))) {
            host.process(++task, 1).cgroup(target, task);
        }
        Files.createDirectories(host.real(Path.of("/srv/jiso/jiso-5000-2")));
        Path dir = BASE.resolve("5000");
        host.put(dir.resolve(RunState.OWNER), new RunState.Owner(5000, 50, FakeHost.BOOT_ID, FakeHost.PID_NS).line());
        records.forEach((name, target) -> host.put(dir.resolve("leaves").resolve(name), target + "\n"));

        assertEquals(List.of(), sweep());
        for (int p = 601; p <= task; p++) {
            assertTrue(host.running(p), "task " + p + " of a cgroup a record names");
        }
        assertTrue(host.isDirectory(Path.of("/srv/jiso/jiso-5000-2")));
        assertEquals(
                List.of(),
                host.calls().stream()
                        .filter(c -> c.startsWith("rmdir /s") || c.startsWith("write ") || c.startsWith("kill "))
                        .toList(),
                "no cgroup written or removed");
        assertEquals(List.of(), host.list(BASE), "the records are dropped, not refused again at every sweep");
        assertForeignUntouched();
    }

    @Test
    void aV2LeafWithTasksIsKilledThroughCgroupKillAndItsFrozenPartThawed() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2);
        Path part = leaf.get(0).resolve(FrozenPart.NAME);
        host.process(101, 1).process(102, 1).process(103, 1);
        made(leaf, 101, 102);
        host.cgroup(part, 103).put(part.resolve("cgroup.freeze"), "1\n");
        jvm(5000, 50L, "jiso-5000-1", leaf);

        assertEquals(List.of(new DeadLeaves.Removed(5000, "jiso-5000-1", leaf, Set.of(101, 102, 103))), sweep());
        assertFalse(
                host.running(101) || host.running(102) || host.running(103), "every task killed, the frozen ones too");
        List<String> calls = host.calls();
        assertTrue(calls.contains("write " + leaf.get(0).resolve("cgroup.kill") + " 1"), calls.toString());
        assertTrue(calls.contains("write " + part.resolve("cgroup.freeze") + " 0"), "the frozen part thawed: " + calls);
        assertTrue(calls.indexOf("rmdir " + part) < calls.indexOf("rmdir " + leaf.get(0)), "children first: " + calls);
        assertFalse(host.exists(leaf.get(0)));
        assertForeignUntouched();
    }

    @Test
    void aV1FrozenLeafIsFrozenKilledAndThawedChildrenFirst() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", FREEZER, MEMORY);
        Path freezer = leaf.get(0);
        Path part = freezer.resolve(FrozenPart.NAME);
        host.process(201, 1).process(202, 1);
        made(leaf, 201);
        host.cgroup(leaf.get(1), 201);
        host.cgroup(part, 202).put(part.resolve("freezer.state"), "FROZEN\n");
        jvm(5000, 50L, "jiso-5000-1", leaf);

        assertEquals(List.of(new DeadLeaves.Removed(5000, "jiso-5000-1", leaf, Set.of(201, 202))), sweep());
        assertFalse(host.running(201) || host.running(202), "a v1 frozen task dies of SIGKILL once thawed");
        List<String> calls = host.calls();
        List<String> order = List.of(
                "write " + freezer.resolve("freezer.state") + " FROZEN",
                "kill 201 9",
                "kill 202 9",
                "write " + part.resolve("freezer.state") + " THAWED",
                "write " + freezer.resolve("freezer.state") + " THAWED",
                "rmdir " + part,
                "rmdir " + freezer);
        int last = -1;
        for (String c : order) {
            int i = calls.indexOf(c);
            assertTrue(i > last, c + " after the calls before it: " + calls);
            last = i;
        }
        assertFalse(host.exists(freezer) || host.exists(leaf.get(1)), "removed from both hierarchies");
    }

    @Test
    void aTaskOnlyInAV1DirectoryOfAHybridLeafIsKilledToo() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2, MEMORY);
        made(leaf);
        host.process(301, 1).cgroup(leaf.get(1), 301); // cgroup.kill of the v2 part does not reach it
        jvm(5000, 50L, "jiso-5000-1", leaf);
        assertEquals(Set.of(301), sweep().get(0).killed());
        assertTrue(host.calls().contains("kill 301 9"), host.calls().toString());
        assertFalse(host.running(301));
        assertFalse(host.exists(leaf.get(1)));
    }

    @Test
    void aLeafWhoseDirectoriesWereNeverMadeLosesOnlyItsRecord() throws Exception {
        List<Path> leaf = leafIn("jiso-5000-1", V2, MEMORY); // recorded before its first mkdir, then the JVM died
        Path dir = jvm(5000, 50L, "jiso-5000-1", leaf);
        assertEquals(List.of(new DeadLeaves.Removed(5000, "jiso-5000-1", leaf, Set.of())), sweep());
        assertFalse(host.exists(dir));
        assertEquals(
                List.of(),
                host.calls().stream()
                        .filter(c -> c.startsWith("rmdir /sys"))
                        .filter(c -> c.contains("jiso-5000"))
                        .toList());
    }
}
