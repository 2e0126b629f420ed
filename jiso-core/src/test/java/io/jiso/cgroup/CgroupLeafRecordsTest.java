package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.FakeHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM's own leaf records on a {@link FakeHost}: each leaf is on disk
 * before its first mkdir and until its last rmdir, and the shutdown hook
 * removes every leaf still recorded, waiting for those being made.
 */
class CgroupLeafRecordsTest {
    private static final Path V2 = Path.of("/sys/fs/cgroup");
    private static final List<Path> ONE = List.of(V2.resolve("jiso/jiso-4000-1"));
    private static final List<Path> TWO = List.of(V2.resolve("jiso/jiso-4000-2"));

    @TempDir
    Path tmp;

    private FakeHost host;

    @BeforeEach
    void host() throws Exception {
        host = new FakeHost(tmp).self(4000, 777, 0);
        host.cgroupMount(V2, true, false);
        Files.createDirectories(host.real(Path.of("/run")));
    }

    @Test
    void aLeafIsRecordedBeforeItIsMadeAndForgottenAfterItIsGone() throws Exception {
        LeafRecords records = new LeafRecords(host);
        records.begin("jiso-4000-1", ONE);
        records.made();
        Path dir = Path.of("/run/jiso/4000");
        assertEquals(dir, records.disk().dir());
        assertEquals("4000 777 " + FakeHost.BOOT_ID + " " + FakeHost.PID_NS + "\n", host.read(dir.resolve("owner")));
        assertEquals(ONE.get(0) + "\n", host.read(dir.resolve("leaves/jiso-4000-1")));
        assertEquals(
                List.of(
                        "mkdir /run/jiso",
                        "mkdir /run/jiso/4000",
                        "create /run/jiso/4000/owner",
                        "mkdir /run/jiso/4000/leaves",
                        "create /run/jiso/4000/leaves/jiso-4000-1"),
                host.calls());
        records.gone("jiso-4000-1");
        assertFalse(host.exists(dir.resolve("leaves/jiso-4000-1")));
        records.gone("jiso-4000-1"); // a second removal of the same leaf is harmless
    }

    @Test
    void aUserRecordsInItsRuntimeDirectory() throws Exception {
        Path xdg = Path.of("/run/user/1000");
        host.self(4000, 777, 1000).env("XDG_RUNTIME_DIR", xdg.toString());
        Files.createDirectories(host.real(xdg));
        Files.setPosixFilePermissions(host.real(xdg), PosixFilePermissions.fromString("rwx------"));
        LeafRecords records = new LeafRecords(host);
        records.begin("jiso-4000-1", ONE);
        records.made();
        assertEquals(xdg.resolve("jiso/4000"), records.disk().dir());
    }

    @Test
    void atExitEveryLeafStillRecordedIsKilledAndRemovedWithTheRunState() throws Exception {
        LeafRecords records = new LeafRecords(host);
        records.begin("jiso-4000-1", ONE);
        host.process(101, 1).cgroup(ONE.get(0), 101);
        records.made();
        records.begin("jiso-4000-2", TWO);
        host.cgroup(TWO.get(0));
        records.made();
        assertFalse(records.closing());

        records.removeAllAtExit();
        assertTrue(records.closing());
        assertFalse(host.running(101), "the task of a leaf open at exit killed");
        assertTrue(
                host.calls().contains("write " + ONE.get(0).resolve("cgroup.kill") + " 1"),
                host.calls().toString());
        assertFalse(host.exists(ONE.get(0)) || host.exists(TWO.get(0)), "both leaves removed");
        assertFalse(host.exists(V2.resolve("jiso")), "and the jiso directory they left empty");
        assertFalse(host.exists(Path.of("/run/jiso")), "and the run state");
        HostSetupFailure e = assertThrows(HostSetupFailure.class, () -> records.begin("jiso-4000-3", ONE));
        assertTrue(e.getMessage().contains("the JVM is shutting down"), e.getMessage());
    }

    @Test
    void theHookWaitsForALeafBeingMade() throws Exception {
        LeafRecords records = new LeafRecords(host);
        records.begin("jiso-4000-1", ONE);
        Thread hook = Thread.ofPlatform().start(records::removeAllAtExit);
        hook.join(200);
        assertTrue(hook.isAlive(), "the hook waits while the leaf is being made");
        host.cgroup(ONE.get(0)); // its mkdir, before made()
        records.made();
        hook.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(hook.isAlive());
        assertFalse(host.exists(ONE.get(0)), "the leaf made meanwhile is removed too");
        assertFalse(host.exists(Path.of("/run/jiso/4000")));
    }

    @Test
    void aRunStateThatCannotBeMadeFailsTheLeafAndNamesTheDirectory() throws Exception {
        host.self(4000, 777, 1000); // no XDG_RUNTIME_DIR: /tmp/jiso-1000, planted by another user
        host.owner(Path.of("/tmp/jiso-1000"), 1001);
        Files.createDirectories(host.real(Path.of("/tmp/jiso-1000")));
        LeafRecords records = new LeafRecords(host);
        HostSetupFailure e = assertThrows(HostSetupFailure.class, () -> records.begin("jiso-4000-1", ONE));
        assertTrue(e.getMessage().contains("use /tmp/jiso-1000 as jiso's run-state directory"), e.getMessage());
        assertEquals(List.of(), host.calls("create "), "no record written");
    }
}
