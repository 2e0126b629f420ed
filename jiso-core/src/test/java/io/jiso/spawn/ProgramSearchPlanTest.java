package io.jiso.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the child looks for a program (one execve step per PATH entry) and
 * what a failed search says, with the host's files in a temporary directory;
 * io.jiso.ProgramSearchTest has the same failures from a real sandbox.
 */
class ProgramSearchPlanTest {
    @TempDir
    Path dir;

    @Test
    void theCandidatesAreThePathsDirectoriesInOrderOnce() {
        assertEquals(
                List.of("/opt/bin/cc", "/usr/bin/cc", "/bin/cc"),
                ChildSteps.candidates("cc", "/opt/bin:/usr/bin:/opt/bin:/bin"));
        assertEquals(List.of("./cc", "/bin/cc"), ChildSteps.candidates("cc", ":/bin"), "an empty entry is .");
        assertEquals(List.of("/usr/bin/cc", "/bin/cc"), ChildSteps.candidates("cc", null), "execvp's default");
        assertEquals(List.of("/usr/bin/cc", "/bin/cc"), ChildSteps.candidates("cc", ""));
        assertEquals(List.of("bin/cc"), ChildSteps.candidates("bin/cc", "/usr/bin"), "a slash: as given");
    }

    @Test
    void aSearchCoversItsExecveStepsOnly() {
        ProgramSearch s = new ProgramSearch("cc", "/a:/b", List.of("/a/cc", "/b/cc"), 7);
        assertFalse(s.covers(6));
        assertTrue(s.covers(7));
        assertTrue(s.covers(8));
        assertFalse(s.covers(9));
    }

    @Test
    void notFoundNamesEveryDirectoryTriedAndWhatTheHostHas() throws Exception {
        ProgramSearch nowhere = new ProgramSearch(
                "jiso-no-such-program",
                dir + ":/nonexistent",
                List.of(dir + "/jiso-no-such-program", "/nonexistent/jiso-no-such-program"),
                0);
        String m = nowhere.explain(true);
        assertTrue(
                m.startsWith("jiso-no-such-program not found in the sandbox's PATH " + dir + ":/nonexistent: tried "
                        + dir + "/jiso-no-such-program, /nonexistent/jiso-no-such-program; the host has no"
                        + " jiso-no-such-program in these directories"),
                m);
        assertTrue(m.endsWith(" either"), m);

        Path program = Files.writeString(dir.resolve("jiso-host-only"), "#!/bin/sh\n");
        Path data = Files.writeString(dir.resolve("jiso-not-executable"), "data\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-r--r--"));
        ProgramSearch hostOnly = new ProgramSearch("jiso-host-only", dir.toString(), List.of(program.toString()), 0);
        assertEquals(
                "jiso-host-only not found in the sandbox's PATH " + dir + ": tried " + program + "; the host has "
                        + program + ", but it is not visible in the sandbox (or its interpreter, #! or ELF, is not)",
                hostOnly.explain(true));
        ProgramSearch notExecutable =
                new ProgramSearch("jiso-not-executable", dir.toString(), List.of(data.toString()), 0);
        assertTrue(
                notExecutable.explain(true).contains("the host has no jiso-not-executable"),
                "a file that is not executable is not the program");
    }

    @Test
    void aPathWithASlashIsNotSearchedAndAFailedExecveIsNotNotFound() throws Exception {
        Path program = Files.writeString(dir.resolve("prog"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProgramSearch slash = new ProgramSearch(program.toString(), null, List.of(program.toString()), 0);
        assertEquals(
                program + " not found in the sandbox; the host has " + program + ", but it is not visible in the"
                        + " sandbox (or its interpreter, #! or ELF, is not)",
                slash.explain(true));
        assertEquals(
                "/opt/none/prog not found in the sandbox; the host has no /opt/none/prog either",
                new ProgramSearch("/opt/none/prog", null, List.of("/opt/none/prog"), 0).explain(true));
        assertEquals(program + " could not be executed in the sandbox", slash.explain(false), "no look at the host");
        assertEquals(
                "prog could not be executed in the sandbox's PATH /a:/b: tried /a/prog, /b/prog",
                new ProgramSearch("prog", "/a:/b", List.of("/a/prog", "/b/prog"), 0).explain(false));
    }
}
