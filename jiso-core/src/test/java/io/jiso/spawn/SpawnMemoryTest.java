package io.jiso.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The per-spawn memory: aligned, zeroed slices of one scratch area, handed
 * out again after a reset, and a confined spill for what does not fit, freed
 * when the spawn ends.
 */
class SpawnMemoryTest {
    @Test
    void slicesAreAlignedDisjointAndZeroEvenWhenReused() {
        try (SpawnMemory memory = new SpawnMemory()) {
            MemorySegment a = memory.allocate(3, 1);
            MemorySegment b = memory.allocate(16, 16);
            assertEquals(0, b.address() % 16);
            assertTrue(b.address() >= a.address() + 3, "b after a");
            a.fill((byte) 0x5a);
            b.fill((byte) 0x5a);
            memory.close();
            memory.reset();
            MemorySegment again = memory.allocate(32, 1);
            assertEquals(a.address(), again.address(), "the same scratch area, from its start");
            for (long i = 0; i < again.byteSize(); i++) {
                assertEquals(0, again.get(ValueLayout.JAVA_BYTE, i), "byte " + i + " of a reused slice");
            }
        }
    }

    @Test
    void aPlanTooBigForTheScratchAreaSpillsAndTheSpillIsFreedAtTheEnd() {
        SpawnMemory memory = new SpawnMemory();
        MemorySegment first = memory.allocate(200 * 1024, 8);
        MemorySegment spilled = memory.allocate(100 * 1024, 8);
        assertFalse(
                spilled.address() >= first.address() && spilled.address() < first.address() + 256 * 1024,
                "outside the scratch area");
        spilled.set(ValueLayout.JAVA_LONG, 0, 7);
        assertTrue(spilled.scope().isAlive());
        memory.close();
        assertFalse(spilled.scope().isAlive(), "freed with the spawn");
        assertTrue(first.scope().isAlive(), "the scratch area lives as long as its spawner thread");
        memory.reset();
        MemorySegment small = memory.allocate(64, 8);
        assertEquals(first.address(), small.address(), "back in the scratch area");
        MemorySegment spillAgain = memory.allocate(300 * 1024, 8);
        assertTrue(spillAgain.scope().isAlive(), "a new spill after the close");
        memory.close();
    }

    @Test
    void theStacksAreApartFromThePlan() {
        try (SpawnMemory memory = new SpawnMemory()) {
            MemorySegment plan = memory.allocate(256 * 1024, 16);
            assertEquals(128 * 1024, memory.stack.byteSize(), "two 64 KiB stacks");
            assertEquals(0, memory.stack.address() % 16);
            boolean overlaps = memory.stack.address() < plan.address() + plan.byteSize()
                    && plan.address() < memory.stack.address() + memory.stack.byteSize();
            assertFalse(overlaps);
            assertNotEquals(plan.address(), memory.stack.address());
        }
    }
}
