package io.jiso.cgroup;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The limits of one cgroup leaf, in cgroup v2 terms (the v1 driver translates
 * or refuses). Immutable; every setter of the {@link Builder} checks its value
 * at once and throws IllegalArgumentException naming the field and the rule,
 * so a bad value fails where it was written, not at spawn time. Anything left
 * unset stays at the kernel's default (no limit).
 */
public final class CgroupLimits {
    /**
     * No limit: for an ioMax rate, and for memoryMax, memoryHigh, swapMax,
     * zswapMax and pidsMax, where it means the kernel's default (unset).
     */
    public static final long UNLIMITED = -1;

    private static final CgroupLimits NONE = new Builder().build();

    /** One io.max line: rates per second for one block device; {@link #UNLIMITED} where unset. */
    public record IoMax(int major, int minor, long readBytesPerSecond, long writeBytesPerSecond,
                        long readOpsPerSecond, long writeOpsPerSecond) {
        /** The device as cgroup files name it, "major:minor". */
        public String device() {
            return major + ":" + minor;
        }
    }

    private final Long memoryMax;
    private final Long memoryHigh;
    private final Long memoryLow;
    private final Long memoryMin;
    private final Long swapMax;
    private final Long zswapMax;
    private final Boolean oomGroup;
    private final Long cpuQuota;
    private final Long cpuPeriod;
    private final Integer cpuWeight;
    private final String cpusetCpus;
    private final String cpusetMems;
    private final Map<String, IoMax> ioMax;
    private final Integer ioWeight;
    private final Long pidsMax;
    private final Map<String, Long> hugetlbMax;

    private CgroupLimits(Builder b) {
        memoryMax = b.memoryMax;
        memoryHigh = b.memoryHigh;
        memoryLow = b.memoryLow;
        memoryMin = b.memoryMin;
        swapMax = b.swapMax;
        zswapMax = b.zswapMax;
        oomGroup = b.oomGroup;
        cpuQuota = b.cpuQuota;
        cpuPeriod = b.cpuPeriod;
        cpuWeight = b.cpuWeight;
        cpusetCpus = b.cpusetCpus;
        cpusetMems = b.cpusetMems;
        ioMax = Collections.unmodifiableMap(new LinkedHashMap<>(b.ioMax));
        ioWeight = b.ioWeight;
        pidsMax = b.pidsMax;
        hugetlbMax = Collections.unmodifiableMap(new TreeMap<>(b.hugetlbMax));
    }

    /** No limits: the leaf only accounts and controls (freeze, kill). */
    public static CgroupLimits none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True if nothing is limited: the leaf only accounts and controls. */
    public boolean isNone() {
        return memoryMax == null && memoryHigh == null && memoryLow == null && memoryMin == null && swapMax == null
                && zswapMax == null && oomGroup == null && cpuQuota == null && cpuWeight == null && cpusetCpus == null
                && cpusetMems == null && ioMax.isEmpty() && ioWeight == null && pidsMax == null && hugetlbMax.isEmpty();
    }

    public OptionalLong memoryMaxBytes() {
        return opt(memoryMax);
    }

    public OptionalLong memoryHighBytes() {
        return opt(memoryHigh);
    }

    public OptionalLong memoryLowBytes() {
        return opt(memoryLow);
    }

    public OptionalLong memoryMinBytes() {
        return opt(memoryMin);
    }

    public OptionalLong swapMaxBytes() {
        return opt(swapMax);
    }

    public OptionalLong zswapMaxBytes() {
        return opt(zswapMax);
    }

    public Optional<Boolean> oomGroup() {
        return Optional.ofNullable(oomGroup);
    }

    public OptionalLong cpuQuotaMicros() {
        return opt(cpuQuota);
    }

    public OptionalLong cpuPeriodMicros() {
        return opt(cpuPeriod);
    }

    public OptionalInt cpuWeight() {
        return cpuWeight == null ? OptionalInt.empty() : OptionalInt.of(cpuWeight);
    }

    /** The CPU list in canonical form ("0-2,5"). */
    public Optional<String> cpusetCpus() {
        return Optional.ofNullable(cpusetCpus);
    }

    public Optional<String> cpusetMems() {
        return Optional.ofNullable(cpusetMems);
    }

