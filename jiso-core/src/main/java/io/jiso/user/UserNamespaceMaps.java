package io.jiso.user;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The uid and gid maps of a new user namespace and who writes each: the JVM
 * itself (helper null), or newuidmap / newgidmap for ids the JVM may not map.
 */
public record UserNamespaceMaps(List<IdMapLine> uids, List<IdMapLine> gids, Path uidHelper, Path gidHelper) {
    public UserNamespaceMaps {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
    }

    /** Maps the JVM writes itself: any map when it is root, else only its own id. */
    public static UserNamespaceMaps writtenByJvm(List<IdMapLine> uids, List<IdMapLine> gids) {
        return new UserNamespaceMaps(uids, gids, null, null);
    }

    /**
     * Whether setgroups works in the namespace. An unprivileged JVM writing
     * gid_map must deny it first (the kernel's condition: otherwise a process
     * could drop a group that denies it access); newgidmap, privileged,
     * leaves it allowed when it maps subordinate gids.
     */
    public boolean setGroupsAllowed(boolean jvmIsRoot) {
        return jvmIsRoot || gidHelper != null;
    }

    /** A map as uid_map and gid_map take it: "inside outside count" lines. */
    public static String procFileText(List<IdMapLine> map) {
        StringBuilder b = new StringBuilder();
        for (IdMapLine m : map) {
            b.append(m.inside())
                    .append(' ')
                    .append(m.outside())
                    .append(' ')
                    .append(m.count())
                    .append('\n');
        }
        return b.toString();
    }

    /** A map as newuidmap and newgidmap take it, after the pid: inside, outside, count of every line. */
    public static List<String> helperArguments(List<IdMapLine> map) {
        return map.stream()
                .flatMap(m -> Stream.of(m.inside(), m.outside(), m.count()))
                .map(String::valueOf)
                .toList();
    }
}
