package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.KernelTest;
import io.jiso.Privileges;
import io.jiso.cgroup.CgroupTestSupport.TestParent;
import io.jiso.plan.HostSetupFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v1 devices controller as jiso's device restriction (pure v1
 * hosts; chosen here explicitly so it runs on hybrid hosts too): processes in
 * the leaf reach exactly the devices of its rules. Device nodes are made with
 * mknod in a scratch directory outside the leaf, on a filesystem without nodev.
 * A node for 8:0 (no such disk here) shows who refuses: ENXIO is the driver,
 * after the cgroup check passed; EPERM is the devices controller.
 */
@KernelTest
class CgroupDeviceListTest {
    private static final String EPERM = "Operation not permitted";
    private static final String ENXIO = "No such device or address";
    /** probe NAME 'COMMAND': prints "NAME ok", or NAME and the end of the error message. */
    private static final String PROBE =
            "probe() { if err=$( (eval \"$2\") 2>&1 ); then echo \"$1 ok\"; else echo \"$1 ${err##*: }\"; fi; }; ";

    @TempDir
    static Path scratch;

    @BeforeAll
    static void nodes() throws Exception {
        Privileges.assumeRoot("makes device nodes with mknod and v1 leaves at the hierarchies' roots");
        Path devices = CgroupTestSupport.layout().v1For(Controller.DEVICES) == null
                ? null
                : CgroupTestSupport.layout().v1For(Controller.DEVICES).mount();
        if (devices == null) {
            System.out.println("[devices v1] skipped: this kernel mounts no cgroup v1 devices hierarchy");
        }
        assumeTrue(devices != null, "no cgroup v1 devices hierarchy");
        mknod("null", "c", 1, 3);
        mknod("disk", "b", 8, 0);
    }

    @AfterAll
    static void noLeftovers() throws Exception {
        CgroupTestSupport.assertNoLeftovers();
    }

    private static void mknod(String name, String type, int major, int minor) throws Exception {
        Process p = new ProcessBuilder("mknod", scratch.resolve(name).toString(), type, "" + major, "" + minor)
                .inheritIO()
                .start();
        assertEquals(0, CgroupTestSupport.waitFor(p, 10), "mknod " + name);
    }

    private static CgroupLeaf leaf(String... rules) throws Exception {
        List<AllowedDevice> list = new ArrayList<>();
        for (String r : rules) {
            list.add(CgroupTestSupport.device(r));
        }
        return Cgroups.create(CgroupLimits.none(), null, list, DeviceControl.V1);
    }

    /** Runs probes in a shell placed in the leaf (or outside any, for null) and returns their lines. */
    private static List<String> probe(CgroupLeaf leaf, String probes) throws Exception {
        String script = "read x; cd " + scratch + "; " + PROBE + probes;
        Process p = leaf != null
                ? CgroupTestSupport.scriptIn(leaf, script)
                : new ProcessBuilder("sh", "-c", script)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        if (leaf == null) {
            CgroupTestSupport.release(p);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, CgroupTestSupport.waitFor(p, 30), out);
        return out.lines().toList();
    }

    private static Set<String> deviceList(CgroupLeaf leaf) throws IOException {
        return Files.readAllLines(leaf.dirFor(Controller.DEVICES).resolve("devices.list")).stream()
                .collect(Collectors.toSet());
    }

    @Test
    void theMinimalSetIsReachableAndNothingElse() throws Exception {
        List<String> rules =
                AllowedDevice.MINIMAL.stream().map(AllowedDevice::toString).toList();
        try (CgroupLeaf leaf = leaf(rules.toArray(String[]::new))) {
            assertEquals(Set.copyOf(rules), deviceList(leaf), "the leaf's list is exactly the rules");
            assertEquals(
                    List.of("null ok", "disk " + EPERM, "mknod " + EPERM, "kmsg " + EPERM),
                    probe(
                            leaf,
                            "probe null 'exec 3<>null'; probe disk 'exec 3<disk'; probe mknod 'mknod disk2 b 8 0';"
                                    + " probe kmsg 'exec 3>/dev/kmsg'"));
        }
        assertEquals(
                List.of("disk " + ENXIO),
                probe(null, "probe disk 'exec 3<disk'"),
                "outside the leaf the same open reaches the driver: the list is what refuses");
    }

