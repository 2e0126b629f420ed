package io.jiso.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the host's system directories are: on merged-/usr systems /bin, /lib
 * and friends are symlinks into /usr and are recreated as symlinks, not bound.
 * The running host's is read once per JVM ({@link #current()}); the host's
 * layout does not change under a running JVM. Another layout plans a fresh
 * root as such a host would (tests).
 *
 * @param systemDirectories the system directories but /etc
 * @param hasEtc            whether the host has an /etc directory
 * @param packageEtc        directories of /etc that programs under /usr need (see io.jiso.Etc.MINIMAL) and the
 *                          host has
 */
public record HostLayout(List<Entry> systemDirectories, boolean hasEtc, List<String> packageEtc) {

    public HostLayout {
        systemDirectories = List.copyOf(systemDirectories);
        packageEtc = List.copyOf(packageEtc);
    }

    /** A system directory: bound read-only, or a symlink recreated as is (symlinkTarget non-null). */
    public record Entry(String path, String symlinkTarget) {}

    private static final List<String> CANDIDATES =
            List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");
    private static final HostLayout CURRENT =
            new HostLayout(probe(), Files.isDirectory(Path.of("/etc"), LinkOption.NOFOLLOW_LINKS), probePackageEtc());

    /** The running host's layout. */
    public static HostLayout current() {
        return CURRENT;
    }

    private static List<String> probePackageEtc() {
        List<String> dirs = new ArrayList<>();
        if (Files.isDirectory(Path.of("/etc/alternatives"), LinkOption.NOFOLLOW_LINKS)) {
            dirs.add("/etc/alternatives");
        }
        try (var java = Files.newDirectoryStream(Path.of("/etc"), "java-*")) {
            for (Path p : java) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(p.toString());
                }
            }
        } catch (IOException e) {
            // no /etc: nothing to bind
        }
        dirs.sort(null);
        return List.copyOf(dirs);
    }

    private static List<Entry> probe() {
        List<Entry> entries = new ArrayList<>();
        for (String dir : CANDIDATES) {
            Path p = Path.of(dir);
            try {
                if (Files.isSymbolicLink(p)) {
                    entries.add(new Entry(dir, Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.add(new Entry(dir, null));
                }
            } catch (IOException e) {
                // unreadable: leave it out of the sandbox
            }
        }
        return List.copyOf(entries);
    }
}