    /** io.max per device, keyed "major:minor". */
    public Map<String, IoMax> ioMax() {
        return ioMax;
    }

    public OptionalInt ioWeight() {
        return ioWeight == null ? OptionalInt.empty() : OptionalInt.of(ioWeight);
    }

    public OptionalLong pidsMax() {
        return opt(pidsMax);
    }

    /** hugetlb limits in bytes, keyed by page size as the kernel names it ("2MB", "1GB"). */
    public Map<String, Long> hugetlbMaxBytes() {
        return hugetlbMax;
    }

    /**
     * Whether these limits set what runtimes size their heap or thread pools
     * from when they can read it: memoryMax or cpuMax.
     */
    public boolean sizesRuntimes() {
        return memoryMax != null || cpuQuota != null;
    }

    /** The controllers these limits need. */
    Set<Controller> controllers() {
        Set<Controller> c = EnumSet.noneOf(Controller.class);
        if (memoryMax != null || memoryHigh != null || memoryLow != null || memoryMin != null
                || swapMax != null || zswapMax != null || oomGroup != null) {
            c.add(Controller.MEMORY);
        }
        if (cpuQuota != null || cpuWeight != null) {
            c.add(Controller.CPU);
        }
        if (cpusetCpus != null || cpusetMems != null) {
            c.add(Controller.CPUSET);
        }
        if (!ioMax.isEmpty() || ioWeight != null) {
            c.add(Controller.IO);
        }
        if (pidsMax != null) {
            c.add(Controller.PIDS);
        }
        if (!hugetlbMax.isEmpty()) {
            c.add(Controller.HUGETLB);
        }
        return c;
    }

    /** The set fields that need this controller, for messages ("memoryMax, swapMax"). */
    String fieldsUsing(Controller c) {
        List<String> f = new ArrayList<>();
        switch (c) {
            case MEMORY -> {
                add(f, "memoryMax", memoryMax);
                add(f, "memoryHigh", memoryHigh);
                add(f, "memoryLow", memoryLow);
                add(f, "memoryMin", memoryMin);
                add(f, "swapMax", swapMax);
                add(f, "zswapMax", zswapMax);
                add(f, "oomGroup", oomGroup);
            }
            case CPU -> {
                add(f, "cpuMax", cpuQuota);
                add(f, "cpuWeight", cpuWeight);
            }
            case CPUSET -> {
                add(f, "cpusetCpus", cpusetCpus);
                add(f, "cpusetMems", cpusetMems);
            }
            case IO -> {
                add(f, "ioMax", ioMax.isEmpty() ? null : ioMax);
                add(f, "ioWeight", ioWeight);
            }
            case PIDS -> add(f, "pidsMax", pidsMax);
            case HUGETLB -> add(f, "hugetlbMax", hugetlbMax.isEmpty() ? null : hugetlbMax);
            default -> {
            }
        }
        return String.join(", ", f);
    }

    private static void add(List<String> f, String name, Object value) {
        if (value != null) {
            f.add(name);
        }
    }

    private static OptionalLong opt(Long v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("CgroupLimits[");
        field(s, "memoryMax", memoryMax);
        field(s, "memoryHigh", memoryHigh);
        field(s, "memoryLow", memoryLow);
        field(s, "memoryMin", memoryMin);
        field(s, "swapMax", swapMax);
        field(s, "zswapMax", zswapMax);
        field(s, "oomGroup", oomGroup);
        field(s, "cpuMax", cpuQuota == null ? null : cpuQuota + "/" + cpuPeriod + "us");
        field(s, "cpuWeight", cpuWeight);
        field(s, "cpusetCpus", cpusetCpus);
        field(s, "cpusetMems", cpusetMems);
        field(s, "ioMax", ioMax.isEmpty() ? null : ioMax.values());
        field(s, "ioWeight", ioWeight);
        field(s, "pidsMax", pidsMax);
        field(s, "hugetlbMax", hugetlbMax.isEmpty() ? null : hugetlbMax);
        return s.append(']').toString();
    }

    private static void field(StringBuilder s, String name, Object value) {
        if (value != null) {
            s.append(s.charAt(s.length() - 1) == '[' ? "" : ", ").append(name).append('=').append(value);
        }
    }

