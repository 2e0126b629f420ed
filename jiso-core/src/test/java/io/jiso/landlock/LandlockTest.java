package io.jiso.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.capability.CapabilitySteps;
import io.jiso.capability.PrivilegeSpec;
import io.jiso.spawn.PlanHarness;
import io.jiso.spawn.PlanHarness.Ran;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KernelTest
class LandlockTest {

    @TempDir
    Path dir;

    @Test
    void aDeniedPathCannotBeOpenedThoughItIsThere() throws Exception {
        int abi = Sys.landlockAbiVersion();
        assumeTrue(abi > 0, "this kernel has no Landlock");
        Path rw = Files.createDirectories(dir.resolve("rw"));
        Path ro = Files.createDirectories(dir.resolve("ro"));
        Files.writeString(ro.resolve("file"), "readable\n");
        Path hidden = Files.writeString(dir.resolve("hidden"), "secret\n");
        List<String> exec = new ArrayList<>();
        for (String p : List.of("/usr", "/bin", "/lib", "/lib64")) {
            if (Files.exists(Path.of(p))) {
                exec.add(p);
            }
        }
        LandlockRules rules =
                new LandlockRules(List.of(ro.toString(), "/proc"), List.of(rw.toString(), "/dev/null"), exec);
        String script = "cat " + ro + "/file; cat " + hidden + " || echo hidden-denied; "
                + "echo x > " + rw + "/new && echo rw-ok; echo x > " + ro + "/new || echo ro-denied; "
                + "cp /bin/true " + rw + "/t && " + rw + "/t || echo exec-denied; echo > /dev/null && echo null-ok";
        Ran ran = PlanHarness.run(
                steps -> {
                    // without root the harness's user namespace denies setgroups
                    CapabilitySteps.dropPrivileges(steps, PrivilegeSpec.root(), Privileges.jvmIsRoot());
                    LandlockSteps.restrict(steps, rules, abi, 3);
                },
                "/bin/sh",
                "-c",
                script);
        String out = ran.output();
        assertTrue(out.contains("readable"), out);
        assertTrue(out.contains("hidden-denied"), out);
        assertTrue(out.contains("rw-ok"), out);
        assertTrue(out.contains("ro-denied"), out);
        assertTrue(out.contains("exec-denied"), out);
        assertTrue(out.contains("null-ok"), out);
        assertTrue(!out.contains("secret"), out);
        assertEquals("x\n", Files.readString(rw.resolve("new")));
    }

    @Test
    void aMissingPathIsAClearFailure() throws Exception {
        int abi = Sys.landlockAbiVersion();
        assumeTrue(abi > 0, "this kernel has no Landlock");
        var e = assertThrows(
                IOException.class,
                () -> PlanHarness.run(
                        steps -> {
                            CapabilitySteps.dropPrivileges(steps, PrivilegeSpec.root(), Privileges.jvmIsRoot());
                            LandlockSteps.restrict(
                                    steps,
                                    new LandlockRules(List.of("/no/such/path"), List.of(), List.of("/usr")),
                                    abi,
                                    3);
                        },
                        "/bin/true"));
        assertEquals("open /no/such/path for Landlock: ENOENT", e.getMessage());
    }
}
