package io.jiso.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jiso.user.SubordinateIdFile.Range;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /etc/subuid-style files read from disk (temporary copies): absent, unreadable, and written by other tools. */
class SubordinateIdFileOnDiskTest {

    @Test
    void anAbsentFileGivesNoRange(@TempDir Path dir) throws IOException {
        assertEquals(List.of(), SubordinateIdFile.rangesOf(dir.resolve("subuid"), "alice", 1000));
    }

    @Test
    void aFileThatCannotBeReadIsAnErrorNotAnEmptyList(@TempDir Path dir) throws IOException {
        Path notAFile = Files.createDirectory(dir.resolve("subuid"));
        assertThrows(IOException.class, () -> SubordinateIdFile.rangesOf(notAFile, "alice", 1000));
    }

    @Test
    void windowsLineEndsAndNoFinalNewlineAreRead(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("subgid"), "alice:100000:65536\r\nbob:1:1\r\n1000:200000:5");
        assertEquals(
                List.of(new Range(100000, 65536), new Range(200000, 5)), SubordinateIdFile.rangesOf(f, "alice", 1000));
    }

    @Test
    void ownersAreMatchedWholeNotByPrefixAndUidsOnlyAsNumbers(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("subuid"), """
                alice2:1000:10
                alic:2000:10
                01000:3000:10
                1000x:4000:10
                alice:5000:10
                """);
        assertEquals(
                List.of(new Range(3000, 10), new Range(5000, 10)),
                SubordinateIdFile.rangesOf(f, "alice", 1000),
                "a numeric owner is compared as a number: 01000 is uid 1000");
        assertEquals(List.of(new Range(1000, 10)), SubordinateIdFile.rangesOf(f, "alice2", 7));
        assertEquals("100000-165535", new Range(100000, 65536).toString(), "inclusive, as the files' users think");
    }
}
