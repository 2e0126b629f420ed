package io.jiso.user;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.user.SubordinateIdFile.Range;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which ids an unprivileged JVM may map beyond its own: the ranges
 * /etc/subuid and /etc/subgid give its user, written by newuidmap and
 * newgidmap. Everything the helpers would refuse is found here first and
 * named in one FeatureUnavailable.
 */
public final class SubordinateIds {
    private SubordinateIds() {}

    /** Every subordinate id the user has. */
    public static final long ALL = Long.MAX_VALUE;

    private static final long MAX_ID = 0xFFFF_FFFEL;
    /** uid_map and gid_map take at most 340 lines (Linux 4.15+); one is the caller's own id. */
    private static final int MAX_RANGES = 339;

    /**
     * Why subordinate ids cannot be mapped on this host whoever asks: newuidmap
     * or newgidmap is not installed where jiso looks for them (the reason in
     * words), or "" if both are.
     */
    public static String helpersNotInstalled() {
        return IdMapHelper.whyNotInstalled();
    }

    /**
     * The podman / rootlesskit layout: 0 inside is the caller, 1..count are
     * the first count ids of the user's ranges, in file order (ALL: every one).
     */
    public static UserNamespaceMaps callerAndSubordinates(long count) throws FeatureUnavailable {
        String step = "map " + (count == ALL ? "the" : count) + " subordinate ids of " + caller();
        if (Rootless.jvmIsRoot()) {
            throw new FeatureUnavailable(
                    step,
                    0,
                    "",
                    "the JVM runs as root, which writes any map itself:"
                            + " give the ranges with userNamespace(uids, gids)");
        }
        List<String> problems = new ArrayList<>();
        Path uidHelper = IdMapHelper.UID.locate(problems);
        Path gidHelper = IdMapHelper.GID.locate(problems);
        List<IdMapLine> uids = stacked(IdMapHelper.UID, Rootless.uid(), count, problems);
        List<IdMapLine> gids = stacked(IdMapHelper.GID, Rootless.gid(), count, problems);
        if (!problems.isEmpty()) {
            throw new FeatureUnavailable(step, 0, "", String.join("; ", problems));
        }
        return new UserNamespaceMaps(uids, gids, uidHelper, gidHelper);
    }

    /**
     * Maps given with userNamespace(uids, gids) in a JVM that is not root: a
     * map of more than the caller's own id is written by its helper, and must
     * lie within the caller's subordinate ranges.
     */
    public static UserNamespaceMaps forUnprivileged(List<IdMapLine> uids, List<IdMapLine> gids)
            throws FeatureUnavailable {
        List<String> problems = new ArrayList<>();
        Path uidHelper = helperFor(IdMapHelper.UID, uids, Rootless.uid(), problems);
        Path gidHelper = helperFor(IdMapHelper.GID, gids, Rootless.gid(), problems);
        if (!problems.isEmpty()) {
            throw new FeatureUnavailable(
                    "map the ids of userNamespace(uids, gids) as " + caller(), 0, "", String.join("; ", problems));
        }
        return new UserNamespaceMaps(uids, gids, uidHelper, gidHelper);
    }

    private static List<IdMapLine> stacked(IdMapHelper helper, long ownId, long count, List<String> problems) {
        List<IdMapLine> map = new ArrayList<>(List.of(new IdMapLine(0, ownId, 1)));
        List<Range> ranges = ranges(helper, problems);
        if (ranges == null) {
            return map;
        }
        long inside = 1;
        long left = Math.min(count, MAX_ID);
        for (Range r : ranges.subList(0, Math.min(ranges.size(), MAX_RANGES))) {
            long n = Math.min(r.count(), left);
            if (n == 0) {
                break;
            }
            map.add(new IdMapLine(inside, r.start(), n));
            inside += n;
            left -= n;
        }
        if (ranges.isEmpty()) {
            problems.add(helper.fileName() + " has no range for " + caller());
        } else if (count != ALL && left > 0) {
            problems.add(helper.fileName() + " gives " + caller() + " " + (inside - 1) + " ids in " + ranges + ", "
                    + count + " were asked");
        }
        return map;
    }

    /** The helper that must write map, or null if the JVM may write it itself (only its own id). */
    private static Path helperFor(IdMapHelper helper, List<IdMapLine> map, long ownId, List<String> problems) {
        if (map.size() == 1 && isOwnId(map.get(0), ownId)) {
            return null;
        }
        List<Range> ranges = ranges(helper, problems);
        for (IdMapLine m : map) {
            if (ranges != null && !isOwnId(m, ownId) && !within(m, ranges)) {
                problems.add("outside ids " + new Range(m.outside(), m.count()) + " are neither the caller's own id "
                        + ownId + " nor in its " + helper.fileName() + " ranges " + ranges);
            }
        }
        return helper.locate(problems);
    }

    private static boolean isOwnId(IdMapLine m, long ownId) {
        return m.outside() == ownId && m.count() == 1;
    }

    /** Whether m's outside ids lie in ranges, possibly across adjacent ones, as newuidmap accepts them. */
    private static boolean within(IdMapLine m, List<Range> ranges) {
        long next = m.outside();
        long end = m.outside() + m.count();
        while (next < end) {
            long at = next;
            Range r = ranges.stream()
                    .filter(x -> x.start() <= at && at < x.end())
                    .findFirst()
                    .orElse(null);
            if (r == null) {
                return false;
            }
            next = r.end();
        }
        return true;
    }

    /** The caller's ranges in the helper's file, or null (and a problem) if it cannot be read. */
    private static List<Range> ranges(IdMapHelper helper, List<String> problems) {
        try {
            // Both files name the user who may map the range, not a group.
            return SubordinateIdFile.rangesOf(Path.of(helper.fileName()), Rootless.userName(), Rootless.uid());
        } catch (IOException e) {
            problems.add("cannot read " + helper.fileName() + ": " + e);
            return null;
        }
    }

    /** The caller as the files name it: "user alice (uid 1000)". */
    private static String caller() {
        String name = Rootless.userName();
        return (name == null ? "the user" : "user " + name) + " (uid " + Rootless.uid() + ")";
    }
}
