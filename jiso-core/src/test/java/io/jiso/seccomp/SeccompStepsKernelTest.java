package io.jiso.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.SeccompPolicies;
import io.jiso.SeccompPolicy;
import io.jiso.capability.CapabilitySteps;
import io.jiso.capability.PrivilegeSpec;
import io.jiso.nativegen.Linux;
import io.jiso.spawn.PlanHarness;
import io.jiso.spawn.PlanHarness.Ran;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SeccompSteps.install in real children, after the privilege drop as in the
 * sandbox (through the native stage, see PlanHarness).
 */
@KernelTest
class SeccompStepsKernelTest {
    private static final String PYTHON = "/usr/bin/python3";

    static Ran run(SeccompPolicy policy, PrivilegeSpec privileges, String... command) throws Exception {
        return PlanHarness.run(
                steps -> {
                    CapabilitySteps.dropPrivileges(steps, privileges, Privileges.jvmIsRoot());
                    SeccompSteps.install(steps, SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(policy)));
                },
                command);
    }

    /**
     * Who the sandbox's program is by default: nobody, or without root (no id
     * but the JVM's own can be mapped) root of its user namespace, with no
     * capabilities either way.
     */
    static PrivilegeSpec sandboxDefault() {
        return Privileges.jvmIsRoot() ? PrivilegeSpec.unprivileged() : PrivilegeSpec.root();
    }

    @Test
    void defaultPolicyAfterThePrivilegeDrop() throws Exception {
        PrivilegeSpec program = sandboxDefault();
        Ran status = run(SeccompPolicy.defaultPolicy(), program, "/bin/cat", "/proc/self/status");
        assertTrue(status.output().contains("Seccomp:\t2"), status.output());
        assertTrue(status.output().contains("NoNewPrivs:\t1"), status.output());
        assertEquals(
                "a\nb\n",
                run(SeccompPolicy.defaultPolicy(), program, "/bin/sh", "-c", "echo b a | tr ' ' '\\n' | sort")
                        .output());
        Ran unshare = run(SeccompPolicy.defaultPolicy(), program, "/usr/bin/unshare", "-U", "true");
        assertNotEquals(0, unshare.exit());
        assertTrue(unshare.output().contains("Operation not permitted"), unshare.output());
    }

    @Test
    void rootWithAllCapabilitiesStillCannotMountUnderTheFilter() throws Exception {
        // No privilege drop at all and no no_new_privs: root with CAP_SYS_ADMIN may install a
        // filter, and the filter alone must stop the mount. In a mount namespace of its own (and,
        // without root, a user namespace), where the mount would otherwise be allowed.
        Path mnt = Files.createTempDirectory("jiso-mnt");
        try {
            Ran ran = PlanHarness.run(
                    Linux.CLONE_NEWNS,
                    null,
                    null,
                    steps -> SeccompSteps.install(
                            steps,
                            SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(SeccompPolicy.defaultPolicy()))),
                    List.of("/bin/mount", "-t", "tmpfs", "none", mnt.toString()));
            assertNotEquals(0, ran.exit(), ran.output());
            assertTrue(
                    ran.output().contains("permission denied") || ran.output().contains("not permitted"), ran.output());
        } finally {
            Files.deleteIfExists(mnt);
        }
    }

    @Test
    void strictRunsAJudgeProgramAsNobody() throws Exception {
        Privileges.assumeRoot("the program is uid 65534, which only root can make it, so that setuid(0) fails");
        assumeTrue(Files.isExecutable(Path.of(PYTHON)));
        Ran ran = run(
                SeccompPolicy.strict(),
                PrivilegeSpec.unprivileged(),
                PYTHON,
                "-c",
                "import os\nprint(sum(range(10)))\ntry:\n os.setuid(0)\nexcept OSError as e:\n print(e.errno)");
        assertEquals("45\n" + Linux.EPERM + "\n", ran.output());
    }

    @Test
    void theConfiguredErrnoReachesTheProgram() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)));
        SeccompPolicy p = SeccompPolicy.defaultPolicy().toBuilder()
                .rule("getcwd", SeccompPolicy.Action.errno("EXDEV"))
                .build();
        Ran ran = run(
                p,
                sandboxDefault(),
                PYTHON,
                "-c",
                "import os\ntry:\n os.getcwd()\nexcept OSError as e:\n print(e.errno)");
        assertEquals(Linux.EXDEV + "\n", ran.output());
    }
}
