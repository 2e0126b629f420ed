package io.jiso.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jiso.user.SubordinateIdFile.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading /etc/subuid-style files the way newuidmap does, without touching the real ones. */
class SubordinateIdFileTest {
    private static final String FILE = """
            # ranges for the build users
            alice:100000:65536

            1001:300000:1000
              alice:200000:10\s
            bob:165536:65536
            alice:1:2:3
            alice:x:10
            alice:500000:0
            alice:4294967290:10
            :600000:10
            alice:-5:10
            alice:700000:5
            """;

    @Test
    void aUsersRangesByNameAndByUidInFileOrder() {
        assertEquals(
                List.of(new Range(100000, 65536), new Range(300000, 1000), new Range(200000, 10), new Range(700000, 5)),
                SubordinateIdFile.rangesOf(FILE, "test", "alice", 1001));
    }

    @Test
    void malformedLinesAndOtherUsersAreSkipped() {
        assertEquals(List.of(new Range(165536, 65536)), SubordinateIdFile.rangesOf(FILE, "test", "bob", 1002));
        assertEquals(List.of(), SubordinateIdFile.rangesOf(FILE, "test", "carol", 1003));
        assertEquals(
                List.of(new Range(300000, 1000)),
                SubordinateIdFile.rangesOf(FILE, "test", null, 1001),
                "a user without a name is found by uid");
    }

    @Test
    void theLastIdOfTheRangeMayBe4294967294() {
        assertEquals(
                List.of(new Range(4294967285L, 10)),
                SubordinateIdFile.rangesOf("u:4294967285:10\nu:4294967285:11\n", "test", "u", 1));
    }

    @Test
    void helpersTakeTheMapAsTriplesAfterThePid() {
        List<IdMapLine> map = List.of(new IdMapLine(0, 1001, 1), new IdMapLine(1, 100000, 65536));
        assertEquals(List.of("0", "1001", "1", "1", "100000", "65536"), UserNamespaceMaps.helperArguments(map));
        assertEquals("0 1001 1\n1 100000 65536\n", UserNamespaceMaps.procFileText(map));
    }
}
