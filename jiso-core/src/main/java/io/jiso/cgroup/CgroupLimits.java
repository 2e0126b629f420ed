package io.jiso.cgroup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * The limits of one cgroup leaf, in cgroup v2 terms (the v1 driver translates
 * or refuses). Immutable; every setter of the {@link Builder} checks its value
 * at once and throws IllegalArgumentException naming the field and the rule,
 * so a bad value fails where it was written, not at spawn time. Anything left
 * unset stays at the kernel's default (no limit). Each limit is declared once,
 * as a {@link Knob} in the file of its controller; this class keeps the values.
 */
public final class CgroupLimits {
    /**
     * No limit: for an ioMax rate, and for memoryMax, memoryHigh, swapMax,
     * zswapMax and pidsMax, where it means the kernel's default (unset).
     */
    public static final long UNLIMITED = -1;

    private static final CgroupLimits NONE = new Builder().build();

    /** One io.max line: rates per second for one block device; {@link #UNLIMITED} where unset. */
    public record IoMax(
            int major,
            int minor,
            long readBytesPerSecond,
            long writeBytesPerSecond,
            long readOpsPerSecond,
            long writeOpsPerSecond) {
        /** The device as cgroup files name it, "major:minor". */
        public String device() {
            return major + ":" + minor;
        }
    }

    /** The set knobs' values; a knob not in it is unset. */
    private final Map<Knob<?>, Object> values;

