package io.jiso;

import io.jiso.mount.HostLayout;
import io.jiso.plan.SetupFailure;
import io.jiso.spawn.HostFacts;
import io.jiso.spawn.SandboxSpec;
import java.util.List;
import java.util.Map;

/**
 * Test support for the tests of other packages: the spec a builder snapshots
 * for a fixed host (a root JVM on a merged-/usr host), as a start() would
 * make it, without root and without starting anything.
 */
public final class Specs {
    private Specs() {}

    /** A Debian-like host with merged /usr and a host /etc. */
    public static final HostLayout LAYOUT = new HostLayout(
            List.of(
                    new HostLayout.Entry("/usr", null),
                    new HostLayout.Entry("/bin", "usr/bin"),
                    new HostLayout.Entry("/lib", "usr/lib")),
            true,
            List.of("/etc/alternatives"));
    /** A root JVM with every capability and no hard limit of its own. */
    public static final HostFacts ROOT = new HostFacts(true, 0, 0, true, true, Map.of(), 2, LAYOUT);

    /** The spec b makes on ROOT. */
    public static SandboxSpec of(IsolatedProcessBuilder b) throws SetupFailure {
        return b.spec(ROOT);
    }
}
