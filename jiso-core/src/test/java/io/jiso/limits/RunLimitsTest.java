package io.jiso.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.limits.RunLimits.Rlimit;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A judged run's frozen limits: the rlimits in one fixed order whatever map they came in, and what is watched. */
class RunLimitsTest {

    @Test
    void rlimitsComeInTheEnumsOrderWhateverTheCallersMap() {
        Map<RlimitResource, Rlimit> reversed = new LinkedHashMap<>();
        List<RlimitResource> all = List.of(RlimitResource.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            reversed.put(all.get(i), new Rlimit(i, i));
        }
        RunLimits limits = new RunLimits(reversed, null, null, -1);
        assertEquals(all, List.copyOf(limits.rlimits().keySet()), "the plan sets them in this order");
        assertEquals(new Rlimit(3, 3), limits.rlimits().get(all.get(3)));
    }

    @Test
    void noRlimitAtAllIsAnEmptyMap() {
        assertEquals(Map.of(), new RunLimits(Map.of(), null, null, -1).rlimits());
    }

    @Test
    void theLimitsAreACopyThatCannotChange() {
        Map<RlimitResource, Rlimit> mine = new HashMap<>(Map.of(RlimitResource.NOFILE, new Rlimit(10, 10)));
        RunLimits limits = new RunLimits(mine, null, null, -1);
        mine.put(RlimitResource.CORE, new Rlimit(1, 1));
        mine.put(RlimitResource.NOFILE, new Rlimit(99, 99));
        assertEquals(Map.of(RlimitResource.NOFILE, new Rlimit(10, 10)), limits.rlimits());
        assertThrows(
                UnsupportedOperationException.class, () -> limits.rlimits().put(RlimitResource.AS, new Rlimit(1, 1)));
    }

    @Test
    void aRunIsWatchedWhenAnySandboxWideLimitIsSet() {
        Map<RlimitResource, Rlimit> none =
                Map.of(RlimitResource.CPU, new Rlimit(RlimitResource.UNLIMITED, RlimitResource.UNLIMITED));
        assertFalse(new RunLimits(none, null, null, -1).watched(), "rlimits alone are the kernel's to enforce");
        assertTrue(new RunLimits(none, Duration.ofSeconds(1), null, -1).watched());
        assertTrue(new RunLimits(none, null, Duration.ofMillis(1), -1).watched());
        assertTrue(new RunLimits(none, null, null, 0).watched(), "an output limit of 0 bytes is a limit");
        assertTrue(new RunLimits(none, null, null, 1 << 20).watched());
    }
}
