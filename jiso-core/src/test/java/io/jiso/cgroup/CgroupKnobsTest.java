package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.IsolatedProcessBuilder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every cgroup limit the builders offer has one descriptor, and the descriptors are complete. */
class CgroupKnobsTest {
    private static final long U = CgroupLimits.UNLIMITED;
    /** Setters of IsolatedProcessBuilder named like a controller's limits that are not cgroup limits. */
    private static final Set<String> NOT_CGROUP_LIMITS = Set.of("cpuTimeLimit");

    private static final List<String> CONTROLLER_PREFIXES =
            List.of("memory", "swap", "zswap", "oom", "cpu", "io", "pids", "hugetlb");

    /** A value out of each knob's rule, for IsolatedProcessBuilder's setter, and the message's start. */
    private static final Map<String, Object[]> BAD = Map.ofEntries(
            Map.entry("memoryMax", new Object[] {12L}), Map.entry("memoryHigh", new Object[] {0L}),
            Map.entry("memoryLow", new Object[] {-1L}), Map.entry("memoryMin", new Object[] {-5L}),
            Map.entry("swapMax", new Object[] {-2L}), Map.entry("zswapMax", new Object[] {Long.MAX_VALUE}),
            Map.entry("cpuMax", new Object[] {10L, 100_000L}), Map.entry("cpuWeight", new Object[] {0}),
            Map.entry("cpusetCpus", new Object[] {"x"}), Map.entry("cpusetMems", new Object[] {"1-0"}),
            Map.entry("ioMax", new Object[] {8, 0, U, U, U, U}), Map.entry("ioWeight", new Object[] {10001}),
            Map.entry("pidsMax", new Object[] {0L}), Map.entry("hugetlbMax", new Object[] {"2MB", 4096L}));

