package io.jiso.spawn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * Native memory for one spawn at a time: the plan, the strings and structures
 * it points to, and the child's stacks. Each spawner thread owns one, and
 * spawns on callers' threads borrow spare ones, so the spawn path allocates no
 * native memory in the common case; a plan too big for the scratch area
 * spills into a confined arena freed afterwards.
 */
final class SpawnMemory implements SegmentAllocator, AutoCloseable {
    private static final long SCRATCH_BYTES = 256 * 1024;
    /** Two child stacks (PID 1 and the main process), 64 KiB each. */
    private static final long STACK_BYTES = 128 * 1024;

    private final MemorySegment scratch;
    final MemorySegment stack;
    private long used;
    private Arena spill;

    SpawnMemory() {
        Arena arena = Arena.ofAuto(); // lives as long as its spawner thread
        scratch = arena.allocate(SCRATCH_BYTES, 16);
        stack = arena.allocate(STACK_BYTES, 16);
    }

    /** Starts a new spawn: everything handed out before is free again. */
    SpawnMemory reset() {
        used = 0;
        return this;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        long start = (used + byteAlignment - 1) & -byteAlignment;
        if (start + byteSize <= SCRATCH_BYTES) {
            used = start + byteSize;
            return scratch.asSlice(start, byteSize).fill((byte) 0);
        }
        if (spill == null) {
            spill = Arena.ofConfined();
        }
        return spill.allocate(byteSize, byteAlignment);
    }

    /** Ends the spawn; frees spilled memory. */
    @Override
    public void close() {
        if (spill != null) {
            spill.close();
            spill = null;
        }
    }
}
