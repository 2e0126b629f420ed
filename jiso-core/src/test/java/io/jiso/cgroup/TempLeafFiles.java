package io.jiso.cgroup;

import io.jiso.plan.SetupFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Limit writes into a temporary directory laid out like a cgroup leaf: each
 * write goes through {@link LeafFiles#KERNEL} into the existing file (so a
 * missing file fails as on a kernel without it), after the file is emptied,
 * and is recorded, since the file itself keeps only the last of several writes
 * the kernel takes as separate commands (io.max, one line per device).
 */
final class TempLeafFiles implements LeafFiles {
    private final Path root;
    private final List<String> writes = new ArrayList<>();

    TempLeafFiles(Path root) {
        this.root = root;
    }

    /** Creates the empty files of a leaf directory (a kernel's leaf has every file of its controllers from mkdir on). */
    static Path leaf(Path dir, String... files) {
        try {
            Files.createDirectories(dir);
            for (String f : files) {
                Files.writeString(dir.resolve(f), "");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(Path dir, String file, String value, String field) throws SetupFailure {
        Path p = dir.resolve(file);
        try {
            if (Files.exists(p)) {
                Files.writeString(p, "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KERNEL.write(dir, file, value, field);
        writes.add(root.relativize(p) + " <- " + value);
    }

    @Override
    public boolean exists(Path dir, String file) {
        return KERNEL.exists(dir, file);
    }

    /** Every write, in order: "dir/file <- value". */
    List<String> writes() {
        return writes;
    }

    /** Every file under the root with its content, the empty ones included: "dir/file" to content. */
    Map<String, String> files() {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), Files.readString(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }
}
