package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Abi;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Each resource limit is the kernel's RLIMIT_* of its name on both
 * architectures, the numbers cover the kernel's table without a gap, and
 * every default pair is one the builder itself would accept.
 */
class ResourceLimitNumbersTest {

    @Test
    void eachLimitIsTheKernelsOfTheSameNameOnBothArchitectures() {
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            Abi abi = Abi.of(arch);
            for (ResourceLimit r : ResourceLimit.values()) {
                assertEquals(abi.intConstant("RLIMIT_" + r.name()), r.kernelNumber(), arch + " " + r);
            }
        }
    }

    @Test
    void theNumbersAreTheKernelsWholeTable() {
        TreeSet<Integer> numbers = new TreeSet<>();
        for (ResourceLimit r : ResourceLimit.values()) {
            numbers.add(r.kernelNumber());
        }
        assertEquals(ResourceLimit.values().length, numbers.size(), "distinct");
        assertEquals(0, numbers.first());
        assertEquals(ResourceLimit.values().length - 1, numbers.last(), "no gap: " + numbers);
        assertEquals(Abi.current().intConstant("RLIMIT_RTTIME"), numbers.last(), "RTTIME is the kernel's last limit");
    }

    @Test
    void everyDefaultIsAPairTheSetterAccepts() {
        IsolatedProcessBuilder b = new IsolatedProcessBuilder("true");
        for (ResourceLimit r : ResourceLimit.values()) {
            assertTrue(ResourceLimit.ordered(r.defaultSoft(), r.defaultHard()), r.name());
            assertTrue(r.defaultSoft() >= 0 || r.defaultSoft() == ResourceLimit.UNLIMITED, r.name());
            b.rlimit(r, r.defaultSoft(), r.defaultHard()); // throws if the builder disagrees
        }
    }
}
