package io.jiso.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM's fd limit (RLIMIT_NOFILE, soft), read once, and the shares of it
 * that jiso's own background work may hold: cgroup leaves and network
 * namespaces made ahead of need, and exits whose cleanup has not finished.
 * At the usual limits (1024 and more) every share is larger than what that
 * work ever holds, so nothing is smaller there; near a limit as low as 64
 * the caches shrink to a leaf and a namespace or two, and the program keeps
 * the rest. A limit raised or lowered later by the program is not seen.
 */
public final class FdLimit {
    private FdLimit() {}

    /** The soft limit, or Long.MAX_VALUE when unlimited or unreadable. */
    private static final long SOFT = readSoft();

    /** The fds that leaves made ahead may hold, all shapes together: an eighth of the limit. */
    public static long readyLeaves() {
        return SOFT / 8;
    }

    /** The fds that network namespaces made ahead or kept for reuse may hold: a thirty-second of the limit. */
    public static long pooledNamespaces() {
        return SOFT / 32;
    }

    /**
     * How many exits may wait for their cleanup (each holds a pidfd, its leaf's fds and maybe a
     * network namespace) before a spawn waits for it: one per 64 fds of the limit, at least two.
     */
    public static long pendingExits() {
        return Math.max(2, SOFT / 64);
    }

    private static long readSoft() {
        try {
            // "Max open files            1024                 1048576              files"
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: jiso's caches keep their usual sizes
        }
        return Long.MAX_VALUE;
    }
}
