package io.jiso.cgroup;

import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.Errno;
import java.nio.file.Path;
import java.util.List;

/**
 * The cgroup v1 way to restrict devices (the v2 way is {@link DeviceFilter}):
 * the leaf's directory in the devices hierarchy starts as a copy of its
 * parent's list; writing "a" to devices.deny empties it (deny by default),
 * then one devices.allow line per rule lets exactly those devices be opened
 * or made. A v1 devices cgroup can never be given more than its parent has.
 */
final class DeviceAllowList {
    private DeviceAllowList() {}

    /** Replaces the leaf's list with the rules. The leaf must have no child cgroups and no tasks yet. */
    static void write(Path leafDir, List<AllowedDevice> rules) throws HostSetupFailure {
        CgroupFs.write(leafDir.resolve("devices.deny"), "a");
        Path allow = leafDir.resolve("devices.allow");
        for (AllowedDevice rule : rules) {
            for (String line : lines(rule)) {
                try {
                    CgroupFs.write(allow, line);
                } catch (HostSetupFailure e) {
                    throw new HostSetupFailure(
                            "allow device " + rule + " by writing \"" + line + "\" to " + allow,
                            e.errno(),
                            e.errnoName(),
                            e.errno() == Errno.EPERM
                                    ? "the parent cgroup "
                                            + leafDir.getParent()
                                            + " does not allow it, and a v1 devices cgroup never gets more than"
                                            + " its parent (see the parent's devices.list)"
                                    : "the kernel refused the rule");
                }
            }
        }
    }

    /**
     * The devices.allow lines of a rule. The kernel reads any line starting
     * with "a" as "everything" whatever follows, so a rule for both types
     * becomes one line per type.
     */
    static List<String> lines(AllowedDevice rule) {
        String rest = rule.toString().substring(1);
        return rule.type() == 'a' ? List.of("c" + rest, "b" + rest) : List.of(rule.toString());
    }
}