    private CgroupLimits(Builder b) {
        Map<Knob<?>, Object> v = new HashMap<>(b.values);
        v.computeIfPresent(IoKnobs.MAX, (k, m) -> Collections.unmodifiableMap(new LinkedHashMap<>(ioMaxOf(m))));
        v.computeIfPresent(HugetlbKnobs.MAX, (k, m) -> Collections.unmodifiableMap(new TreeMap<>(hugetlbOf(m))));
        values = Map.copyOf(v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, IoMax> ioMaxOf(Object m) {
        return (Map<String, IoMax>) m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> hugetlbOf(Object m) {
        return (Map<String, Long>) m;
    }

    /** No limits: the leaf only accounts and controls (freeze, kill). */
    public static CgroupLimits none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The knob's value, or null if unset. */
    @SuppressWarnings("unchecked")
    <T> T get(Knob<T> knob) {
        return (T) values.get(knob);
    }

    /** True if nothing is limited: the leaf only accounts and controls. */
    public boolean isNone() {
        return values.isEmpty();
    }

    public OptionalLong memoryMaxBytes() {
        return opt(get(MemoryKnobs.MAX));
    }

    public OptionalLong memoryHighBytes() {
        return opt(get(MemoryKnobs.HIGH));
    }

    public OptionalLong memoryLowBytes() {
        return opt(get(MemoryKnobs.LOW));
    }

    public OptionalLong memoryMinBytes() {
        return opt(get(MemoryKnobs.MIN));
    }

    public OptionalLong swapMaxBytes() {
        return opt(get(MemoryKnobs.SWAP));
    }

    public OptionalLong zswapMaxBytes() {
        return opt(get(MemoryKnobs.ZSWAP));
    }

    public Optional<Boolean> oomGroup() {
        return Optional.ofNullable(get(MemoryKnobs.OOM_GROUP));
    }

    public OptionalLong cpuQuotaMicros() {
        CpuKnobs.Max m = get(CpuKnobs.MAX);
        return m == null ? OptionalLong.empty() : OptionalLong.of(m.quotaMicros());
    }

    public OptionalLong cpuPeriodMicros() {
        CpuKnobs.Max m = get(CpuKnobs.MAX);
        return m == null ? OptionalLong.empty() : OptionalLong.of(m.periodMicros());
    }

    public OptionalInt cpuWeight() {
        return optInt(get(CpuKnobs.WEIGHT));
    }

    /** The CPU list in canonical form ("0-2,5"). */
    public Optional<String> cpusetCpus() {
        return Optional.ofNullable(get(CpusetKnobs.CPUS));
    }

    public Optional<String> cpusetMems() {
        return Optional.ofNullable(get(CpusetKnobs.MEMS));
    }

    /** io.max per device, keyed "major:minor". */
    public Map<String, IoMax> ioMax() {
        Map<String, IoMax> m = get(IoKnobs.MAX);
        return m == null ? Map.of() : m;
    }

    public OptionalInt ioWeight() {
        return optInt(get(IoKnobs.WEIGHT));
    }

    public OptionalLong pidsMax() {
        return opt(get(PidsKnobs.MAX));
    }

    /** hugetlb limits in bytes, keyed by page size as the kernel names it ("2MB", "1GB"). */
    public Map<String, Long> hugetlbMaxBytes() {
        Map<String, Long> m = get(HugetlbKnobs.MAX);
        return m == null ? Map.of() : m;
    }

    /**
     * Whether these limits set what runtimes size their heap or thread pools
     * from when they can read it: memoryMax or cpuMax.
     */
    public boolean sizesRuntimes() {
        return values.containsKey(MemoryKnobs.MAX) || values.containsKey(CpuKnobs.MAX);
    }

    /** The controllers these limits need. */
    Set<Controller> controllers() {
        Set<Controller> c = EnumSet.noneOf(Controller.class);
        for (Knob<?> k : values.keySet()) {
            c.add(k.controller);
        }
        return c;
    }

    /** The set fields that need this controller, for messages ("memoryMax, swapMax"). */
    String fieldsUsing(Controller c) {
        List<String> f = new ArrayList<>();
        for (Knob<?> k : Knobs.ALL) {
            if (k.controller == c && values.containsKey(k)) {
                f.add(k.name);
            }
        }
        return String.join(", ", f);
    }

    private static OptionalLong opt(Long v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static OptionalInt optInt(Integer v) {
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("CgroupLimits[");
        for (Knob<?> k : Knobs.ALL) {
            String v = k.show(this);
            if (v != null) {
                s.append(s.charAt(s.length() - 1) == '[' ? "" : ", ")
                        .append(k.name)
                        .append('=')
                        .append(v);
            }
        }
        return s.append(']').toString();
    }

    /** Collects limits; each setter validates its argument immediately, by the rule of its {@link Knob}. */
    public static final class Builder {
        private final Map<Knob<?>, Object> values = new HashMap<>();

        private Builder() {}

        /** memory.max: above it the kernel reclaims, then OOM-kills. */
        public Builder memoryMaxBytes(long bytes) {
            return set(MemoryKnobs.MAX, bytes);
        }

        /** memory.high: above it the kernel reclaims hard and throttles, but does not kill. */
        public Builder memoryHighBytes(long bytes) {
            return set(MemoryKnobs.HIGH, bytes);
        }

        /** memory.low: best-effort protection from reclaim (v1: memory.soft_limit_in_bytes). */
        public Builder memoryLowBytes(long bytes) {
            return set(MemoryKnobs.LOW, bytes);
        }

        /** memory.min: hard protection from reclaim (v2 only). */
        public Builder memoryMinBytes(long bytes) {
            return set(MemoryKnobs.MIN, bytes);
        }

        /** memory.swap.max; 0 forbids swapping (v1: memsw = memoryMax + this). */
        public Builder swapMaxBytes(long bytes) {
            return set(MemoryKnobs.SWAP, bytes);
        }

        /** memory.zswap.max (v2 only). */
        public Builder zswapMaxBytes(long bytes) {
            return set(MemoryKnobs.ZSWAP, bytes);
        }

        /** memory.oom.group: an OOM kill takes the whole cgroup, not one process (v2 only). */
        public Builder oomGroup(boolean wholeGroup) {
            return set(MemoryKnobs.OOM_GROUP, wholeGroup);
        }

        /**
         * cpu.max: at most quotaMicros of CPU time in every periodMicros of wall
         * time, over all CPUs (50000/100000 is half a CPU, 200000/100000 two).
         */
        public Builder cpuMaxMicros(long quotaMicros, long periodMicros) {
            return set(CpuKnobs.MAX, new CpuKnobs.Max(quotaMicros, periodMicros));
        }

        /** cpu.weight, 1..10000, default 100 (v1: cpu.shares, converted as runc does). */
        public Builder cpuWeight(int weight) {
            return set(CpuKnobs.WEIGHT, weight);
        }

        /** cpuset.cpus, a list such as "0-1,3". */
        public Builder cpusetCpus(String list) {
            return set(CpusetKnobs.CPUS, list);
        }

        /** cpuset.mems, a NUMA node list such as "0". */
        public Builder cpusetMems(String list) {
            return set(CpusetKnobs.MEMS, list);
        }

        /**
         * io.max for the block device major:minor (see /sys/class/block/NAME/dev).
         * Each rate is {@link #UNLIMITED} or positive; at least one is set. A
         * second call for the same device replaces the first.
         */
        public Builder ioMax(
                int major,
                int minor,
                long readBytesPerSecond,
                long writeBytesPerSecond,
                long readOpsPerSecond,
                long writeOpsPerSecond) {
            IoMax m = new IoMax(
                    major, minor, readBytesPerSecond, writeBytesPerSecond, readOpsPerSecond, writeOpsPerSecond);
            return set(IoKnobs.MAX, Map.of(m.device(), m));
        }

        /** io.weight, 1..10000, default 100 (v1: blkio.bfq.weight 10..1000). Has effect only with iocost or BFQ. */
        public Builder ioWeight(int weight) {
            return set(IoKnobs.WEIGHT, weight);
        }

        /** pids.max: tasks (processes and threads) the cgroup may hold. */
        public Builder pidsMax(long max) {
            return set(PidsKnobs.MAX, max);
        }

        /** hugetlb.SIZE.max for one huge page size ("2MB", "1GB"); bytes a multiple of that size. */
        public Builder hugetlbMaxBytes(String pageSize, long bytes) {
            return set(HugetlbKnobs.MAX, Collections.singletonMap(pageSize, bytes));
        }

        /**
         * Checks value by the knob's rule and keeps it. For a knob that takes
         * {@link #UNLIMITED}, that clears it, and Long.MAX_VALUE (a common way
         * to write "no limit" that the kernel would take as a number) is refused.
         */
        private <T> Builder set(Knob<T> knob, T value) {
            if (knob.unlimited && value instanceof Long v) {
                if (v == Long.MAX_VALUE) {
                    throw new IllegalArgumentException(
                            knob.name + ": Long.MAX_VALUE is not a limit; use UNLIMITED for no limit");
                }
                if (v == UNLIMITED) {
                    values.remove(knob);
                    return this;
                }
            }
            T checked = knob.check.check(knob.name, value);
            @SuppressWarnings("unchecked")
            T old = (T) values.get(knob);
            values.put(knob, old == null || knob.merge == null ? checked : knob.merge.apply(old, checked));
            return this;
        }

        /** Checks the rules between fields (a knob not above its bounds) and returns the limits. */
        public CgroupLimits build() {
            for (Knob<?> k : Knobs.ALL) {
                for (Knob<Long> bound : k.notAbove) {
                    Object value = values.get(k);
                    Long limit = (Long) values.get(bound);
                    if (value != null && limit != null && (Long) value > limit) {
                        throw new IllegalArgumentException(k.name + " must be <= " + bound.name + " (" + limit + " "
                                + bound.unit + "), was " + value);
                    }
                }
            }
            return new CgroupLimits(this);
        }
    }
}
