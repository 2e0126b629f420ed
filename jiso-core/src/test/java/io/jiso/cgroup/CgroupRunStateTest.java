package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.HostOps;
import io.jiso.user.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where jiso's run-state directory goes, and that one another user could
 * have planted (another owner, a symbolic link, writable by others) is
 * refused with a message that says why. Runs as root and unprivileged: the
 * directory is needed before any leaf, delegated or not.
 */
class CgroupRunStateTest {
    private static final long UID = Rootless.jvmUid();
    private Path t;

    @BeforeEach
    void tmp() throws IOException {
        t = Files.createTempDirectory(Path.of("/tmp"), "jiso-runstate-test");
    }

    @AfterEach
    void clean() throws IOException {
        try (Stream<Path> s = Files.walk(t)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void rootUsesRunAndOthersTheirRuntimeDirectory() throws Exception {
        Path xdg = Files.createDirectory(
                t.resolve("xdg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        RunState.Base b = RunState.base(HostOps.LINUX, UID, xdg.toString(), t.resolve("run"), t);
        if (UID == 0) {
            assertEquals(t.resolve("jiso-0"), b.dir(), "root without " + t.resolve("run") + " falls back");
            assertTrue(b.why().contains("does not exist"), b.why());
            Files.createDirectory(t.resolve("run"));
            assertEquals(
                    new RunState.Base(t.resolve("run/jiso"), null),
                    RunState.base(HostOps.LINUX, 0, null, t.resolve("run"), t));
        } else {
            assertEquals(new RunState.Base(xdg.resolve("jiso"), null), b);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(b.dir())));
    }

    @Test
    void withoutAUsableRuntimeDirectoryTheFallbackSaysWhy() throws Exception {
        long me = UID == 0 ? 4343 : UID; // root never looks at XDG_RUNTIME_DIR: a user root makes directories for
        Path fallback = mine(Files.createDirectory(t.resolve("jiso-" + me)), me);
        Files.setPosixFilePermissions(fallback, PosixFilePermissions.fromString("rwx------"));
        assertEquals(
                new RunState.Base(fallback, "XDG_RUNTIME_DIR is not set"),
                RunState.base(HostOps.LINUX, me, null, t.resolve("no-run"), t));
        RunState.Base relative = RunState.base(HostOps.LINUX, me, "run/user", t.resolve("no-run"), t);
        assertEquals(new RunState.Base(fallback, "XDG_RUNTIME_DIR (run/user) is not an absolute path"), relative);
        Path foreign = UID == 0 ? mine(Files.createDirectory(t.resolve("xdg-of-another")), me + 1) : Path.of("/var");
        RunState.Base notMine = RunState.base(HostOps.LINUX, me, foreign.toString(), t.resolve("no-run"), t);
        assertEquals(fallback, notMine.dir());
        assertTrue(notMine.why().startsWith("XDG_RUNTIME_DIR " + foreign + " is owned by uid "), notMine.why());
    }

    /** Gives p to uid when this JVM is root (chown); otherwise it stays this JVM's. */
    private static Path mine(Path p, long uid) throws IOException {
        if (UID == 0) {
            Files.setAttribute(p, "unix:uid", (int) uid);
        }
        return p;
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        long other = UID + 4242;
        Files.createDirectory(t.resolve("jiso-" + other)); // this JVM's: to uid "other", planted by someone else
        HostSetupFailure e = assertThrows(
                HostSetupFailure.class, () -> RunState.base(HostOps.LINUX, other, null, t.resolve("no-run"), t));
        assertEquals(
                "use " + t.resolve("jiso-" + other) + " as jiso's run-state directory (it is owned by uid " + UID
                        + ", not by this JVM's uid " + other
                        + "; jiso records there which cgroups to kill and remove after a crash,"
                        + " so it must be a directory of uid " + other
                        + " alone: remove it, or give this user an XDG_RUNTIME_DIR"
                        + " of its own)",
                e.getMessage());
    }

    @Test
    void aSymbolicLinkIsRefusedAndNotFollowed() throws Exception {
        Path target = Files.createDirectory(t.resolve("elsewhere"));
        Files.createSymbolicLink(t.resolve("jiso-" + UID), target);
        HostSetupFailure e = assertThrows(
                HostSetupFailure.class, () -> RunState.base(HostOps.LINUX, UID, null, t.resolve("no-run"), t));
        assertTrue(e.getMessage().contains("it is a symbolic link"), e.getMessage());
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(0, s.count(), "nothing made through the link");
        }
    }

    @Test
    void aDirectoryOthersMayWriteIsRefused() throws Exception {
        Path d = Files.createDirectory(t.resolve("jiso-" + UID));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        HostSetupFailure e = assertThrows(
                HostSetupFailure.class, () -> RunState.base(HostOps.LINUX, UID, null, t.resolve("no-run"), t));
        assertTrue(e.getMessage().contains("may be written by others (mode 777)"), e.getMessage());
    }
}
