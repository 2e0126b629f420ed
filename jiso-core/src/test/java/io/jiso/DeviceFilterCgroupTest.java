package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The device filter jiso attaches to every leaf (a BPF_PROG_TYPE_CGROUP_DEVICE
 * program): only the minimal set of devices can be opened or made, even by
 * root with CAP_MKNOD on the host's own /dev. Runs here and in the cgroup v2 guest.
 */
@KernelTest
class DeviceFilterCgroupTest {
    /** Opens /dev/kmsg (c 1:11, on every Linux) for writing, writes nothing. */
    private static final String OPEN_KMSG = "(exec 3>/dev/kmsg) 2>/dev/null && echo opened || echo refused";

    /** The runtime of the sandboxes: the default, whose device mechanism the host's layout chooses. */
    JisoRuntime runtime() {
        return JisoRuntime.defaultRuntime();
    }

    private IsolatedProcessBuilder rootOnHostDev(String script) {
        return new IsolatedProcessBuilder(runtime(), "/bin/sh", "-c", script)
                .hostRoot()
                .runAsRoot()
                .keepCapabilities(Capability.CAP_MKNOD);
    }

    @Test
    void aDeviceOutsideTheMinimalSetCannotBeOpenedEvenByRoot() throws Exception {
        Privileges.assumeCgroupLeaves(); // the filter is attached to the leaf
        assertEquals("refused\n", Run.of(rootOnHostDev(OPEN_KMSG)).ok().out());
        assertEquals(
                "opened\n",
                Run.of(rootOnHostDev(OPEN_KMSG).withoutCgroup()).ok().out(),
                "without the leaf (and its filter) the same open works: the filter is what refuses");
    }

    @Test
    void aDeviceCanBeAllowed() throws Exception {
        Privileges.assumeCgroupLeaves(); // the filter is attached to the leaf
        assertEquals(
                "opened\n",
                Run.of(rootOnHostDev(OPEN_KMSG).allowDevice(DeviceRule.parse("c 1:11 w")))
                        .ok()
                        .out());
        assertEquals(
                "refused\n",
                Run.of(rootOnHostDev(OPEN_KMSG).allowDevice(DeviceRule.parse("c 1:11 r")))
                        .ok()
                        .out(),
                "read access does not allow writing");
    }

    @Test
    void mknodOfABlockDeviceIsRefusedEvenWithCapMknod() throws Exception {
        Privileges.assumeCgroupLeaves(); // the filter is attached to the leaf
        String mknod = "mknod /tmp/disk b 8 0 2>/dev/null && echo made || echo refused";
        assertEquals("refused\n", Run.of(rootOnHostDev(mknod)).ok().out());
        assertEquals("made\n", Run.of(rootOnHostDev(mknod).withoutCgroup()).ok().out());
    }

    @Test
    void withoutRootMknodIsRefusedEvenWithoutTheFilter() throws Exception {
        Privileges.assumeNotRoot("its user namespace, not the filter, refuses mknod");
        String mknod = "mknod /tmp/disk b 8 0 2>/dev/null && echo made || echo refused";
        assertEquals(
                "refused\n", Run.of(rootOnHostDev(mknod).withoutCgroup()).ok().out());
    }

    @Test
    void theMinimalDevicesWork() throws Exception {
        Run r = Run.of(new IsolatedProcessBuilder(
                        runtime(),
                        "/bin/sh",
                        "-c",
                        "echo x > /dev/null && head -c 8 /dev/urandom | wc -c && head -c 8 /dev/zero | wc -c"))
                .ok();
        assertEquals("8\n8\n", r.out());
    }
}
