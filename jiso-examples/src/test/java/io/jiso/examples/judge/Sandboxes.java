package io.jiso.examples.judge;

import io.jiso.FeatureUnavailableException;
import io.jiso.IsolatedProcessBuilder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * What the judge's tests need of the host: cgroup leaves for the limits (root,
 * or a delegated cgroup) and each language's compiler. A test that cannot run
 * skips, saying why.
 */
final class Sandboxes {
    private static volatile String noLeaves;
    private static final Set<Language> UNAVAILABLE_SAID = ConcurrentHashMap.newKeySet();

    private Sandboxes() {}

    static void assumeJudgeable(Language language) {
        Assumptions.assumeTrue(
                cgroupLeavesUnavailable().isEmpty(),
                "the judge's limits need a cgroup leaf: " + cgroupLeavesUnavailable());
        language.unavailable().ifPresent(why -> {
            // Surefire's console shows a skip's count, not its reason
            if (UNAVAILABLE_SAID.add(language)) {
                System.out.println("Sandboxes: skipping the " + language + " submissions: " + why);
            }
            Assumptions.abort(language + " cannot be judged: " + why);
        });
    }

    /** Why no sandbox here can have a memory limit, or "" if one can: found out once, by starting one. */
    private static String cgroupLeavesUnavailable() {
        if (noLeaves == null) {
            try {
                new IsolatedProcessBuilder("/bin/true").memoryMax(16 << 20).run(new byte[0]);
                noLeaves = "";
            } catch (FeatureUnavailableException e) {
                noLeaves = e.getMessage();
            } catch (Exception e) {
                throw new AssertionError("a sandbox with a memory limit failed to start for another reason", e);
            }
        }
        return noLeaves;
    }
}
