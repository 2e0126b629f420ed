package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.spawn.PlanSize;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plan's length, printed for comparison (the spawn path is the product):
 * a default spawn's mounts are the preset's, by path, with no step of the
 * resolution beneath the root that the caller's mounts get.
 */
class PlanSizeTest {

    @Test
    void theDefaultPlanResolvesNothingBeneathTheRoot() throws Exception {
        var spec = new IsolatedProcessBuilder("/bin/true").spec();
        List<String> template = PlanSize.steps(spec, true);
        List<String> host = PlanSize.steps(spec, false);
        System.out.println("[default plan] from a template: " + template.size() + " steps, from the host: "
                + host.size());
        assertEquals(List.of(), template.stream().filter(s -> s.contains("beneath the root")).toList());
        assertEquals(List.of(), host.stream().filter(s -> s.contains("beneath the root")).toList());
        assertTrue(template.size() < host.size(), "a copy of a template needs fewer steps");
    }

    @Test
    void aCallersBindIsClonedAndAttachedOntoAResolvedTarget() throws Exception {
        var binds = new IsolatedProcessBuilder("/bin/true").bindReadOnly(Path.of("/usr/share"), "/srv/in")
                .bind(Path.of("/usr/share/doc"), "/srv/in/doc/deep").tmpfs("/scratch", 1 << 20).spec();
        List<String> template = PlanSize.steps(binds, true);
        System.out.println("[two binds, one tmpfs] from a template: " + template.size() + " steps, from the host: "
                + PlanSize.steps(binds, false).size());
        // in the template: one open each; beneath the first bind: the bind, then doc, then deep
        assertEquals(List.of("open /srv/in beneath the root, following no symlink",
                "open /srv/in beneath the root, following no symlink",
                "open /srv/in/doc beneath the root, following no symlink",
                "open /srv/in/doc/deep beneath the root, following no symlink",
                "open /scratch beneath the root, following no symlink"),
                template.stream().filter(s -> s.contains("beneath the root")).toList());
    }
}
