package io.jiso.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding newuidmap and newgidmap, the lookup behind both the library's
 * refusal and the skip of the tests that need them; a host without them is
 * played by directories that lack them.
 */
class IdMapHelperTest {
    @Test
    void aMissingHelperIsNamedWithWhereItWasLookedForAndItsPackage(@TempDir Path empty) {
        List<Path> dirs = List.of(empty, empty.resolve("sbin"));
        assertNull(IdMapHelper.UID.find(dirs));
        assertEquals(
                "newuidmap is not installed (looked in " + empty + ", " + empty.resolve("sbin")
                        + "; Debian and Ubuntu have it in the package uidmap, Fedora in shadow-utils)",
                IdMapHelper.UID.whyMissing(dirs));
    }

    @Test
    void aHelperInAnyOfTheDirectoriesIsFound(@TempDir Path dir) throws Exception {
        Path helper = Files.createFile(Files.createDirectory(dir.resolve("bin")).resolve("newgidmap"));
        List<Path> dirs = List.of(dir.resolve("usr-bin"), dir.resolve("bin"));
        assertEquals(helper, IdMapHelper.GID.find(dirs));
        assertEquals("", IdMapHelper.GID.whyMissing(dirs));
    }

    @Test
    void aDirectoryNamedLikeTheHelperIsNotIt(@TempDir Path dir) throws Exception {
        Files.createDirectory(dir.resolve("newuidmap"));
        assertNull(IdMapHelper.UID.find(List.of(dir)));
    }
}