    /** Collects limits; each setter validates its argument immediately. */
    public static final class Builder {
        /** One page: the kernel rounds limits to pages, and a smaller one is a mistake. */
        private static final long MIN_MEMORY = 4096;
        private static final Pattern PAGE_SIZE = Pattern.compile("(\\d+)(KB|MB|GB)");
        private static final Pattern LIST = Pattern.compile("(\\d+)(?:-(\\d+))?");

        private Long memoryMax;
        private Long memoryHigh;
        private Long memoryLow;
        private Long memoryMin;
        private Long swapMax;
        private Long zswapMax;
        private Boolean oomGroup;
        private Long cpuQuota;
        private Long cpuPeriod;
        private Integer cpuWeight;
        private String cpusetCpus;
        private String cpusetMems;
        private final Map<String, IoMax> ioMax = new LinkedHashMap<>();
        private Integer ioWeight;
        private Long pidsMax;
        private final Map<String, Long> hugetlbMax = new TreeMap<>();

        private Builder() {
        }

        /** memory.max: above it the kernel reclaims, then OOM-kills. */
        public Builder memoryMaxBytes(long bytes) {
            memoryMax = bytes == UNLIMITED ? null : atLeast("memoryMax", bytes, MIN_MEMORY, " bytes");
            return this;
        }

        /** memory.high: above it the kernel reclaims hard and throttles, but does not kill. */
        public Builder memoryHighBytes(long bytes) {
            memoryHigh = bytes == UNLIMITED ? null : atLeast("memoryHigh", bytes, MIN_MEMORY, " bytes");
            return this;
        }

        /** memory.low: best-effort protection from reclaim (v1: memory.soft_limit_in_bytes). */
        public Builder memoryLowBytes(long bytes) {
            memoryLow = atLeast("memoryLow", bytes, 0, " bytes");
            return this;
        }

        /** memory.min: hard protection from reclaim (v2 only). */
        public Builder memoryMinBytes(long bytes) {
            memoryMin = atLeast("memoryMin", bytes, 0, " bytes");
            return this;
        }

        /** memory.swap.max; 0 forbids swapping (v1: memsw = memoryMax + this). */
        public Builder swapMaxBytes(long bytes) {
            swapMax = bytes == UNLIMITED ? null : atLeast("swapMax", bytes, 0, " bytes");
            return this;
        }

        /** memory.zswap.max (v2 only). */
        public Builder zswapMaxBytes(long bytes) {
            zswapMax = bytes == UNLIMITED ? null : atLeast("zswapMax", bytes, 0, " bytes");
            return this;
        }

        /** memory.oom.group: an OOM kill takes the whole cgroup, not one process (v2 only). */
        public Builder oomGroup(boolean wholeGroup) {
            oomGroup = wholeGroup;
            return this;
        }

        /**
         * cpu.max: at most quotaMicros of CPU time in every periodMicros of wall
         * time, over all CPUs (50000/100000 is half a CPU, 200000/100000 two).
         */
        public Builder cpuMaxMicros(long quotaMicros, long periodMicros) {
            // The kernel's bounds (kernel/sched/core.c): period 1 ms..1 s, quota at least 1 ms.
            if (periodMicros < 1000 || periodMicros > 1_000_000) {
                throw new IllegalArgumentException("cpuMax period must be in 1000..1000000 microseconds, was " + periodMicros);
            }
            cpuQuota = atLeast("cpuMax quota", quotaMicros, 1000, " microseconds");
            cpuPeriod = periodMicros;
            return this;
        }

        /** cpu.weight, 1..10000, default 100 (v1: cpu.shares, converted as runc does). */
        public Builder cpuWeight(int weight) {
            cpuWeight = (int) inRange("cpuWeight", weight, 1, 10000);
            return this;
        }

        /** cpuset.cpus, a list such as "0-1,3". */
        public Builder cpusetCpus(String list) {
            cpusetCpus = canonicalList("cpusetCpus", list);
            return this;
        }

        /** cpuset.mems, a NUMA node list such as "0". */
        public Builder cpusetMems(String list) {
            cpusetMems = canonicalList("cpusetMems", list);
            return this;
        }

