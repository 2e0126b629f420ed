package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The spawn path under the conditions that hang a JVM that runs Java in a
 * forked child: 4 threads x 5,000 spawns with full default isolation while 2
 * threads churn garbage in a 256 MB heap. Zero hangs, zero leaked fds, mounts
 * or processes.
 */
@KernelTest
class SpawnStressTest {
    @Test
    void twentyThousandSpawnsUnderGcChurnNeitherHangNorLeak() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(
                        java.toString(),
                        "-Xmx256m",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SpawnStress.class.getName(),
                        "4",
                        "5000"))
                .redirectErrorStream(true)
                .start();
        var output = Run.drain(p.getInputStream());
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "the stress run finished");
        String out = output.join();
        String line = out.lines()
                .filter(l -> l.startsWith("RESULT "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no result line:\n" + out));
        System.out.println(line);
        Map<String, String> r = new HashMap<>();
        for (String kv : line.substring(7).split(" ")) {
            String[] parts = kv.split("=", 2);
            r.put(parts[0], parts[1]);
        }
        assertEquals("20000", r.get("spawns"), out);
        assertEquals("0", r.get("hangs"));
        assertEquals("0", r.get("failures"), out);
        assertEquals(r.get("fdsBefore"), r.get("fdsAfter"), "no fd leaked");
        assertEquals(r.get("mountsBefore"), r.get("mountsAfter"), "no mount leaked");
        assertEquals("[]", r.get("children"), "no child process left");
        assertEquals(0, p.exitValue(), new String(out.getBytes(StandardCharsets.UTF_8)));
    }
}
