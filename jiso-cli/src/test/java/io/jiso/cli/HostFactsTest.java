package io.jiso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.security.auth.module.UnixSystem;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The facts jiso check reports that come from the JVM's own view of the host, checked against the JDK's. */
class HostFactsTest {
    @Test
    void theKernelVersionComparesByMajorThenMinor() {
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1].replaceAll("\\D.*", ""));
        assertTrue(HostFacts.atLeast(major, minor), "the running kernel is at least itself");
        assertTrue(HostFacts.atLeast(major, 0));
        assertTrue(HostFacts.atLeast(major - 1, minor + 50), "a higher major wins over any minor");
        assertFalse(HostFacts.atLeast(major, minor + 1));
        assertFalse(HostFacts.atLeast(major + 1, 0));
    }

    @Test
    void rootIsTheJvmsUidNotItsName() {
        assertEquals(new UnixSystem().getUid() == 0, HostFacts.jvmIsRoot());
        Map<String, Object> kernel = HostFacts.kernel();
        assertEquals(System.getProperty("os.arch"), kernel.get("architecture"));
        assertTrue(kernel.get("jvmUser").toString().endsWith(HostFacts.jvmIsRoot() ? " (root)" : " (not root)"));
    }

    @Test
    void aFileThatCannotBeReadIsNoFact() {
        assertNull(HostFacts.read("/proc/no-such-file"));
        assertEquals(
                HostFacts.read("/proc/sys/kernel/osrelease"),
                System.getProperty("os.version"),
                "stripped of its newline");
    }
}
