package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.limits.RlimitResource;
import io.jiso.limits.Rlimits;
import io.jiso.limits.RunLimits.Rlimit;
import io.jiso.plan.FeatureUnavailable;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The limits a sandbox's main process gets, computed as start() computes them
 * for a JVM that may or may not raise its own hard limits (ResourceLimitTest
 * reads them in /proc/self/limits of a sandbox), and the setter's checks.
 */
class ResourceLimitDefaultsTest {
    private static final long U = ResourceLimit.UNLIMITED;

    private static Map<ResourceLimit, Rlimit> effective(
            Map<ResourceLimit, Rlimit> explicit,
            Duration cpu,
            boolean userNs,
            boolean mayRaise,
            Map<ResourceLimit, Long> jvmHard)
            throws Exception {
        Map<RlimitResource, Rlimit> internal = new EnumMap<>(RlimitResource.class);
        explicit.forEach((r, v) -> internal.put(r.resource(), v));
        Map<RlimitResource, Long> hard = new EnumMap<>(RlimitResource.class);
        jvmHard.forEach((r, v) -> hard.put(r.resource(), v));
        Map<ResourceLimit, Rlimit> all = new EnumMap<>(ResourceLimit.class);
        Rlimits.effective(internal, cpu, userNs, mayRaise, hard)
                .forEach((r, v) -> all.put(ResourceLimit.valueOf(r.name()), v));
        return all;
    }

    @Test
    void theDefaultsAreTheDocumentedValues() throws Exception {
        Map<ResourceLimit, Rlimit> all = effective(Map.of(), null, false, true, Map.of());
        assertEquals(ResourceLimit.values().length, all.size(), "every limit is set");
        assertEquals(new Rlimit(0, 0), all.get(ResourceLimit.CORE));
        assertEquals(new Rlimit(1024, 1024), all.get(ResourceLimit.NOFILE));
        assertEquals(new Rlimit(8L << 20, U), all.get(ResourceLimit.STACK));
        assertEquals(new Rlimit(8L << 20, 8L << 20), all.get(ResourceLimit.MEMLOCK));
        assertEquals(new Rlimit(819_200, 819_200), all.get(ResourceLimit.MSGQUEUE));
        assertEquals(new Rlimit(16_384, 16_384), all.get(ResourceLimit.SIGPENDING));
        assertEquals(new Rlimit(0, 0), all.get(ResourceLimit.NICE));
        assertEquals(new Rlimit(0, 0), all.get(ResourceLimit.RTPRIO));
        for (ResourceLimit r : new ResourceLimit[] {
            ResourceLimit.AS,
            ResourceLimit.CPU,
            ResourceLimit.DATA,
            ResourceLimit.FSIZE,
            ResourceLimit.LOCKS,
            ResourceLimit.NPROC,
            ResourceLimit.RSS,
            ResourceLimit.RTTIME
        }) {
            assertEquals(new Rlimit(U, U), all.get(r), r.name());
            assertEquals(U, r.defaultSoft());
        }
    }

    @Test
    void aJvmThatCannotRaiseGetsTheDefaultsClampedToItsOwnHardLimits() throws Exception {
        Map<ResourceLimit, Long> jvm = new EnumMap<>(ResourceLimit.class);
        jvm.put(ResourceLimit.STACK, 16L << 20);
        jvm.put(ResourceLimit.NOFILE, 512L);
        jvm.put(ResourceLimit.NPROC, 4000L);
        jvm.put(ResourceLimit.CORE, U);
        Map<ResourceLimit, Rlimit> all = effective(Map.of(), null, false, false, jvm);
        assertEquals(new Rlimit(8L << 20, 16L << 20), all.get(ResourceLimit.STACK), "the soft default fits");
        assertEquals(new Rlimit(512, 512), all.get(ResourceLimit.NOFILE), "soft lowered to the hard");
        assertEquals(new Rlimit(4000, 4000), all.get(ResourceLimit.NPROC), "unlimited becomes the JVM's");
        assertEquals(new Rlimit(0, 0), all.get(ResourceLimit.CORE), "an unlimited ceiling lowers nothing");
        assertEquals(all, effective(Map.of(), null, true, true, jvm), "a new user namespace cannot raise either");
        assertEquals(
                new Rlimit(1024, 1024),
                effective(Map.of(), null, false, true, jvm).get(ResourceLimit.NOFILE),
                "a JVM with CAP_SYS_RESOURCE is not clamped");
    }