    private static Set<String> knobNames() {
        return Knobs.ALL.stream().map(k -> k.name).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Method setter(Class<?> c, String name) {
        List<Method> m = Arrays.stream(c.getMethods())
                .filter(x -> x.getName().equals(name))
                .toList();
        assertEquals(1, m.size(), c.getSimpleName() + " has one public " + name);
        return m.get(0);
    }

    @Test
    void everyCgroupLimitSetterHasADescriptor() {
        assertEquals(Knobs.ALL.size(), knobNames().size(), "knob names are unique");
        Set<String> limitsSetters = Arrays.stream(CgroupLimits.Builder.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.getName().equals("build"))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(
                limitsSetters,
                Knobs.ALL.stream().map(k -> k.limitsSetter).collect(Collectors.toCollection(TreeSet::new)),
                "CgroupLimits.Builder's setters are the knobs'");
        Set<String> builderLimits = Arrays.stream(IsolatedProcessBuilder.class.getMethods())
                .filter(m -> m.getReturnType() == IsolatedProcessBuilder.class)
                .map(Method::getName)
                .filter(n -> CONTROLLER_PREFIXES.stream().anyMatch(n::startsWith) && !NOT_CGROUP_LIMITS.contains(n))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(knobNames(), builderLimits, "IsolatedProcessBuilder's cgroup limit setters are the knobs' names");
        for (Knob<?> k : Knobs.ALL) {
            assertEquals(
                    Arrays.asList(setter(IsolatedProcessBuilder.class, k.name).getParameterTypes()),
                    Arrays.asList(
                            setter(CgroupLimits.Builder.class, k.limitsSetter).getParameterTypes()),
                    k.name + " takes the same arguments in both builders");
        }
    }

    /** Each setter of IsolatedProcessBuilder reaches its own knob: a bad value fails naming that knob. */
    @Test
    void everyBuilderSetterValidatesByItsKnobsRule() throws Exception {
        Set<String> withRules = new HashSet<>(knobNames());
        withRules.remove(MemoryKnobs.OOM_GROUP.name); // any boolean is valid
        assertEquals(withRules, new TreeSet<>(BAD.keySet()));
        for (Map.Entry<String, Object[]> bad : BAD.entrySet()) {
            Method m = setter(IsolatedProcessBuilder.class, bad.getKey());
            InvocationTargetException e = assertThrows(
                    InvocationTargetException.class,
                    () -> m.invoke(new IsolatedProcessBuilder("/bin/true"), bad.getValue()));
            assertTrue(e.getCause() instanceof IllegalArgumentException, bad.getKey() + ": " + e.getCause());
            assertTrue(
                    e.getCause().getMessage().startsWith(bad.getKey()),
                    e.getCause().getMessage());
        }
    }

    @Test
    void everyKnobSaysWhatItWritesInBothVersions() {
        Set<Controller> controllers = EnumSet.noneOf(Controller.class);
        for (Knobs.Group g : Knobs.GROUPS) {
            assertTrue(controllers.add(g.controller()), "one group per controller: " + g.controller());
            for (Knob<?> k : g.knobs()) {
                assertEquals(g.controller(), k.controller, k.name);
                assertFalse(k.rule.isBlank(), k.name + " states its rule");
                assertFalse(k.v2Files.isBlank(), k.name + " names its v2 files");
                assertTrue(
                        k.v1 != null && !k.v1Files.isBlank() || k.v1Refusal != null,
                        k.name + " names its v1 files or says why v1 cannot have it");
            }
        }
        assertEquals(
                Set.of(
                        Controller.MEMORY,
                        Controller.CPU,
                        Controller.CPUSET,
                        Controller.IO,
                        Controller.PIDS,
                        Controller.HUGETLB),
                controllers);
    }

    @Test
    void reportsShowEveryKnobInDeclarationOrder() {
        CgroupLimits l = CgroupLimits.builder()
                .hugetlbMaxBytes("2MB", 4 << 20)
                .hugetlbMaxBytes("1GB", 1 << 30)
                .pidsMax(16)
                .ioWeight(300)
                .ioMax(8, 0, 1 << 20, U, U, 100)
                .cpusetMems("0")
                .cpusetCpus("1,0")
                .cpuWeight(200)
                .cpuMaxMicros(50_000, 100_000)
                .oomGroup(true)
                .zswapMaxBytes(0)
                .swapMaxBytes(0)
                .memoryMinBytes(4096)
                .memoryLowBytes(8192)
                .memoryHighBytes(1 << 20)
                .memoryMaxBytes(1 << 30)
                .build();
        assertEquals(
                "CgroupLimits[memoryMax=1073741824, memoryHigh=1048576, memoryLow=8192, memoryMin=4096, swapMax=0, "
                        + "zswapMax=0, oomGroup=true, cpuMax=50000/100000us, cpuWeight=200, cpusetCpus=0-1, cpusetMems=0, "
                        + "ioMax=[IoMax[major=8, minor=0, readBytesPerSecond=1048576, writeBytesPerSecond=-1, readOpsPerSecond=-1, "
                        + "writeOpsPerSecond=100]], ioWeight=300, pidsMax=16, hugetlbMax={1GB=1073741824, 2MB=4194304}]",
                l.toString());
        assertEquals(
                EnumSet.of(
                        Controller.MEMORY,
                        Controller.CPU,
                        Controller.CPUSET,
                        Controller.IO,
                        Controller.PIDS,
                        Controller.HUGETLB),
                l.controllers());
        assertEquals(
                "memoryMax, memoryHigh, memoryLow, memoryMin, swapMax, zswapMax, oomGroup",
                l.fieldsUsing(Controller.MEMORY));
        assertEquals("ioMax, ioWeight", l.fieldsUsing(Controller.IO));
        CgroupLimits some = CgroupLimits.builder().swapMaxBytes(0).cpuWeight(3).build();
        assertEquals("swapMax", some.fieldsUsing(Controller.MEMORY));
        assertEquals("", some.fieldsUsing(Controller.PIDS));
        assertEquals(EnumSet.of(Controller.MEMORY, Controller.CPU), some.controllers());
        assertFalse(some.sizesRuntimes());
        assertTrue(CgroupLimits.builder().cpuMaxMicros(1000, 1000).build().sizesRuntimes());
    }
}
