package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of jiso-core's main classes depend on each other without a
 * cycle. The public API package {@code io.jiso} is the top: it uses the
 * concerns, and no concern uses it (they get what they need through the
 * SandboxSpec, and throw io.jiso.plan's failures, which the API turns into
 * its exceptions). {@code io.jiso.plan} is the bottom the concerns share. The
 * generated bindings ({@code io.jiso.nativegen}) are below everything and are
 * left out.
 */
class PackageCyclesTest {
    private static final String API = "io.jiso";
    private static final String PLAN = "io.jiso.plan";

    /** jiso-core's main classes. */
    private static JavaClasses classes;
    /** package -> package it depends on -> one class-level dependency that shows it. */
    private static Map<String, Map<String, String>> graph;

    @BeforeAll
    static void readClasses() throws URISyntaxException {
        // Where IsolatedProcessBuilder was loaded from: jiso-core's classes, not the bindings' thousands.
        Path main = Path.of(IsolatedProcessBuilder.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        // Classes it only refers to (the bindings, the JDK) are known by name; reading them takes seconds.
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        classes = new ClassFileImporter().importPath(main);
        graph = new TreeMap<>();
        for (JavaClass c : classes) {
            if (!ours(c.getPackageName())) {
                continue;
            }
            Map<String, String> edges = graph.computeIfAbsent(c.getPackageName(), p -> new TreeMap<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                if (ours(target) && !target.equals(c.getPackageName())) {
                    edges.putIfAbsent(target, d.getDescription());
                }
            }
        }
    }

    private static boolean ours(String pkg) {
        return (pkg.equals(API) || pkg.startsWith(API + ".")) && !pkg.startsWith(API + ".nativegen");
    }

    @Test
    void theClassesWereRead() {
        // A test that read nothing would find no cycle: make sure it saw the spawn path.
        assertTrue(
                graph.containsKey("io.jiso.spawn") && graph.containsKey("io.jiso.plan"),
                graph.keySet().toString());
    }

    @Test
    void thePackagesDependOnEachOtherWithoutACycle() {
        List<Set<String>> cycles =
                stronglyConnected(graph).stream().filter(c -> c.size() > 1).toList();
        if (!cycles.isEmpty()) {
            fail("package cycles among io.jiso and io.jiso.*:\n" + explain(cycles, graph));
        }
    }

    @Test
    void noClassBelowTheApiUsesIt() {
        Map<String, List<String>> uses = new TreeMap<>();
        for (JavaClass c : classes) {
            if (!ours(c.getPackageName()) || c.getPackageName().equals(API)) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                if (d.getTargetClass().getPackageName().equals(API)) {
                    uses.computeIfAbsent(c.getPackageName(), p -> new ArrayList<>())
                            .add(d.getDescription());
                }
            }
        }
        assertEquals(Map.of(), uses, "io.jiso uses every concern; a concern that uses io.jiso makes a cycle");
    }

    @Test
    void thePlanPackageIsTheBottom() {
        assertEquals(Map.of(), graph.get(PLAN), "io.jiso.plan depends on no other package of jiso's");
    }

    /** Tarjan's algorithm: the strongly connected components of the package graph. */
    static List<Set<String>> stronglyConnected(Map<String, Map<String, String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        int[] counter = {0};
        for (String v : g.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, g, index, low, stack, onStack, components, counter);
            }
        }
        return components;
    }

    private static void connect(
            String v,
            Map<String, Map<String, String>> g,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<Set<String>> components,
            int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, g, index, low, stack, onStack, components, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            components.add(component);
        }
    }

    /** Each cycle's dependencies between its packages, one class-level example each. */
    private static String explain(List<Set<String>> cycles, Map<String, Map<String, String>> g) {
        StringBuilder b = new StringBuilder();
        for (Set<String> cycle : cycles) {
            b.append("  cycle ").append(cycle).append('\n');
            for (String from : cycle) {
                g.get(from).forEach((to, example) -> {
                    if (cycle.contains(to)) {
                        b.append("    ")
                                .append(from)
                                .append(" -> ")
                                .append(to)
                                .append(": ")
                                .append(example)
                                .append('\n');
                    }
                });
            }
        }
        return b.toString();
    }
}
