package io.jiso.cli;

import io.jiso.Sweep;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** jiso sweep: removes the cgroup leaves of JVMs of this user that died without cleaning up. */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {
            "Removes the cgroup leaves that JVMs of this user which are gone left behind (killed,"
                    + " crashed), killing what still runs in them, and says what it removed.",
            "Every JVM does this at its first sandbox; this is for an operator."
        })
final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print what was removed as JSON")
    boolean json;

    @Option(
            names = {"-q", "--quiet"},
            description = "print nothing when nothing was removed")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        List<Sweep.Removed> removed = Sweep.deadJvms();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Sweep.Removed r : removed) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("jvmPid", r.jvmPid());
                m.put("leaf", r.leaf());
                m.put(
                        "directories",
                        r.directories().stream().map(Path::toString).sorted().toList());
                m.put("killedPids", r.killedPids().stream().sorted().toList());
                list.add(m);
            }
            out.println(ReportFiles.JSON.writeValueAsString(Map.of("removed", list)));
        } else if (removed.isEmpty()) {
            if (!quiet) {
                out.println("nothing to sweep: no leaf of a JVM that is gone");
            }
        } else {
            for (Sweep.Removed r : removed) {
                out.println("removed " + r.leaf() + " of JVM " + r.jvmPid()
                        + (r.killedPids().isEmpty()
                                ? ""
                                : ", killed " + r.killedPids().stream().sorted().toList()));
                r.directories().stream().sorted().forEach(d -> out.println("  " + d));
            }
        }
        out.flush();
        return 0;
    }
}
