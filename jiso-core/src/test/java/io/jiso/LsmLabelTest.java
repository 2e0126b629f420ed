package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * apparmorProfile and selinuxLabel: refused where the kernel lacks the LSM,
 * and where AppArmor is there, a loaded profile confines the program (read
 * back from /proc/self/attr/current inside the sandbox).
 */
@KernelTest
class LsmLabelTest {
    private static final Path APPARMOR_ENABLED = Path.of("/sys/module/apparmor/parameters/enabled");
    private static final Path APPARMOR_PARSER = Path.of("/sbin/apparmor_parser");

    private static boolean appArmorEnabled() throws Exception {
        return Files.isReadable(APPARMOR_ENABLED)
                && Files.readString(APPARMOR_ENABLED).strip().equals("Y");
    }

    @Test
    void settersRejectNullEmptyNulControlCharactersAndOverlongNames() {
        for (String field : new String[] {"apparmorProfile", "selinuxLabel"}) {
            Function<String, IsolatedProcessBuilder> set = v -> field.equals("apparmorProfile")
                    ? new IsolatedProcessBuilder("true").apparmorProfile(v)
                    : new IsolatedProcessBuilder("true").selinuxLabel(v);
            for (String bad : new String[] {null, "", "a\0b", "a\nexec b", "a\tb", "x".repeat(4001)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.apply(bad));
                assertTrue(e.getMessage().startsWith(field + " must"), e.getMessage());
            }
            set.apply("x".repeat(4000));
        }
    }

    @Test
    void apparmorProfileIsRefusedWithoutAppArmor() throws Exception {
        assumeTrue(!appArmorEnabled(), "this kernel runs AppArmor");
        FeatureUnavailableException e = assertThrows(
                FeatureUnavailableException.class,
                () -> new IsolatedProcessBuilder("true")
                        .apparmorProfile("jiso-test")
                        .start());
        assertTrue(e.getMessage().contains("AppArmor"), e.getMessage());
    }

    @Test
    void selinuxLabelIsRefusedWithoutSelinux() {
        assumeTrue(!Files.exists(Path.of("/sys/fs/selinux/enforce")), "this kernel runs SELinux");
        FeatureUnavailableException e = assertThrows(
                FeatureUnavailableException.class,
                () -> new IsolatedProcessBuilder("true")
                        .selinuxLabel("system_u:system_r:container_t:s0")
                        .start());
        assertTrue(e.getMessage().contains("SELinux"), e.getMessage());
    }

    @Test
    void aLoadedAppArmorProfileConfinesTheProgram() throws Exception {
        assumeTrue(appArmorEnabled(), "this kernel has no AppArmor (" + APPARMOR_ENABLED + ")");
        assumeTrue(Privileges.jvmIsRoot(), "loading a profile needs root");
        assumeTrue(Files.isExecutable(APPARMOR_PARSER), "needs apparmor_parser (Debian's apparmor package)");
        String name = "jiso-test-" + ProcessHandle.current().pid();
        Path profile = Files.createTempFile("jiso-apparmor", ".profile");
        try {
            // Complain mode: confined (the label shows) without denying what the sandbox needs.
            Files.writeString(profile, "profile " + name + " flags=(complain) {\n}\n");
            Process load = new ProcessBuilder(APPARMOR_PARSER.toString(), "-r", profile.toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(load.getInputStream().readAllBytes());
            assumeTrue(load.waitFor() == 0, "apparmor_parser could not load a profile: " + out);
            try {
                Run r = Run.of(new IsolatedProcessBuilder("cat", "/proc/self/attr/current").apparmorProfile(name))
                        .ok();
                assertEquals(name + " (complain)", r.out().strip().replace("\0", ""));
                ChildSetupException missing = assertThrows(
                        ChildSetupException.class,
                        () -> new IsolatedProcessBuilder("true")
                                .apparmorProfile(name + "-missing")
                                .start());
                assertTrue(
                        missing.getMessage().contains("apply AppArmor profile " + name + "-missing on exec"),
                        missing.getMessage());
            } finally {
                new ProcessBuilder(APPARMOR_PARSER.toString(), "-R", profile.toString())
                        .start()
                        .waitFor();
            }
        } finally {
            Files.deleteIfExists(profile);
        }
    }
}
