package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Abi;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Capability constants name the kernel's capability of that name, on both
 * architectures jiso compiles for, and fit the 64-bit masks of
 * /proc/pid/status and capset's two words.
 */
class CapabilityNumbersTest {

    @Test
    void eachConstantIsTheKernelsCapabilityOfTheSameNameOnBothArchitectures() {
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            Abi abi = Abi.of(arch);
            for (Capability c : Capability.values()) {
                assertEquals(abi.intConstant(c.name()), c.value(), arch + " " + c.name());
            }
        }
    }

    @Test
    void everyCapabilityOfTheHeadersIsInTheEnum() {
        Abi abi = Abi.current();
        Set<Capability> found = EnumSet.noneOf(Capability.class);
        for (int n = 0; n <= abi.intConstant("CAP_LAST_CAP"); n++) {
            int number = n;
            Capability c = Arrays.stream(Capability.values())
                    .filter(x -> x.value() == number)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no constant for capability " + number));
            found.add(c);
        }
        assertEquals(EnumSet.allOf(Capability.class), found);
        assertTrue(Capability.values().length <= 64, "fits the 64-bit masks CapEff and CapBnd are read into");
    }
}
