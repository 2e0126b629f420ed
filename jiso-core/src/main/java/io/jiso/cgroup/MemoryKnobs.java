package io.jiso.cgroup;

import java.util.List;

/** The memory controller's limits: memory.* on v2, memory.*_in_bytes on v1. */
final class MemoryKnobs {
    /** One page: the kernel rounds limits to pages, and a smaller one is a mistake. */
    private static final long MIN_MEMORY = 4096;

    static final Knob<Long> MAX = Knob.<Long>declare("memoryMax", "memoryMaxBytes", Controller.MEMORY, "bytes")
            .unlimited()
            .rule(">= " + MIN_MEMORY + " bytes", v -> v >= MIN_MEMORY)
            .v2File("memory.max", String::valueOf)
            .v1File("memory.limit_in_bytes", String::valueOf)
            .done();

    static final Knob<Long> HIGH = Knob.<Long>declare("memoryHigh", "memoryHighBytes", Controller.MEMORY, "bytes")
            .unlimited()
            .rule(">= " + MIN_MEMORY + " bytes", v -> v >= MIN_MEMORY)
            .notAbove(MAX)
            .v2File("memory.high", String::valueOf)
            .v1Unavailable("v1 has no memory.high (throttling threshold)")
            .done();

    static final Knob<Long> LOW = Knob.<Long>declare("memoryLow", "memoryLowBytes", Controller.MEMORY, "bytes")
            .rule(">= 0 bytes", v -> v >= 0)
            .notAbove(MAX)
            .v2File("memory.low", String::valueOf)
            // as runc maps memory.low: the soft limit is what v1 reclaims down to under global pressure
            .v1File("memory.soft_limit_in_bytes", String::valueOf)
            .done();

    static final Knob<Long> MIN = Knob.<Long>declare("memoryMin", "memoryMinBytes", Controller.MEMORY, "bytes")
            .rule(">= 0 bytes", v -> v >= 0)
            .notAbove(MAX, LOW)
            .v2File("memory.min", String::valueOf)
            .v1Unavailable("v1 has no memory.min (hard protection)")
            .done();

    static final Knob<Long> SWAP = Knob.<Long>declare("swapMax", "swapMaxBytes", Controller.MEMORY, "bytes")
            .unlimited()
            .rule(">= 0 bytes", v -> v >= 0)
            .v2File("memory.swap.max", String::valueOf)
            // v1 limits memory+swap together
            .v1(
                    "memory.memsw.limit_in_bytes (memoryMax + swapMax)",
                    (leaf, v, all) -> leaf.write("memory.memsw.limit_in_bytes", Long.toString(all.get(MAX) + v)))
            .v1Refuses((v, all) -> all.get(MAX) != null
                    ? null
                    : "v1 limits memory+swap together (memory.memsw.limit_in_bytes), so it needs memoryMax too")
            .done();

    static final Knob<Long> ZSWAP = Knob.<Long>declare("zswapMax", "zswapMaxBytes", Controller.MEMORY, "bytes")
            .unlimited()
            .rule(">= 0 bytes", v -> v >= 0)
            .v2File("memory.zswap.max", String::valueOf)
            .v1Unavailable("v1 has no zswap limit")
            .done();

    static final Knob<Boolean> OOM_GROUP = Knob.<Boolean>declare("oomGroup", "oomGroup", Controller.MEMORY, "")
            .rule("true or false", (name, v) -> v)
            .v2File("memory.oom.group", v -> v ? "1" : "0")
            // false is v1's only behaviour: nothing to write
            .v1("nothing (false is v1's behaviour)", (leaf, v, all) -> {})
            .v1Refuses((v, all) -> v ? "v1 has no memory.oom.group; use killAll() on OOM" : null)
            .done();

    /**
     * v2 writes protections before limits; v1 refuses first, then writes
     * limit_in_bytes before memsw.limit_in_bytes, which must not be below it.
     */
    static final Knobs.Group GROUP = new Knobs.Group(
            Controller.MEMORY,
            List.of(MAX, HIGH, LOW, MIN, SWAP, ZSWAP, OOM_GROUP),
            List.of(MIN, LOW, HIGH, MAX, SWAP, ZSWAP, OOM_GROUP),
            List.of(MIN, HIGH, ZSWAP, OOM_GROUP, MAX, SWAP, LOW));

    private MemoryKnobs() {}
}
