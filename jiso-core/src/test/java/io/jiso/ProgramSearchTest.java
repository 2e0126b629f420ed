package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A program the sandbox cannot find: the error names the command, the PATH, every file tried and the host's copy. */
@KernelTest
class ProgramSearchTest {
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @Test
    void aProgramNobodyHasNamesEveryDirectoryTried() {
        ChildSetupException e = assertThrows(
                ChildSetupException.class, () -> new IsolatedProcessBuilder("jiso-no-such-program", "x").start());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("execute jiso-no-such-program", e.step());
        String message = e.getMessage();
        assertTrue(
                message.contains("jiso-no-such-program not found in the sandbox's PATH " + PATH + ": tried "
                        + "/usr/local/sbin/jiso-no-such-program, /usr/local/bin/jiso-no-such-program, "
                        + "/usr/sbin/jiso-no-such-program, /usr/bin/jiso-no-such-program, /sbin/jiso-no-such-program, "
                        + "/bin/jiso-no-such-program"),
                message);
        assertTrue(message.contains("the host has no jiso-no-such-program in these directories"), message);
    }

    @Test
    void aProgramOnlyTheHostSeesIsNamed(@TempDir Path dir) throws Exception {
        // A directory of the host, in the sandbox's PATH, that no bind makes visible inside.
        Path program = dir.resolve("jiso-host-only");
        Files.writeString(program, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // for nobody inside
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("jiso-host-only");
        b.environment().put("PATH", dir + ":/usr/bin:/bin");
        ChildSetupException e = assertThrows(ChildSetupException.class, b::start);
        assertTrue(
                e.getMessage()
                        .contains("jiso-host-only not found in the sandbox's PATH " + dir + ":/usr/bin:/bin: tried "
                                + program + ", /usr/bin/jiso-host-only, /bin/jiso-host-only; the host has " + program
                                + ", but it is not visible in the sandbox"),
                e.getMessage());

        // Bound into the sandbox (outside its private /tmp) and in its PATH, it is found.
        b.bindReadOnly(dir, "/jiso-bin").environment().put("PATH", "/jiso-bin:/usr/bin:/bin");
        assertEquals("hi\n", Run.of(b).ok().out());
    }

    @Test
    void aPathWithASlashIsNotSearched() {
        ChildSetupException e = assertThrows(
                ChildSetupException.class, () -> new IsolatedProcessBuilder("/opt/jiso-nowhere/prog").start());
        assertTrue(
                e.getMessage()
                        .contains("/opt/jiso-nowhere/prog not found in the sandbox; the host has no"
                                + " /opt/jiso-nowhere/prog either"),
                e.getMessage());
    }
}
