package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.spawn.Launcher;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** startPipeline connects sandboxes as ProcessBuilder.startPipeline connects processes, and validates alike. */
@KernelTest
class PipelineTest {

    @Test
    void threeSandboxesInARow() throws Exception {
        long pipes = openPipes();
        List<IsolatedProcess> ps = IsolatedProcessBuilder.startPipeline(List.of(
                new IsolatedProcessBuilder("printf", "one two\\nthree\\n"),
                new IsolatedProcessBuilder("tr", "a-z", "A-Z"),
                new IsolatedProcessBuilder("wc", "-w")));
        assertEquals(3, ps.size());
        IsolatedProcess last = ps.get(2);
        assertEquals("3\n", new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        for (IsolatedProcess p : ps) {
            assertEquals(0, p.waitFor());
        }
        assertEquals(-1, ps.get(0).getInputStream().read(), "a connected end reads as empty, as ProcessBuilder's");
        // Each its own sandbox: three different init processes.
        assertNotEquals(ps.get(0).pid(), ps.get(1).pid());
        assertTrue(Launcher.awaitHousekeeping(10_000));
        assertEquals(pipes, openPipes(), "the JVM keeps no end of the inner pipes");
    }

    /** The JVM's open pipe fds (the pools of cgroup leaves and namespaces hold none). */
    private static long openPipes() throws Exception {
        long n = 0;
        for (File f : new File("/proc/self/fd").listFiles()) {
            try {
                n += Files.readSymbolicLink(f.toPath()).toString().startsWith("pipe:") ? 1 : 0;
            } catch (IOException closedMeanwhile) {
                // the listing's own fd
            }
        }
        return n;
    }

    @Test
    void theUpperCaseReallyWentThroughTheMiddleSandbox() throws Exception {
        List<IsolatedProcess> ps = IsolatedProcessBuilder.startPipeline(List.of(
                new IsolatedProcessBuilder("printf", "one two\\n"),
                new IsolatedProcessBuilder("tr", "a-z", "A-Z"),
                new IsolatedProcessBuilder("/bin/sh", "-c", "cat; hostname").hostname("last")));
        assertEquals("ONE TWO\nlast\n", new String(ps.get(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theEndsMayBeRedirectedAndTheInnerOnesMustBePipes(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "a b c d\n");
        Path out = dir.resolve("out");
        List<IsolatedProcess> ps = IsolatedProcessBuilder.startPipeline(List.of(
                new IsolatedProcessBuilder("cat").redirectInput(in.toFile()),
                new IsolatedProcessBuilder("wc", "-w").redirectOutput(out.toFile())));
        assertEquals(0, ps.get(1).waitFor());
        assertEquals("4\n", Files.readString(out));

        IllegalArgumentException first = assertThrows(
                IllegalArgumentException.class,
                () -> IsolatedProcessBuilder.startPipeline(List.of(
                        new IsolatedProcessBuilder("cat").redirectOutput(out.toFile()),
                        new IsolatedProcessBuilder("cat"))));
        assertTrue(
                first.getMessage().startsWith("builder redirectOutput() must be PIPE except for the last builder"),
                first.getMessage());
        IllegalArgumentException second = assertThrows(
                IllegalArgumentException.class,
                () -> IsolatedProcessBuilder.startPipeline(List.of(
                        new IsolatedProcessBuilder("cat"),
                        new IsolatedProcessBuilder("cat").redirectInput(in.toFile()))));
        assertTrue(
                second.getMessage().startsWith("builder redirectInput() must be PIPE except for the first builder"),
                second.getMessage());
        // The JDK says the same for the same mistake.
        IllegalArgumentException jdk = assertThrows(
                IllegalArgumentException.class,
                () -> ProcessBuilder.startPipeline(
                        List.of(new ProcessBuilder("true"), new ProcessBuilder("true").redirectInput(in.toFile()))));
        assertEquals(jdk.getMessage(), second.getMessage());
        assertThrows(
                NullPointerException.class,
                () -> IsolatedProcessBuilder.startPipeline(
                        new ArrayList<>(Arrays.asList(new IsolatedProcessBuilder("cat"), null))));
    }

    @Test
    void aStageThatCannotStartTakesTheStartedOnesWithIt() throws Exception {
        assertThrows(
                ChildSetupException.class,
                () -> IsolatedProcessBuilder.startPipeline(List.of(
                        new IsolatedProcessBuilder("sleep", "1006.5"),
                        new IsolatedProcessBuilder("jiso-no-such-program"))));
        assertEquals(0, ProcessApiTest.hostProcessesWithArgument("1006.5"), "the first stage was killed");
    }
}
