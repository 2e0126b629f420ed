package io.jiso.cli;

import io.jiso.IsolatedProcess;
import io.jiso.IsolatedProcessBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * jiso check: what the host offers jiso and, where something is missing, why;
 * then the test that settles it, a default sandbox running {@code true}.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Shows what this host offers jiso (kernel, cgroups, user namespaces, Landlock, seccomp,"
                    + " clone3, pidfd, subordinate ids, security modules) and why where it does not, then starts a"
                    + " default sandbox running true.",
            "Exit status: 0 when that sandbox ran, 1 when it could not start (the reason is printed)."
        })
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print the same as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("host", HostFacts.kernel());
        info.put("cgroups", HostFacts.cgroups());
        info.put("userNamespaces", HostFacts.userNamespaces());
        info.put("kernelFeatures", HostFacts.kernelFeatures());
        info.put("subordinateIds", HostFacts.subordinateIds());
        info.put("securityModules", HostFacts.securityModules());
        info.put("rootTemplates", HostFacts.rootTemplates());
        Map<String, Object> trials = new LinkedHashMap<>();
        Map<String, Object> defaults = trial(new IsolatedProcessBuilder("true"));
        trials.put("defaults", defaults);
        trials.put("withMemoryLimit", trial(new IsolatedProcessBuilder("true").memoryMax(64L << 20)));
        info.put("trialSandboxes", trials);
        boolean ok = "ok".equals(defaults.get("result"));
        info.put(
                "verdict",
                ok ? "jiso's defaults work here" : "jiso's defaults cannot work here: " + defaults.get("result"));

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(ReportFiles.JSON.writeValueAsString(info));
        } else {
            print(out, info, "");
        }
        out.flush();
        return ok ? 0 : 1;
    }

    /** Starts the sandbox and waits: "ok" and its leaf, or the exception's message (the failed step, the errno). */
    private static Map<String, Object> trial(IsolatedProcessBuilder builder) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            IsolatedProcess p = builder.start();
            int exit = p.waitFor();
            m.put("result", exit == 0 ? "ok" : "true exited with " + exit);
            m.put("cgroupLeaf", p.cgroupName().orElse("none"));
        } catch (IOException | RuntimeException e) {
            m.put("result", e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            m.put("result", "interrupted");
        }
        return m;
    }

    /** podman info's layout: "key: value", nested maps indented. */
    private static void print(PrintWriter out, Map<String, Object> map, String indent) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> sub) {
                out.println(indent + e.getKey() + ":");
                @SuppressWarnings("unchecked")
                Map<String, Object> nested = (Map<String, Object>) sub;
                print(out, nested, indent + "  ");
            } else if (e.getValue() instanceof List<?> list) {
                out.println(indent + e.getKey() + ":");
                list.forEach(v -> out.println(indent + "  - " + v));
            } else {
                out.println(indent + e.getKey() + ": " + e.getValue());
            }
        }
    }
}
