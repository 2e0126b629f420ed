package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** One uid_map or gid_map line: both ranges within the 32-bit ids, (uid_t) -1 excluded. */
class IdMappingTest {
    private static final long MAX = 0xFFFF_FFFEL;

    private static void refused(Executable e, String start) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(start), x.getMessage());
    }

    @Test
    void theRangesMayReachTheLastIdButNotPastIt() {
        assertEquals(MAX, new IdMapping(MAX, 0, 1).inside());
        new IdMapping(0, MAX, 1);
        new IdMapping(0, 0, MAX + 1);
        new IdMapping(100, 100000, 65536);
        refused(() -> new IdMapping(MAX + 1, 0, 1), "IdMapping.inside must be 0..4294967294, was 4294967295");
        refused(() -> new IdMapping(-1, 0, 1), "IdMapping.inside");
        refused(() -> new IdMapping(0, MAX + 1, 1), "IdMapping.outside must be 0..4294967294");
        refused(() -> new IdMapping(0, -5, 1), "IdMapping.outside");
        refused(() -> new IdMapping(0, 0, 0), "IdMapping.count must be >= 1");
        refused(() -> new IdMapping(MAX, 0, 2), "IdMapping.count must be >= 1 and keep both ranges within");
        refused(() -> new IdMapping(0, MAX - 9, 11), "IdMapping.count");
        refused(() -> new IdMapping(0, 0, MAX + 2), "IdMapping.count");
    }
}
