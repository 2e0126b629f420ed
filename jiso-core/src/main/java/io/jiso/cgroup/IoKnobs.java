package io.jiso.cgroup;

import io.jiso.plan.SetupFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The io controller's limits: io.max and io.weight on v2, blkio throttling and weights on v1. */
final class IoKnobs {
    private static final long UNLIMITED = CgroupLimits.UNLIMITED;

    /** Per device "major:minor", in the order first set. */
    static final Knob<Map<String, CgroupLimits.IoMax>> MAX = Knob.<Map<String, CgroupLimits.IoMax>>declare(
                    "ioMax", "ioMax", Controller.IO, "bytes or operations per second")
            .rule(
                    "major in 0..4095, minor in 0..1048575, each rate positive or UNLIMITED (-1), at least one rate set",
                    (name, v) -> {
                        v.values().forEach(m -> check(name, m));
                        return v;
                    })
            .merge((old, added) -> {
                Map<String, CgroupLimits.IoMax> m = new LinkedHashMap<>(old);
                m.putAll(added);
                return m;
            })
            .v2("io.max", (leaf, v, all) -> {
                for (CgroupLimits.IoMax m : v.values()) {
                    leaf.write(
                            "io.max",
                            m.device() + " rbps=" + rate(m.readBytesPerSecond()) + " wbps="
                                    + rate(m.writeBytesPerSecond()) + " riops=" + rate(m.readOpsPerSecond())
                                    + " wiops=" + rate(m.writeOpsPerSecond()));
                }
            })
            .v1("blkio.throttle.{read,write}_{bps,iops}_device", (leaf, v, all) -> {
                for (CgroupLimits.IoMax m : v.values()) {
                    throttle(leaf, "read_bps_device", m.device(), m.readBytesPerSecond());
                    throttle(leaf, "write_bps_device", m.device(), m.writeBytesPerSecond());
                    throttle(leaf, "read_iops_device", m.device(), m.readOpsPerSecond());
                    throttle(leaf, "write_iops_device", m.device(), m.writeOpsPerSecond());
                }
            })
            .show(Map::values)
            .done();

    /** Has effect only with iocost or BFQ. */
    static final Knob<Integer> WEIGHT = Knob.<Integer>declare("ioWeight", "ioWeight", Controller.IO, "")
            .range(1, 10000)
            // io.weight belongs to iocost; without it, BFQ's io.bfq.weight (1..1000) is the knob.
            .v2("io.weight, else io.bfq.weight (at most 1000)", (leaf, w, all) -> {
                if (leaf.has("io.weight")) {
                    leaf.write("io.weight", "default " + w);
                } else {
                    leaf.write("io.bfq.weight", Integer.toString(Math.min(1000, w)));
                }
            })
            // v1 weights run 10..1000 (BFQ: 1..1000); runc's conversion, inverted
            .v1("blkio.bfq.weight, else blkio.weight (10..1000)", (leaf, w, all) -> {
                long v1 = 10 + (w - 1L) * 990 / 9999;
                leaf.write(leaf.has("blkio.bfq.weight") ? "blkio.bfq.weight" : "blkio.weight", Long.toString(v1));
            })
            .done();

    static final Knobs.Group GROUP = new Knobs.Group(Controller.IO, List.of(MAX, WEIGHT));

    private IoKnobs() {}

    private static void check(String name, CgroupLimits.IoMax m) {
        inRange(name + " major", m.major(), 0, 4095);
        inRange(name + " minor", m.minor(), 0, (1 << 20) - 1);
        rate(name + " readBytesPerSecond", m.readBytesPerSecond());
        rate(name + " writeBytesPerSecond", m.writeBytesPerSecond());
        rate(name + " readOpsPerSecond", m.readOpsPerSecond());
        rate(name + " writeOpsPerSecond", m.writeOpsPerSecond());
        if (m.readBytesPerSecond() == UNLIMITED
                && m.writeBytesPerSecond() == UNLIMITED
                && m.readOpsPerSecond() == UNLIMITED
                && m.writeOpsPerSecond() == UNLIMITED) {
            throw new IllegalArgumentException(
                    name + " for " + m.device() + " must limit at least one rate, all were UNLIMITED");
        }
    }

    private static void inRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
        }
    }

    private static void rate(String name, long value) {
        if (value != UNLIMITED && value <= 0) {
            throw new IllegalArgumentException(name + " must be positive or UNLIMITED (-1), was " + value);
        }
    }

    private static String rate(long v) {
        return v == UNLIMITED ? "max" : Long.toString(v);
    }

    private static void throttle(Knob.Leaf leaf, String file, String device, long value) throws SetupFailure {
        if (value != UNLIMITED) {
            leaf.write("blkio.throttle." + file, device + " " + value, leaf.field() + " " + device);
        }
    }
}
