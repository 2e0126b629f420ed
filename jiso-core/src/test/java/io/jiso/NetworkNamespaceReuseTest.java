package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.spawn.Launcher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A network namespace goes to a second sandbox only when the first left no
 * trace in it (see io.jiso.net.NetworkNamespacePool). Which namespace a
 * sandbox has is told by its inode number, read inside.
 */
@KernelTest
class NetworkNamespaceReuseTest {
    private static final String WHICH = "readlink /proc/self/ns/net";

    @BeforeAll
    static void rootOnly() {
        Privileges.assumeRoot("the namespace pool needs CAP_SYS_ADMIN; without root every sandbox makes its own");
    }

    @BeforeEach
    void poolStartedAndIdle() throws Exception {
        Run.sh("true").ok(); // the first spawn of a JVM starts the pool and makes its own namespace
        settle();
    }

    @Test
    void aNamespaceLeftAsNewIsReusedAndLooksNew() throws Exception {
        String first = Run.sh(WHICH + "; exec 3<>/dev/null").ok().out(); // files, no sockets
        settle();
        Run second = Run.sh(WHICH + "; cat /proc/net/dev /proc/net/sockstat").ok();
        assertTrue(
                second.out().startsWith(first),
                "the second sandbox has the first one's namespace: " + first + " / " + second.out());
        assertTrue(second.out().matches("(?s).*\\n\\s*lo:(\\s+0){16}\\n.*"), "lo has counted nothing: " + second.out());
        assertTrue(second.out().contains("sockets: used 0"), second.out());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "echo x > /dev/udp/127.0.0.1/9", // a datagram on lo
                "echo x > /dev/udp/192.0.2.1/9", // no route: refused, but counted
                "echo x > /dev/udp/::1/9", // IPv6
            })
    void aNamespaceWithAnyTraceOfUseIsNotReused(String use) throws Exception {
        String first =
                Run.sh(WHICH + "; bash -c '" + use + "' 2>/dev/null; true").ok().out();
        settle();
        String second = Run.sh(WHICH).ok().out();
        assertNotEquals(first, second, "after: " + use);
        assertEquals(first.length(), second.length()); // both are net:[inode]
    }

    @Test
    void aNamespaceAnotherSandboxJoinedIsNotReused() throws Exception {
        IsolatedProcess owner = new IsolatedProcessBuilder("/bin/sh", "-c", WHICH + "; exec cat").start();
        IsolatedProcess joiner = null;
        try {
            String ownNet = firstLine(owner);
            joiner = new IsolatedProcessBuilder("/bin/sh", "-c", WHICH + "; exec cat")
                    .join(Namespace.NET, owner)
                    .start();
            String joinerNet = firstLine(joiner);
            assertEquals(ownNet, joinerNet);
            owner.getOutputStream().close();
            assertEquals(0, owner.waitFor());
            settle();
            String next = Run.sh(WHICH).ok().out();
            assertTrue(
                    !next.startsWith(ownNet), "the joiner still lives in " + ownNet + "; the next sandbox has it too");
        } finally {
            owner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (joiner != null) {
                joiner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aSandboxThatKeptACapabilityDoesNotGiveItsNamespaceBack() throws Exception {
        String first = Run.of(new IsolatedProcessBuilder("/bin/sh", "-c", WHICH)
                        .keepCapabilities(Capability.CAP_NET_BIND_SERVICE))
                .ok()
                .out();
        settle();
        assertNotEquals(first, Run.sh(WHICH).ok().out());
    }

    private static String firstLine(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
    }

    @Test
    void aSandboxRunningAsRootDoesNotGiveItsNamespaceBack() throws Exception {
        String first = Run.of(new IsolatedProcessBuilder("/bin/sh", "-c", WHICH).runAsRoot())
                .ok()
                .out();
        settle();
        assertNotEquals(first, Run.sh(WHICH).ok().out());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void reuseIsARuntimeChoice(boolean reuse) throws Exception {
        try (JisoRuntime runtime =
                JisoRuntime.builder().reuseNetworkNamespaces(reuse).build()) {
            Run.of(new IsolatedProcessBuilder(runtime, "true")).ok(); // starts the runtime's pool
            settle();
            String first = Run.of(new IsolatedProcessBuilder(runtime, "/bin/sh", "-c", WHICH))
                    .ok()
                    .out();
            settle();
            String second = Run.of(new IsolatedProcessBuilder(runtime, "/bin/sh", "-c", WHICH))
                    .ok()
                    .out();
            if (reuse) {
                assertEquals(first, second, "reused in a runtime of its own too");
            } else {
                assertNotEquals(first, second);
            }
        }
    }

    /** Housekeeping, including the pool's check of what was given back, is done. */
    private static void settle() throws InterruptedException {
        assertTrue(Launcher.awaitHousekeeping(10_000));
    }
}
