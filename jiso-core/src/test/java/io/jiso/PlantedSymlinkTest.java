package io.jiso;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of {@link PlantAttacks} on each way a root is built: copied from
 * a template (a root JVM's default), from a copy of the host's mount
 * namespace (a runtime with rootTemplates(false)), and in an unprivileged JVM (which
 * always builds from the host's, in a user namespace of its own).
 */
@KernelTest
class PlantedSymlinkTest {

    @Test
    void fromATemplate(@TempDir Path dir) throws Exception {
        Privileges.assumeRoot("root templates are used by a root JVM only");
        assertAllOk(PlantAttacks.runAll(dir, false));
    }

    @Test
    void fromATemplateAsRoot(@TempDir Path dir) throws Exception {
        Privileges.assumeRoot("root templates are used by a root JVM only");
        assertAllOk(PlantAttacks.runAll(dir, true));
    }

    @Test
    void fromTheHostsNamespace(@TempDir Path dir) throws Exception {
        Privileges.assumeRoot("an unprivileged JVM is tested below");
        assertAllOk(withoutTemplates(dir, false));
    }

    @Test
    void fromTheHostsNamespaceAsRoot(@TempDir Path dir) throws Exception {
        Privileges.assumeRoot("an unprivileged JVM is tested below");
        assertAllOk(withoutTemplates(dir, true));
    }

    @Test
    void inAnUnprivilegedJvm(@TempDir Path dir) throws Exception {
        if (!Privileges.jvmIsRoot()) {
            assertAllOk(PlantAttacks.runAll(dir, false));
            return;
        }
        try (UnprivilegedJvm jvm = new UnprivilegedJvm()) {
            assertAllOk(jvm.run(UnprivilegedJvm.USER, UnprivilegedJvm.NO_PRIVILEGES, PlantAttacks.class));
        }
    }

    private static List<String> withoutTemplates(Path dir, boolean asRoot) throws Exception {
        try (JisoRuntime noTemplates =
                JisoRuntime.builder().rootTemplates(false).build()) {
            return PlantAttacks.runAll(dir, asRoot, noTemplates);
        }
    }

    private static void assertAllOk(List<String> results) {
        results.forEach(r -> System.out.println("[plant] " + r));
        assertTrue(results.size() >= 14, "every scenario ran: " + results);
        assertAll(results.stream().map(r -> () -> assertTrue(r.startsWith("ok "), r)));
    }
}
