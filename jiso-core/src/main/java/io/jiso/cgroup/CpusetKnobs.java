package io.jiso.cgroup;

import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The cpuset controller's limits: cpuset.cpus and cpuset.mems, the same files in both versions. */
final class CpusetKnobs {
    private static final Pattern LIST = Pattern.compile("(\\d+)(?:-(\\d+))?");
    private static final String RULE = "a list like \"0-1,3\" of indexes < 8192";

    static final Knob<String> CPUS = Knob.<String>declare("cpusetCpus", "cpusetCpus", Controller.CPUSET, "CPU list")
            .rule(RULE, CpusetKnobs::canonicalList)
            .v2File("cpuset.cpus", v -> v)
            .v1File("cpuset.cpus", v -> v)
            .done();

    static final Knob<String> MEMS = Knob.<String>declare(
                    "cpusetMems", "cpusetMems", Controller.CPUSET, "NUMA node list")
            .rule(RULE, CpusetKnobs::canonicalList)
            .v2File("cpuset.mems", v -> v)
            .v1File("cpuset.mems", v -> v)
            .done();

    static final Knobs.Group GROUP = new Knobs.Group(Controller.CPUSET, List.of(CPUS, MEMS));

    private CpusetKnobs() {}

    /** Parses "0-1,3" (the kernel's list format) and returns it canonical, e.g. "0-1,3". */
    static String canonicalList(String name, String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException(
                    name + " must be a list like \"0-1,3\", was " + (list == null ? "null" : "\"" + list + "\""));
        }
        BitSet set = new BitSet();
        for (String part : list.strip().split(",", -1)) {
            Matcher m = LIST.matcher(part.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(name + " must be a list like \"0-1,3\", was \"" + list + "\"");
            }
            int from = parseIndex(name, list, m.group(1));
            int to = m.group(2) == null ? from : parseIndex(name, list, m.group(2));
            if (to < from) {
                throw new IllegalArgumentException(
                        name + " has a descending range " + part.strip() + " in \"" + list + "\"");
            }
            set.set(from, to + 1);
        }
        StringBuilder s = new StringBuilder();
        for (int i = set.nextSetBit(0); i >= 0; ) {
            int end = set.nextClearBit(i) - 1;
            s.append(s.isEmpty() ? "" : ",").append(i).append(end > i ? "-" + end : "");
            i = set.nextSetBit(end + 1);
        }
        return s.toString();
    }

    private static int parseIndex(String name, String list, String digits) {
        // 8192 is NR_CPUS of the largest kernels built; a larger index is a typo.
        if (digits.length() > 5 || Integer.parseInt(digits) >= 8192) {
            throw new IllegalArgumentException(name + " entries must be < 8192, was \"" + list + "\"");
        }
        return Integer.parseInt(digits);
    }
}
