package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.sys.HostOps;
import io.jiso.user.Rootless;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** This JVM's run-state directory, as its first cgroup leaf (or the attempt) makes it; see CgroupRunStateTest. */
@KernelTest
class CgroupRunStateLeafTest {
    private static final long UID = Rootless.jvmUid();

    @Test
    void thisJvmsDirectoryNamesItsPidAndStartTime() throws Exception {
        Privileges.cgroupLeavesUnavailable(); // a first leaf, or its attempt, as every JVM makes it
        Path dir = Cgroups.runStateDir();
        long pid = ProcessHandle.current().pid();
        assertEquals(Long.toString(pid), dir.getFileName().toString());
        Path base = dir.getParent();
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (UID == 0) {
            assertEquals(Path.of("/run/jiso"), base);
        } else if (xdg != null && RunState.untrusted(HostOps.LINUX, Path.of(xdg), UID) == null) {
            assertEquals(Path.of(xdg, "jiso"), base);
        } else {
            assertEquals(Path.of("/tmp/jiso-" + UID), base);
        }
        assertNull(RunState.untrusted(HostOps.LINUX, base, UID));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        RunState.Owner owner = RunState.Owner.parse(Files.readString(dir.resolve(RunState.OWNER)));
        String stat = Files.readString(Path.of("/proc/self/stat"));
        long start = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
        assertEquals(new RunState.Owner(pid, start, owner.bootId(), owner.pidNs()), owner);
        assertTrue(owner.alive(HostOps.LINUX) && owner.sameNamespace(HostOps.LINUX));
        assertTrue(
                !new RunState.Owner(pid, start + 1, owner.bootId(), owner.pidNs()).alive(HostOps.LINUX),
                "another start time is another process");
    }
}
