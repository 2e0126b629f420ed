package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.FakeHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jiso's run-state directory on a {@link FakeHost}: where it goes for root
 * and for other users, what a JVM writes there, and how a later JVM judges
 * the owner of what it finds (the same pid and start time, or a reused pid).
 */
class CgroupRunStateUnitTest {
    private static final Path RUN = Path.of("/run");
    private static final Path TMP = Path.of("/tmp");
    private static final List<Path> LEAF = List.of(
            Path.of("/sys/fs/cgroup/unified/jiso/jiso-4000-1"), Path.of("/sys/fs/cgroup/memory/jiso/jiso-4000-1"));

    @TempDir
    Path tmp;

    private FakeHost host;

    @BeforeEach
    void host() throws Exception {
        host = new FakeHost(tmp).self(4000, 777, 0);
        Files.createDirectories(host.real(RUN));
        Files.createDirectories(host.real(TMP));
    }

    private RunState.Owner self() throws Exception {
        return RunState.Owner.of(host, host.pid());
    }

    @Test
    void theOwnerLineNamesPidStartTimeBootAndPidNamespace() throws Exception {
        RunState.Owner self = self();
        assertEquals(new RunState.Owner(4000, 777, FakeHost.BOOT_ID, FakeHost.PID_NS), self);
        assertEquals("4000 777 " + FakeHost.BOOT_ID + " " + FakeHost.PID_NS + "\n", self.line());
        assertEquals(self, RunState.Owner.parse(self.line()));
        assertNull(RunState.Owner.parse("4000 777 boot"), "three fields");
        assertNull(RunState.Owner.parse("4000 x boot ns"), "a start time that is no number");
    }

    @Test
    void anOwnerIsAliveOnlyWithTheSamePidStartTimeAndBoot() throws Exception {
        host.process(5000, 42);
        RunState.Owner owner = new RunState.Owner(5000, 42, FakeHost.BOOT_ID, FakeHost.PID_NS);
        assertTrue(owner.alive(host));
        assertTrue(owner.sameNamespace(host));
        assertFalse(new RunState.Owner(5000, 43, FakeHost.BOOT_ID, FakeHost.PID_NS).alive(host), "a reused pid");
        assertFalse(new RunState.Owner(5000, 42, "another-boot", FakeHost.PID_NS).alive(host), "a JVM of another boot");
        assertFalse(new RunState.Owner(5000, 42, FakeHost.BOOT_ID, "4026532000").sameNamespace(host));
        host.exit(5000);
        assertFalse(owner.alive(host), "no such process");
    }

    @Test
    void rootKeepsItsRunStateInRunJiso() throws Exception {
        assertEquals(new RunState.Base(RUN.resolve("jiso"), null), RunState.base(host, 0, "/run/user/0", RUN, TMP));
        assertTrue(host.isDirectory(RUN.resolve("jiso")));
        Files.delete(host.real(RUN.resolve("jiso")));
        Files.delete(host.real(RUN));
        RunState.Base noRun = RunState.base(host, 0, null, RUN, TMP);
        assertEquals(new RunState.Base(TMP.resolve("jiso-0"), "/run does not exist"), noRun);
    }

    @Test
    void aUserKeepsItsRunStateInItsRuntimeDirectoryIfItIsItsAlone() throws Exception {
        Path xdg = Path.of("/run/user/1000");
        Files.createDirectories(host.real(xdg));
        Files.setPosixFilePermissions(host.real(xdg), PosixFilePermissions.fromString("rwx------"));
        host.owner(xdg, 1000).owner(xdg.resolve("jiso"), 1000).owner(TMP.resolve("jiso-1000"), 1000);
        assertEquals(new RunState.Base(xdg.resolve("jiso"), null), RunState.base(host, 1000, xdg.toString(), RUN, TMP));
        assertEquals(
                new RunState.Base(TMP.resolve("jiso-1000"), "XDG_RUNTIME_DIR is not set"),
                RunState.base(host, 1000, null, RUN, TMP));
        assertEquals(
                new RunState.Base(TMP.resolve("jiso-1000"), "XDG_RUNTIME_DIR (run/user) is not an absolute path"),
                RunState.base(host, 1000, "run/user", RUN, TMP));
        host.owner(xdg, 1001);
        RunState.Base foreign = RunState.base(host, 1000, xdg.toString(), RUN, TMP);
        assertEquals(TMP.resolve("jiso-1000"), foreign.dir());
        assertEquals("XDG_RUNTIME_DIR /run/user/1000 is owned by uid 1001, not by this JVM's uid 1000", foreign.why());
    }

