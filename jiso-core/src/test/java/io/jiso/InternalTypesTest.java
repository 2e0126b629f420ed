package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jiso.capability.KernelCapability;
import io.jiso.cgroup.AllowedDevice;
import io.jiso.cgroup.LeafUsage;
import io.jiso.limits.RlimitResource;
import io.jiso.namespace.NamespaceType;
import io.jiso.nativegen.Abi;
import io.jiso.seccomp.SeccompCompiler;
import io.jiso.seccomp.SyscallRules;
import io.jiso.user.IdMapLine;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The public vocabulary maps one to one onto the internals' types, which the
 * concerns use so that they need nothing of io.jiso: same names, numbers and
 * defaults, nothing lost either way.
 */
class InternalTypesTest {

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    @Test
    void namespacesHaveTheirTypesCloneFlag() {
        assertEquals(names(NamespaceType.values()), names(Namespace.values()));
        for (Namespace ns : Namespace.values()) {
            assertEquals(ns.name(), ns.type().name());
            assertEquals(ns.type().cloneFlag(), ns.cloneFlag());
        }
    }

    @Test
    void capabilitiesHaveTheirKernelNumbers() {
        assertEquals(names(KernelCapability.values()), names(Capability.values()));
        for (Capability c : Capability.values()) {
            assertEquals(c.name(), c.kernel().name());
            assertEquals(c.kernel().value(), c.value());
        }
    }

    @Test
    void resourceLimitsHaveTheirNumbersAndDefaults() {
        assertEquals(names(RlimitResource.values()), names(ResourceLimit.values()));
        for (ResourceLimit r : ResourceLimit.values()) {
            assertEquals(r.name(), r.resource().name());
            assertEquals(r.resource().kernelNumber(), r.kernelNumber());
            assertEquals(r.resource().defaultSoft(), r.defaultSoft());
            assertEquals(r.resource().defaultHard(), r.defaultHard());
        }
        assertEquals(RlimitResource.UNLIMITED, ResourceLimit.UNLIMITED);
    }

    @Test
    void deviceRulesAndIdMappingsKeepEveryField() {
        assertEquals(
                new AllowedDevice('b', 8, DeviceRule.ANY, "rw"),
                DeviceRule.parse("b 8:* rw").allowed());
        assertEquals("b 8:* rw", DeviceRule.parse("b 8:* rw").allowed().toString());
        assertEquals(
                AllowedDevice.MINIMAL,
                DeviceRule.MINIMAL.stream().map(DeviceRule::allowed).toList());
        assertEquals(new IdMapLine(1, 100000, 65536), new IdMapping(1, 100000, 65536).line());
    }

    @Test
    void aLeafsUsageBecomesTheSameResourceUsage() {
        Map<String, Long> stat = new LinkedHashMap<>();
        stat.put("file", 4096L);
        stat.put("anon", 8192L);
        LeafUsage leaf = new LeafUsage(
                Duration.ofMillis(1),
                Duration.ofMillis(2),
                Duration.ofMillis(4),
                5,
                6,
                7,
                8,
                9,
                10,
                11,
                Map.of("8:0", new LeafUsage.Io(12, 13, 14, 15)),
                stat);
        assertEquals(
                new ResourceUsage(
                        Duration.ofMillis(1),
                        Duration.ofMillis(2),
                        Duration.ofMillis(4),
                        5,
                        6,
                        7,
                        8,
                        9,
                        10,
                        11,
                        Map.of("8:0", new ResourceUsage.Io(12, 13, 14, 15)),
                        stat),
                ResourceUsage.of(leaf));
        assertEquals(
                List.of("file", "anon"),
                List.copyOf(ResourceUsage.of(leaf).memoryStat().keySet()));
        assertEquals(
                new ResourceUsage.Pressure(1.5, 2.5, 3.5, Duration.ofMillis(4), 5.5, 6.5, 7.5, Duration.ofMillis(8)),
                ResourceUsage.Pressure.of(new LeafUsage.Pressure(
                        1.5, 2.5, 3.5, Duration.ofMillis(4), 5.5, 6.5, 7.5, Duration.ofMillis(8))));
        assertEquals(LeafUsage.UNKNOWN, ResourceUsage.UNKNOWN);
        assertEquals(LeafUsage.UNKNOWN_TIME, ResourceUsage.UNKNOWN_TIME);
    }

    @Test
    void aSeccompPolicyKeepsEveryActionAndCheck() {
        assertEquals(names(SyscallRules.Kind.values()), names(SeccompPolicy.Kind.values()));
        assertEquals(names(SyscallRules.Op.values()), names(SeccompPolicy.Op.values()));
        SeccompPolicy p = SeccompPolicy.builder(SeccompPolicy.Action.trap())
                .unknownSyscalls(SeccompPolicy.Action.log())
                .rule(
                        "read",
                        SeccompPolicy.Action.errno(5),
                        SeccompPolicy.arg(0).maskedEq(0xF0, 0x10),
                        SeccompPolicy.arg32(1).ge(-1))
                .rule(
                        "write",
                        SeccompPolicy.Action.killProcess(),
                        SeccompPolicy.arg(2).ne(3))
                .build();
        SyscallRules r = p.syscallRules();
        assertEquals(new SyscallRules.Action(SyscallRules.Kind.TRAP, 0), r.defaultAction());
        assertEquals(new SyscallRules.Action(SyscallRules.Kind.LOG, 0), r.unknownSyscallAction());
        assertEquals(
                List.of(
                        new SyscallRules.Rule(
                                "read",
                                new SyscallRules.Action(SyscallRules.Kind.ERRNO, 5),
                                List.of(
                                        new SyscallRules.ArgCheck(0, SyscallRules.Op.MASKED_EQ, 0x10, 0xF0, false),
                                        new SyscallRules.ArgCheck(
                                                1, SyscallRules.Op.GE, 0xFFFF_FFFFL, 0xFFFF_FFFFL, true))),
                        new SyscallRules.Rule(
                                "write",
                                new SyscallRules.Action(SyscallRules.Kind.KILL_PROCESS, 0),
                                List.of(new SyscallRules.ArgCheck(2, SyscallRules.Op.NE, 3, -1L, false)))),
                r.rules());
    }

    @Test
    void theBuiltInPoliciesReadAsTheyCompile() {
        // Rebuilt from their public rules, jiso's policies compile to the very same filter: the
        // public view of a built-in policy (what toBuilder() starts from) is the policy itself.
        Abi abi = Abi.current();
        for (SeccompPolicy p : List.of(SeccompPolicy.defaultPolicy(), SeccompPolicy.strict())) {
            SeccompPolicy rebuilt = p.toBuilder().build();
            assertNotEquals(p.syscallRules(), rebuilt.syscallRules(), "a new policy is a new object to compile");
            assertEquals(
                    SeccompCompiler.compile(p.syscallRules(), abi),
                    SeccompCompiler.compile(rebuilt.syscallRules(), abi));
            assertEquals(p.rules().size(), rebuilt.syscallRules().rules().size());
        }
    }
}
