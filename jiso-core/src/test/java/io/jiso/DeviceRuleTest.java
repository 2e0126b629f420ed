package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cgroup devices syntax of DeviceRule, its limits and jiso's minimal set (DeviceFilterCgroupTest enforces them). */
class DeviceRuleTest {
    private static void refused(String rule, String start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceRule.parse(rule));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void rulesParseAndValidate() {
        DeviceRule nullDevice = DeviceRule.parse("c 1:3 mr");
        assertEquals(new DeviceRule('c', 1, 3, "mr"), nullDevice);
        assertEquals("c 136:* rwm", DeviceRule.parse("c 136:* rwm").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceRule.parse("x 1:3 r"));
        assertTrue(e.getMessage().startsWith("DeviceRule must look like"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 1, 3, "rx"));
        assertTrue(e.getMessage().startsWith("DeviceRule.access"), e.getMessage());
    }

    @Test
    void wildcardsAndWhitespace() {
        assertEquals(new DeviceRule('a', DeviceRule.ANY, DeviceRule.ANY, "m"), DeviceRule.parse("  a *:* m\n"));
        assertEquals(new DeviceRule('b', 8, DeviceRule.ANY, "rw"), DeviceRule.parse("b 8:* rw"));
        assertEquals("b 8:* rw", DeviceRule.parse("b 8:* rw").toString());
        assertEquals("a *:* m", new DeviceRule('a', DeviceRule.ANY, DeviceRule.ANY, "m").toString());
    }

    @Test
    void everyPartIsChecked() {
        refused(null, "DeviceRule must look like");
        refused("", "DeviceRule must look like");
        refused("c 1:3", "DeviceRule must look like");
        refused("c 1 3 r", "DeviceRule must look like");
        refused("c 1:3 rwx", "DeviceRule must look like");
        refused("c  1:3 r", "DeviceRule must look like");
        refused("c -1:3 r", "DeviceRule must look like");
        refused("c 4096:0 r", "DeviceRule major must be 0..4095 and minor 0..1048575");
        refused("c 1:1048576 r", "DeviceRule major must be 0..4095");
        DeviceRule.parse("c 4095:1048575 r");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DeviceRule('x', 1, 3, "r"));
        assertTrue(e.getMessage().startsWith("DeviceRule.type must be 'c', 'b' or 'a'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', -2, 3, "r"));
        assertTrue(e.getMessage().contains("was -2:3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 1, 3, null));
        assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 1, 3, ""));
        assertThrows(IllegalArgumentException.class, () -> new DeviceRule('c', 1, 3, "rwmr"));
    }

    @Test
    void theMinimalSetIsTheMinimalDevsNodesAndThePtys() {
        assertEquals(
                List.of(
                        "c 1:3 rwm",
                        "c 1:5 rwm",
                        "c 1:7 rwm",
                        "c 1:8 rwm",
                        "c 1:9 rwm",
                        "c 5:0 rwm",
                        "c 5:2 rwm",
                        "c 136:* rwm"),
                DeviceRule.MINIMAL.stream().map(DeviceRule::toString).toList());
    }
}
