package io.jiso;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Test helper: C programs compiled on the host with gcc, into a directory a sandbox binds. */
final class Programs {
    private Programs() {}

    static void assumeCompiler() {
        Assumptions.assumeTrue(
                Stream.of("/usr/bin/gcc", "/usr/bin/cc").anyMatch(p -> Files.isExecutable(Path.of(p))),
                "needs gcc on the host to build test programs");
    }

    /** Compiles source (C, static so it needs nothing of the sandbox) to dir/name; returns dir. */
    static Path compile(String name, String source, String... flags) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jiso-prog");
        Files.writeString(dir.resolve(name + ".c"), source);
        var cmd = new ArrayList<>(List.of(
                "cc",
                "-O1",
                "-o",
                dir.resolve(name).toString(),
                dir.resolve(name + ".c").toString()));
        cmd.addAll(List.of(flags));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            delete(dir);
            throw new AssertionError("cc failed: " + out);
        }
        dir.toFile().setExecutable(true, false);
        dir.resolve(name).toFile().setExecutable(true, false);
        dir.toFile().setReadable(true, false);
        return dir;
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