    @Test
    void mknodAndReadOfTheNullDeviceButNoWriting() throws Exception {
        try (CgroupLeaf leaf = leaf("c 1:3 mr")) {
            assertEquals(
                    List.of("mknod ok", "read ok", "write " + EPERM, "zero " + EPERM, "mknod-zero " + EPERM),
                    probe(
                            leaf,
                            "probe mknod 'mknod null2 c 1 3'; probe read 'exec 3<null2'; probe write 'exec 3>null2';"
                                    + " probe zero 'exec 3</dev/zero'; probe mknod-zero 'mknod zero c 1 5'"));
        }
        Files.deleteIfExists(scratch.resolve("null2"));
    }

    @Test
    void aRuleForBothTypesBecomesOneLinePerType() throws Exception {
        try (CgroupLeaf leaf = leaf("a 8:0 r")) {
            assertEquals(
                    Set.of("c 8:0 r", "b 8:0 r"), deviceList(leaf), "a line starting with 'a' would allow everything");
            assertEquals(
                    List.of("read " + ENXIO, "write " + EPERM, "null " + EPERM),
                    probe(leaf, "probe read 'exec 3<disk'; probe write 'exec 3>disk'; probe null 'exec 3<null'"));
        }
    }

    @Test
    void noRulesMeansNoDevices() throws Exception {
        try (CgroupLeaf leaf = leaf()) {
            assertEquals(Set.of(), deviceList(leaf));
            assertEquals(List.of("null " + EPERM), probe(leaf, "probe null 'exec 3<null'"));
        }
    }

    @Test
    void aRuleTheParentDoesNotAllowIsRefusedNamingRuleAndFile() throws Exception {
        Path mount = CgroupTestSupport.layout().v1For(Controller.DEVICES).mount();
        try (TestParent parent =
                new TestParent("devices-test-" + ProcessHandle.current().pid())) {
            // the administrator's parent allows /dev/null only; a child can never get more
            CgroupFs.write(parent.in(mount).resolve("devices.deny"), "a");
            CgroupFs.write(parent.in(mount).resolve("devices.allow"), "c 1:3 rwm");
            HostSetupFailure e = assertThrows(
                    HostSetupFailure.class,
                    () -> Cgroups.create(
                            CgroupLimits.none(),
                            parent.path,
                            List.of(CgroupTestSupport.device("c 1:3 rwm"), CgroupTestSupport.device("c 1:5 rw")),
                            DeviceControl.V1));
            System.out.println("[devices v1, parent without 1:5] " + e.getMessage());
            assertEquals("EPERM", e.errnoName());
            assertTrue(
                    e.getMessage().contains("c 1:5 rw")
                            && e.getMessage().contains("/devices.allow")
                            && e.getMessage().contains(parent.path + "/jiso"),
                    e.getMessage());
            try (var leaves = Files.list(parent.in(mount).resolve("jiso"))) {
                assertFalse(leaves.anyMatch(Files::isDirectory), "the half-made leaf is removed");
            }
        }
    }

    @Test
    void closingRemovesTheDevicesDirectory() throws Exception {
        CgroupLeaf leaf = leaf("c 1:3 rwm");
        Path dir = leaf.dirFor(Controller.DEVICES);
        assertTrue(
                dir.startsWith(
                        CgroupTestSupport.layout().v1For(Controller.DEVICES).mount()),
                dir.toString());
        Process p = CgroupTestSupport.startIn(leaf, "sleep", "1000");
        leaf.close();
        assertEquals(137, CgroupTestSupport.waitFor(p, 30));
        assertFalse(Files.exists(dir));
    }
}
