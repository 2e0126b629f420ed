package io.jiso.cli;

import static io.jiso.cli.Cli.jiso;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** jiso check and jiso sweep (--version and help: CliUsageTest). */
@KernelTest
class CheckSweepVersionTest {
    @Test
    void checkNamesTheLayoutAndStartsADefaultSandbox() throws Exception {
        Cli.Result r = jiso("check");
        assertEquals(0, r.exit(), "the defaults work where this suite runs: " + r);
        String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        boolean v2 = mountinfo.contains(" - cgroup2 ");
        boolean v1 = mountinfo.contains(" - cgroup ");
        String layout = v2 && v1 ? "hybrid" : v2 ? "v2" : "v1";
        assertTrue(r.out().contains("layout: " + layout), "layout " + layout + " in\n" + r.out());
        assertTrue(r.out()
                .contains("release: "
                        + Files.readString(Path.of("/proc/sys/kernel/osrelease"))
                                .strip()));
        assertTrue(r.out().contains("verdict: jiso's defaults work here"), r.out());
        System.out.println(r.out());

        Cli.Result json = jiso("check", "--json");
        assertEquals(0, json.exit(), json.toString());
        JsonNode info = new ObjectMapper().readTree(json.out());
        assertEquals("ok", info.at("/trialSandboxes/defaults/result").asText(), json.out());
        assertTrue(info.at("/cgroups/layout").asText().startsWith(layout), json.out());
        assertTrue(info.at("/kernelFeatures/landlock").isTextual());
        assertTrue(info.at("/userNamespaces/allowed").asText().matches("yes.*|no: .+"), json.out());
        if (Files.exists(Path.of("/sys/kernel/security/lsm"))
                && Files.readString(Path.of("/sys/kernel/security/lsm")).contains("landlock")) {
            assertTrue(info.at("/kernelFeatures/landlock").asText().startsWith("ABI "), json.out());
        }
    }

    @Test
    void sweepRemovesTheLeafOfAKilledJiso() throws Exception {
        Cli.assumeCgroupLeaves();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--quiet",
                "--memory",
                "64M",
                "--",
                "sleep",
                "60"));
        Process jvm = new ProcessBuilder(command)
                .redirectOutput(new File("/dev/null"))
                .redirectError(new File("/dev/null"))
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (jvm.descendants().count() < 2 && System.nanoTime() < deadline) { // jiso-init and sleep
                Thread.sleep(50);
            }
            assertTrue(jvm.descendants().count() >= 2, "the sandbox started");
        } finally {
            jvm.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook removes the leaf
        }
        Cli.Result r = jiso("sweep", "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonNode removed = new ObjectMapper().readTree(r.out()).get("removed");
        JsonNode ours = null;
        for (JsonNode n : removed) {
            if (n.get("jvmPid").asLong() == jvm.pid()) {
                ours = n;
            }
        }
        // Any JVM of this user that makes a leaf sweeps too (other test runs on the machine).
        Assumptions.assumeTrue(ours != null, "another JVM swept the killed one's leaf first: " + r.out());
        assertTrue(ours.get("directories").size() >= 1, ours.toString());
        for (JsonNode d : ours.get("directories")) {
            assertFalse(Files.exists(Path.of(d.asText())), "removed: " + d);
        }
        Cli.Result again = jiso("sweep");
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.out().contains("JVM " + jvm.pid() + ","), again.out());
    }
}