    @Test
    void aBaseSomeoneElseCouldHavePlantedIsRefused() throws Exception {
        Path base = TMP.resolve("jiso-1000");
        host.owner(base, 1001);
        Files.createDirectories(host.real(base));
        HostSetupFailure e = assertThrows(HostSetupFailure.class, () -> RunState.base(host, 1000, null, RUN, TMP));
        assertTrue(e.getMessage().contains("is owned by uid 1001, not by this JVM's uid 1000"), e.getMessage());
        host.owner(base, 1000);
        Files.setPosixFilePermissions(host.real(base), PosixFilePermissions.fromString("rwxrwxrwx"));
        e = assertThrows(HostSetupFailure.class, () -> RunState.base(host, 1000, null, RUN, TMP));
        assertTrue(e.getMessage().contains("may be written by others (mode 777)"), e.getMessage());
        Files.setPosixFilePermissions(host.real(base), PosixFilePermissions.fromString("rwxrwx---"));
        e = assertThrows(HostSetupFailure.class, () -> RunState.base(host, 1000, null, RUN, TMP));
        assertTrue(e.getMessage().contains("may be written by others (mode 770)"), "its group too: " + e.getMessage());
        Files.delete(host.real(base));
        Files.createSymbolicLink(host.real(base), host.real(TMP));
        e = assertThrows(HostSetupFailure.class, () -> RunState.base(host, 1000, null, RUN, TMP));
        assertTrue(e.getMessage().contains("it is a symbolic link"), e.getMessage());
    }

    @Test
    void aJvmWritesItsOwnerThenOneRecordPerLeafAndRemovesThemAgain() throws Exception {
        Path base = RunState.base(host, 0, null, RUN, TMP).dir();
        RunState state = RunState.create(host, base, self());
        Path dir = base.resolve("4000");
        assertEquals(dir, state.dir());
        assertEquals(self().line(), host.read(dir.resolve(RunState.OWNER)));
        state.record("jiso-4000-1", LEAF);
        assertEquals(LEAF.get(0) + "\n" + LEAF.get(1) + "\n", host.read(dir.resolve("leaves/jiso-4000-1")));
        assertThrows(HostSetupFailure.class, () -> state.record("jiso-4000-1", LEAF), "a record is never overwritten");
        state.forget("jiso-4000-1");
        assertFalse(host.exists(dir.resolve("leaves/jiso-4000-1")));
        state.removeIfEmpty();
        assertFalse(host.exists(dir), "its directory");
        assertFalse(host.exists(base), "and the base no other JVM uses");
    }

    @Test
    void atExitTheBaseStaysWhileAnotherJvmUsesIt() throws Exception {
        Path base = RunState.base(host, 0, null, RUN, TMP).dir();
        Files.createDirectories(host.real(base.resolve("5000/leaves")));
        RunState state = RunState.create(host, base, self());
        state.record("jiso-4000-1", LEAF);
        state.removeIfEmpty();
        assertTrue(host.exists(state.dir().resolve("leaves/jiso-4000-1")), "a record left: nothing removed");
        state.forget("jiso-4000-1");
        state.removeIfEmpty();
        assertFalse(host.exists(state.dir()));
        assertTrue(host.exists(base.resolve("5000")), "another JVM's directory");
    }

    @Test
    void aDeadJvmsDirectoryWithThisPidIsClaimedForTheSweep() throws Exception {
        Path base = RunState.base(host, 0, null, RUN, TMP).dir();
        Path old = base.resolve("4000");
        host.put(old.resolve(RunState.OWNER), new RunState.Owner(4000, 5, FakeHost.BOOT_ID, FakeHost.PID_NS).line());
        host.put(old.resolve("leaves/jiso-4000-9"), LEAF.get(0).resolveSibling("jiso-4000-9") + "\n");
        RunState state = RunState.create(host, base, self());
        assertEquals(self().line(), host.read(state.dir().resolve(RunState.OWNER)));
        List<Path> claimed = host.list(base).stream()
                .filter(p -> p.getFileName().toString().startsWith("dead-4000-"))
                .toList();
        assertEquals(1, claimed.size(), host.list(base).toString());
        assertEquals(
                "5",
                RunState.Owner.parse(host.read(claimed.get(0).resolve(RunState.OWNER)))
                                .startTicks() + "",
                "the dead JVM's records are kept for the sweep");
        assertTrue(host.exists(claimed.get(0).resolve("leaves/jiso-4000-9")));
    }

    @Test
    void theBaseIsMadeAgainWhenAnotherJvmsExitRemovedIt() throws Exception {
        Path base = RunState.base(host, 0, null, RUN, TMP).dir();
        Files.delete(host.real(base));
        RunState state = RunState.create(host, base, self());
        assertTrue(host.exists(state.dir().resolve(RunState.OWNER)));
    }
}
