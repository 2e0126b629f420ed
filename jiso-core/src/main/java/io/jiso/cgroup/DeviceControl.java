package io.jiso.cgroup;

import io.jiso.plan.FeatureUnavailable;
import java.util.List;

/**
 * How a leaf keeps its processes to the devices of its rules. The cgroup v2
 * way is a program, the v1 way is a list; a leaf uses exactly one of them.
 */
enum DeviceControl {
    /** A BPF_PROG_TYPE_CGROUP_DEVICE program on the v2 leaf ({@link DeviceFilter}). */
    BPF,
    /** The v1 devices controller's list in the leaf's devices directory ({@link DeviceAllowList}). */
    V1;

    /**
     * The mechanism for this layout and setting (the property's value, or
     * null). Hybrid hosts default to BPF: the same path as pure v2, loaded
     * once, and no extra v1 directory to make and fill on every spawn.
     *
     * @throws FeatureUnavailable when the host has no way to enforce the rules
     */
    static DeviceControl of(Layout layout, String setting, List<AllowedDevice> rules) throws FeatureUnavailable {
        boolean tree = layout.v2Mount() != null;
        boolean list = layout.v1For(Controller.DEVICES) != null;
        if (setting == null || setting.isBlank()) {
            if (tree) {
                return BPF; // the spawn path: no string built for an exception that is not thrown
            }
            if (list) {
                return V1;
            }
            throw new FeatureUnavailable(
                    "restrict devices to " + rules,
                    0,
                    "",
                    "neither a cgroup v2 tree"
                            + " (for a device program) nor a cgroup v1 devices hierarchy is mounted here (see /proc/self/mountinfo)");
        }
        String step = "restrict devices to " + rules;
        String option = "-D" + Cgroups.DEVICES_PROPERTY + "=" + setting.strip();
        return switch (setting.strip()) {
            case "bpf" -> require(tree, BPF, step, option + ", but there is no cgroup v2 tree here");
            case "v1" -> require(list, V1, step, option + ", but no cgroup v1 hierarchy mounts devices here");
            default -> throw new IllegalArgumentException(option + ": the value must be \"bpf\" or \"v1\"");
        };
    }

    private static DeviceControl require(boolean present, DeviceControl which, String step, String why)
            throws FeatureUnavailable {
        if (!present) {
            throw new FeatureUnavailable(step, 0, "", why);
        }
        return which;
    }
}
