package io.jiso.cgroup;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The hugetlb controller's limits: one per huge page size, hugetlb.SIZE.max on v2, hugetlb.SIZE.limit_in_bytes on v1. */
final class HugetlbKnobs {
    private static final Pattern PAGE_SIZE = Pattern.compile("(\\d+)(KB|MB|GB)");

    /** Bytes per page size as the kernel names it ("2MB", "1GB"), sorted by name. */
    static final Knob<Map<String, Long>> MAX = Knob.<Map<String, Long>>declare(
                    "hugetlbMax", "hugetlbMaxBytes", Controller.HUGETLB, "bytes")
            .rule("a page size like \"2MB\" or \"1GB\", and bytes >= 0 and a multiple of that size", (name, v) -> {
                v.forEach((pageSize, bytes) -> check(name, pageSize, bytes));
                return v;
            })
            .merge((old, added) -> {
                Map<String, Long> m = new TreeMap<>(old);
                m.putAll(added);
                return m;
            })
            .v2("hugetlb.SIZE.max", (leaf, v, all) -> {
                for (Map.Entry<String, Long> e : v.entrySet()) {
                    leaf.write(
                            "hugetlb." + e.getKey() + ".max",
                            Long.toString(e.getValue()),
                            leaf.field() + " " + e.getKey());
                }
            })
            .v1("hugetlb.SIZE.limit_in_bytes", (leaf, v, all) -> {
                for (Map.Entry<String, Long> e : v.entrySet()) {
                    leaf.write(
                            "hugetlb." + e.getKey() + ".limit_in_bytes",
                            Long.toString(e.getValue()),
                            leaf.field() + " " + e.getKey());
                }
            })
            .done();

    static final Knobs.Group GROUP = new Knobs.Group(Controller.HUGETLB, List.of(MAX));

    private HugetlbKnobs() {}

    private static void check(String name, String pageSize, long bytes) {
        Matcher m = PAGE_SIZE.matcher(pageSize == null ? "" : pageSize);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    name + " page size must look like \"2MB\" or \"1GB\", was \"" + pageSize + "\"");
        }
        long unit = switch (m.group(2)) {
            case "KB" -> 1L << 10;
            case "MB" -> 1L << 20;
            default -> 1L << 30;
        };
        long size = Long.parseLong(m.group(1)) * unit;
        if (bytes < 0) {
            throw new IllegalArgumentException(name + " " + pageSize + " must be >= 0 bytes, was " + bytes);
        }
        if (size == 0 || bytes % size != 0) {
            throw new IllegalArgumentException(
                    name + " " + pageSize + " must be a multiple of " + size + " bytes, was " + bytes);
        }
    }
}
