package io.jiso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.nativegen.Abi;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The system calls jiso check makes by number: the numbers are those of both
 * architectures jiso supports (the generated headers say so), and a call
 * gives its result or minus its errno.
 */
class CheckSyscallsTest {
    @Test
    void theNumbersAreTheSameOnEveryArchitectureJisoSupports() {
        for (String arch : new String[] {"amd64", "aarch64"}) {
            Abi abi = Abi.of(arch);
            assertEquals(abi.syscall("pidfd_open"), Syscalls.PIDFD_OPEN, arch);
            assertEquals(abi.syscall("clone3"), Syscalls.CLONE3, arch);
            assertEquals(abi.syscall("landlock_create_ruleset"), Syscalls.LANDLOCK_CREATE_RULESET, arch);
            assertEquals(
                    abi.intConstant("LANDLOCK_CREATE_RULESET_VERSION"), Syscalls.LANDLOCK_CREATE_RULESET_VERSION, arch);
            assertEquals(abi.intConstant("EINVAL"), Syscalls.EINVAL, arch);
            assertEquals(abi.intConstant("ENOSYS"), Syscalls.ENOSYS, arch);
            assertEquals(abi.intConstant("EOPNOTSUPP"), Syscalls.EOPNOTSUPP, arch);
        }
    }

    @Test
    void aCallGivesItsResultOrMinusItsErrno() throws Exception {
        long pid = ProcessHandle.current().pid();
        long fd = Syscalls.call(Syscalls.PIDFD_OPEN, pid, 0, 0);
        assumeTrue(fd != -Syscalls.ENOSYS, "pidfd_open needs Linux 5.3");
        assertTrue(fd >= 0, "pidfd_open of this JVM: " + fd);
        try {
            assertEquals(
                    "anon_inode:[pidfd]",
                    Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } finally {
            Syscalls.close(fd);
        }
        assertEquals(-Syscalls.EINVAL, Syscalls.call(Syscalls.PIDFD_OPEN, pid, -1, 0), "no such flags");
    }
}