        /**
         * io.max for the block device major:minor (see /sys/class/block/NAME/dev).
         * Each rate is {@link #UNLIMITED} or positive; at least one is set. A
         * second call for the same device replaces the first.
         */
        public Builder ioMax(int major, int minor, long readBytesPerSecond, long writeBytesPerSecond,
                             long readOpsPerSecond, long writeOpsPerSecond) {
            inRange("ioMax major", major, 0, 4095);
            inRange("ioMax minor", minor, 0, (1 << 20) - 1);
            rate("ioMax readBytesPerSecond", readBytesPerSecond);
            rate("ioMax writeBytesPerSecond", writeBytesPerSecond);
            rate("ioMax readOpsPerSecond", readOpsPerSecond);
            rate("ioMax writeOpsPerSecond", writeOpsPerSecond);
            if (readBytesPerSecond == UNLIMITED && writeBytesPerSecond == UNLIMITED
                    && readOpsPerSecond == UNLIMITED && writeOpsPerSecond == UNLIMITED) {
                throw new IllegalArgumentException("ioMax for " + major + ":" + minor + " must limit at least one rate, all were UNLIMITED");
            }
            IoMax m = new IoMax(major, minor, readBytesPerSecond, writeBytesPerSecond, readOpsPerSecond, writeOpsPerSecond);
            ioMax.put(m.device(), m);
            return this;
        }

        /** io.weight, 1..10000, default 100 (v1: blkio.bfq.weight 10..1000). Has effect only with iocost or BFQ. */
        public Builder ioWeight(int weight) {
            ioWeight = (int) inRange("ioWeight", weight, 1, 10000);
            return this;
        }

        /** pids.max: tasks (processes and threads) the cgroup may hold. */
        public Builder pidsMax(long max) {
            pidsMax = max == UNLIMITED ? null : atLeast("pidsMax", max, 1, "");
            return this;
        }

        /** hugetlb.SIZE.max for one huge page size ("2MB", "1GB"); bytes a multiple of that size. */
        public Builder hugetlbMaxBytes(String pageSize, long bytes) {
            Matcher m = PAGE_SIZE.matcher(pageSize == null ? "" : pageSize);
            if (!m.matches()) {
                throw new IllegalArgumentException("hugetlbMax page size must look like \"2MB\" or \"1GB\", was \"" + pageSize + "\"");
            }
            long unit = switch (m.group(2)) {
                case "KB" -> 1L << 10;
                case "MB" -> 1L << 20;
                default -> 1L << 30;
            };
            long size = Long.parseLong(m.group(1)) * unit;
            atLeast("hugetlbMax " + pageSize, bytes, 0, " bytes");
            if (size == 0 || bytes % size != 0) {
                throw new IllegalArgumentException("hugetlbMax " + pageSize + " must be a multiple of " + size + " bytes, was " + bytes);
            }
            hugetlbMax.put(pageSize, bytes);
            return this;
        }

        /** Checks the rules between fields and returns the limits. */
        public CgroupLimits build() {
            if (memoryMax != null) {
                notAbove("memoryHigh", memoryHigh, "memoryMax", memoryMax);
                notAbove("memoryLow", memoryLow, "memoryMax", memoryMax);
                notAbove("memoryMin", memoryMin, "memoryMax", memoryMax);
            }
            notAbove("memoryMin", memoryMin, "memoryLow", memoryLow);
            return new CgroupLimits(this);
        }

        private static void notAbove(String name, Long value, String boundName, Long bound) {
            if (value != null && bound != null && value > bound) {
                throw new IllegalArgumentException(name + " must be <= " + boundName + " (" + bound + " bytes), was " + value);
            }
        }

        private static long atLeast(String name, long value, long min, String unit) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be >= " + min + unit + ", was " + value);
            }
            return value;
        }

        private static long inRange(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
            }
            return value;
        }

        private static void rate(String name, long value) {
            if (value != UNLIMITED && value <= 0) {
                throw new IllegalArgumentException(name + " must be positive or UNLIMITED (-1), was " + value);
            }
        }

        /** Parses "0-1,3" (the kernel's list format) and returns it canonical, e.g. "0-1,3". */
        static String canonicalList(String name, String list) {
            if (list == null || list.isBlank()) {
                throw new IllegalArgumentException(name + " must be a list like \"0-1,3\", was " + (list == null ? "null" : "\"" + list + "\""));
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
                    throw new IllegalArgumentException(name + " has a descending range " + part.strip() + " in \"" + list + "\"");
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
}
