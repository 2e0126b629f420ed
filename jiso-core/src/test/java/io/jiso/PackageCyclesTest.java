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
 * cycle, but for one that is known: the public API package {@code io.jiso}
 * holds both the entry points, which use every concern, and the vocabulary
 * every concern speaks (namespaces, capabilities...). The
 * test fails on any other cycle, and when a concern starts to use anything of
 * {@code io.jiso} beyond that vocabulary. The generated bindings
 * ({@code io.jiso.nativegen}) are the bottom and are left out.
 */
class PackageCyclesTest {
    private static final String API = "io.jiso";

    /** What the concerns may use of io.jiso: value types, enums and the exceptions, none of the entry points. */
    private static final Set<String> API_VOCABULARY = Set.of("SeccompPolicy");

    /** The packages in the known cycle with io.jiso: each uses its vocabulary and is used by its entry points. */
    private static final Set<String> KNOWN_API_CYCLE = Set.of("io.jiso.seccomp", "io.jiso.spawn");

    /** jiso-core's main classes. */
    private static JavaClasses classes;
    /** package -> package it depends on -> one class-level dependency that shows it. */
    private static Map<String, Map<String, String>> graph;

    @BeforeAll
    static void readClasses() throws URISyntaxException {
        // Where IsolatedProcessBuilder was loaded from: jiso-core's classes, not the bindings' thousands.
        Path main = Path.of(IsolatedProcessBuilder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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
        assertTrue(graph.containsKey("io.jiso.spawn") && graph.containsKey("io.jiso.plan"), graph.keySet().toString());
    }

    @Test
    void theConcernsDependOnEachOtherWithoutACycle() {
        Map<String, Map<String, String>> internal = new TreeMap<>();
        graph.forEach((p, edges) -> {
            if (!p.equals(API)) {
                Map<String, String> kept = new TreeMap<>(edges);
                kept.remove(API);
                internal.put(p, kept);
            }
        });
        List<Set<String>> cycles = stronglyConnected(internal).stream().filter(c -> c.size() > 1).toList();
        if (!cycles.isEmpty()) {
            fail("package cycles among io.jiso.*:\n" + explain(cycles, internal));
        }
    }

    @Test
    void theOnlyCycleIsThroughTheApiVocabulary() {
        Map<String, List<String>> beyondVocabulary = new TreeMap<>();
        for (JavaClass c : classes) {
            if (!ours(c.getPackageName()) || c.getPackageName().equals(API)) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass t = d.getTargetClass();
                if (t.getPackageName().equals(API)
                        && !API_VOCABULARY.contains(t.getName().substring(API.length() + 1).split("\\$")[0])) {
                    beyondVocabulary.computeIfAbsent(c.getPackageName(), p -> new ArrayList<>())
                            .add(d.getDescription());
                }
            }
        }
        assertEquals(Map.of(), beyondVocabulary, "a concern uses an entry point of io.jiso, which uses every concern:"
                + " a new package cycle");
        Set<String> inCycle = new TreeSet<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.contains(API)) {
                inCycle.addAll(component);
            }
        }
        inCycle.remove(API);
        assertEquals(new TreeSet<>(KNOWN_API_CYCLE), inCycle, "the packages in a cycle with io.jiso");
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

    private static void connect(String v, Map<String, Map<String, String>> g, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> components,
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
                        b.append("    ").append(from).append(" -> ").append(to).append(": ").append(example)
                                .append('\n');
                    }
                });
            }
        }
        return b.toString();
    }
}
