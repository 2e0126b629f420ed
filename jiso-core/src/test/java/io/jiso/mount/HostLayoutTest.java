package io.jiso.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The running host's layout as jiso reads it, against the file system seen
 * from the test: a merged-/usr host's /bin is a symlink to recreate, never a
 * directory to bind (binding it would follow the link); and a layout is a
 * value that a caller's lists cannot change afterwards.
 */
class HostLayoutTest {
    @Test
    void eachSystemDirectoryIsBoundOrRecreatedAsTheLinkItIs() throws Exception {
        List<HostLayout.Entry> expected = new ArrayList<>();
        for (String dir : List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
            Path p = Path.of(dir);
            if (Files.isSymbolicLink(p)) {
                expected.add(new HostLayout.Entry(dir, Files.readSymbolicLink(p).toString()));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                expected.add(new HostLayout.Entry(dir, null));
            }
        }
        HostLayout here = HostLayout.current();
        assertEquals(expected, here.systemDirectories());
        assertEquals(Files.isDirectory(Path.of("/etc"), LinkOption.NOFOLLOW_LINKS), here.hasEtc());
        assertTrue(
                here.systemDirectories().stream().noneMatch(e -> e.path().equals("/etc")),
                "/etc is bound or written apart, by Etc");
    }

    @Test
    void thePackageDirectoriesOfEtcAreTheJdksAndAlternativesSorted() throws Exception {
        List<String> expected = new ArrayList<>();
        if (Files.isDirectory(Path.of("/etc/alternatives"), LinkOption.NOFOLLOW_LINKS)) {
            expected.add("/etc/alternatives");
        }
        if (Files.isDirectory(Path.of("/etc"))) {
            try (Stream<Path> etc = Files.list(Path.of("/etc"))) {
                etc.filter(p -> p.getFileName().toString().startsWith("java-"))
                        .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                        .forEach(p -> expected.add(p.toString()));
            }
        }
        expected.sort(null);
        assertEquals(expected, HostLayout.current().packageEtc());
    }

    @Test
    void aLayoutIsAValue() {
        List<HostLayout.Entry> dirs = new ArrayList<>(List.of(new HostLayout.Entry("/usr", null)));
        List<String> etc = new ArrayList<>(List.of("/etc/alternatives"));
        HostLayout layout = new HostLayout(dirs, true, etc);
        dirs.add(new HostLayout.Entry("/bin", "usr/bin"));
        etc.clear();
        assertEquals(List.of(new HostLayout.Entry("/usr", null)), layout.systemDirectories());
        assertEquals(List.of("/etc/alternatives"), layout.packageEtc());
        assertThrows(
                UnsupportedOperationException.class, () -> layout.packageEtc().add("/etc"));
        assertEquals(
                layout,
                new HostLayout(List.of(new HostLayout.Entry("/usr", null)), true, List.of("/etc/alternatives")),
                "equal layouts plan equal roots");
    }
}