    @Test
    void anExplicitHardLimitAboveTheJvmsIsRefusedWhereItCannotBeRaised() throws Exception {
        Map<ResourceLimit, Long> jvm = Map.of(ResourceLimit.NOFILE, 512L);
        FeatureUnavailable e = assertThrows(
                FeatureUnavailable.class,
                () -> effective(Map.of(ResourceLimit.NOFILE, new Rlimit(100, 4096)), null, false, false, jvm));
        assertTrue(
                e.getMessage().contains("RLIMIT_NOFILE")
                        && e.getMessage().contains("4096")
                        && e.getMessage().contains("CAP_SYS_RESOURCE"),
                e.getMessage());
        assertThrows(
                FeatureUnavailable.class,
                () -> effective(Map.of(ResourceLimit.NOFILE, new Rlimit(U, U)), null, true, true, jvm));
        assertEquals(
                new Rlimit(100, 512),
                effective(Map.of(ResourceLimit.NOFILE, new Rlimit(100, 512)), null, false, false, jvm)
                        .get(ResourceLimit.NOFILE),
                "at the JVM's own is allowed");
        assertEquals(
                new Rlimit(100, 4096),
                effective(Map.of(ResourceLimit.NOFILE, new Rlimit(100, 4096)), null, false, true, jvm)
                        .get(ResourceLimit.NOFILE));
    }

    @Test
    void aCpuTimeLimitAddsAWholeSecondBackstopUnlessRlimitCpuIsSet() throws Exception {
        assertEquals(
                new Rlimit(2, 3),
                effective(Map.of(), Duration.ofSeconds(1), false, true, Map.of())
                        .get(ResourceLimit.CPU),
                "SIGXCPU a second after the limit, SIGKILL a second later");
        assertEquals(
                new Rlimit(3, 4),
                effective(Map.of(), Duration.ofMillis(1001), false, true, Map.of())
                        .get(ResourceLimit.CPU),
                "rounded up to whole seconds");
        assertEquals(
                new Rlimit(2, 3),
                effective(Map.of(), Duration.ofMillis(1), false, true, Map.of()).get(ResourceLimit.CPU));
        assertEquals(
                new Rlimit(7, 9),
                effective(Map.of(ResourceLimit.CPU, new Rlimit(7, 9)), Duration.ofSeconds(1), false, true, Map.of())
                        .get(ResourceLimit.CPU),
                "the caller's RLIMIT_CPU wins");
    }

    @Test
    void orderedTreatsUnlimitedAsAboveEveryNumber() {
        assertTrue(ResourceLimit.ordered(1, 2));
        assertTrue(ResourceLimit.ordered(2, 2));
        assertFalse(ResourceLimit.ordered(3, 2));
        assertTrue(ResourceLimit.ordered(5, U));
        assertTrue(ResourceLimit.ordered(U, U));
        assertFalse(ResourceLimit.ordered(U, 5));
    }

    @Test
    void badValuesAreRefusedNamingTheLimitAndTheRule() {
        var b = new IsolatedProcessBuilder("true");
        var e = assertThrows(IllegalArgumentException.class, () -> b.rlimit(ResourceLimit.STACK, 2, 1));
        assertTrue(e.getMessage().contains("STACK") && e.getMessage().contains("soft must be <= hard"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> b.rlimit(ResourceLimit.CORE, ResourceLimit.UNLIMITED, 5));
        assertTrue(e.getMessage().contains("soft must be <= hard"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.rlimit(ResourceLimit.NOFILE, 10, 1L << 40));
        assertTrue(e.getMessage().contains("fs.nr_open"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.rlimit(ResourceLimit.CPU, -5, 10));
        assertTrue(e.getMessage().contains(">= 0"), e.getMessage());
        assertThrows(NullPointerException.class, () -> b.rlimit(null, 1, 1));
    }
}
