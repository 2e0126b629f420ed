package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A failed start says which step failed and why, and leaves no process, fd or mount behind. */
@KernelTest
class FailureCleanupTest {

    @BeforeAll
    static void warmUp() throws Exception {
        Run.sh("true").ok(); // loads the stage, the reaper and the spawner threads, which live for the JVM
    }

    @Test
    void missingBindSourceNamesTheStep() throws Exception {
        ChildSetupException e = assertThrows(
                ChildSetupException.class,
                () -> new IsolatedProcessBuilder("true")
                        .bindReadOnly(Path.of("/no/such/jiso/source"), "/data")
                        .start());
        assertEquals("bind /no/such/jiso/source on /data", e.step());
        assertEquals("ENOENT", e.errnoName());
        assertEquals(2, e.errno());
    }

    @Test
    void missingProgramNamesTheStep() throws Exception {
        ChildSetupException e = assertThrows(
                ChildSetupException.class, () -> new IsolatedProcessBuilder("/usr/bin/no-such-jiso-program").start());
        assertEquals("execute /usr/bin/no-such-jiso-program", e.step());
        assertEquals("ENOENT", e.errnoName());
        ChildSetupException searched = assertThrows(
                ChildSetupException.class, () -> new IsolatedProcessBuilder("no-such-jiso-program").start());
        assertEquals("execute no-such-jiso-program", searched.step());
        assertTrue(
                searched.getMessage().contains("tried /usr/local/sbin/no-such-jiso-program,"), searched.getMessage());
    }

    @Test
    void programThatIsNotExecutableFails() throws Exception {
        ChildSetupException e =
                assertThrows(ChildSetupException.class, () -> new IsolatedProcessBuilder("/etc/passwd").start());
        assertEquals("EACCES", e.errnoName());
    }

    @Test
    void missingWorkingDirectoryNamesTheStep() throws Exception {
        ChildSetupException e = assertThrows(
                ChildSetupException.class,
                () -> new IsolatedProcessBuilder("true")
                        .directory(new File("/nowhere"))
                        .start());
        assertEquals("change directory to /nowhere", e.step());
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    void failedStartsLeaveNothingBehind() throws Exception {
        Leftovers before = Leftovers.now();
        for (int i = 0; i < 200; i++) {
            assertThrows(
                    ChildSetupException.class,
                    () -> new IsolatedProcessBuilder("true")
                            .bindReadOnly(Path.of("/no/such/jiso/source"), "/data")
                            .start());
            assertThrows(ChildSetupException.class, () -> new IsolatedProcessBuilder("/nonexistent").start());
            assertThrows(
                    ChildSetupException.class,
                    () -> new IsolatedProcessBuilder("/nonexistent")
                            .share(Namespace.values())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start());
        }
        assertEquals(before, Leftovers.now(), "fds, children and mounts are as before 600 failed starts");
    }

    @Test
    void successfulRunsLeaveNothingBehind() throws Exception {
        Leftovers before = Leftovers.now();
        for (int i = 0; i < 100; i++) {
            Run.sh("echo $$ >&2").ok();
        }
        assertEquals(before, Leftovers.now());
    }

    @Test
    void badInputsAreRejectedEagerlyNamingTheField() {
        assertMessage("hostname must be 1..64", () -> new IsolatedProcessBuilder("true").hostname("bad host!"));
        assertMessage("hostname must be 1..64", () -> new IsolatedProcessBuilder("true").hostname("a".repeat(65)));
        assertMessage("command must name a program", () -> new IsolatedProcessBuilder(List.of()));
        assertMessage("command must not contain a NUL", () -> new IsolatedProcessBuilder("a\0b"));
        assertMessage(
                "bind: hostPath must be absolute",
                () -> new IsolatedProcessBuilder("true").bind(Path.of("relative"), "/x"));
        assertMessage(
                "bind: sandboxPath must be an absolute path",
                () -> new IsolatedProcessBuilder("true").bind(Path.of("/tmp"), "x"));
        assertMessage(
                "bind: sandboxPath must not contain '.' or '..'",
                () -> new IsolatedProcessBuilder("true").bind(Path.of("/tmp"), "/a/../etc"));
        assertMessage(
                "bind: sandboxPath must not be /", () -> new IsolatedProcessBuilder("true").bind(Path.of("/tmp"), "/"));
        assertMessage(
                "two mounts at /x",
                () -> new IsolatedProcessBuilder("true").tmpfs("/x", 4096).bind(Path.of("/tmp"), "/x"));
        assertMessage("tmpfs: sizeBytes must be >= 4096", () -> new IsolatedProcessBuilder("true").tmpfs("/x", 1));
        assertMessage("tmpSize must be >= 4096", () -> new IsolatedProcessBuilder("true").tmpSize(0));
        assertMessage(
                "directory must be an absolute path",
                () -> new IsolatedProcessBuilder("true").directory(new File("rel")));
        assertMessage(
                "redirectInput: a Redirect of type WRITE",
                () -> new IsolatedProcessBuilder("true").redirectInput(ProcessBuilder.Redirect.DISCARD));
        assertMessage(
                "join: only NET, IPC and UTS", () -> new IsolatedProcessBuilder("true").join(Namespace.PID, null));
        assertMessage("IdMapping.count must be >= 1", () -> new IdMapping(0, 0, 0));
        assertMessage(
                "timeOffsets: monotonic", () -> new IsolatedProcessBuilder("true").timeOffsets(null, Duration.ZERO));
    }

    @Test
    void conflictingChoicesAreRejectedAtStart() throws Exception {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new IsolatedProcessBuilder("true")
                        .tmpfs("/x", 4096)
                        .share(Namespace.MOUNT)
                        .start());
        assertTrue(e.getMessage().contains("MOUNT is shared"), e.getMessage());
        e = assertThrows(
                IllegalStateException.class,
                () -> new IsolatedProcessBuilder("true")
                        .userNamespace(List.of(new IdMapping(1, 100000, 10)), List.of(new IdMapping(0, 100000, 10)))
                        .start());
        assertTrue(e.getMessage().contains("uid 0 and gid 0 must be mapped"), e.getMessage());
        if (Privileges
                .jvmIsRoot()) { // without root every sandbox has its own user namespace: see NamespaceIsolationTest
            List<IdMapping> map = List.of(new IdMapping(0, 100000, 10));
            IsolatedProcess other = new IsolatedProcessBuilder("sleep", "60").start();
            try {
                e = assertThrows(
                        IllegalStateException.class,
                        () -> new IsolatedProcessBuilder("true")
                                .userNamespace(map, map)
                                .join(Namespace.NET, other)
                                .start());
                assertTrue(
                        e.getMessage().contains("userNamespace(..) gives this sandbox a user namespace of its own"),
                        e.getMessage());
            } finally {
                other.destroyForcibly().waitFor();
            }
        }
    }

    private static void assertMessage(String expected, Executable call) {
        Exception e = assertThrows(Exception.class, call);
        assertTrue(
                e instanceof IllegalArgumentException || e instanceof NullPointerException,
                "expected IllegalArgumentException, got " + e);
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" names: " + expected);
    }
}
