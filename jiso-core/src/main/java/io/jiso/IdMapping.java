package io.jiso;

import io.jiso.user.IdMapLine;

/**
 * One line of a user namespace's uid_map or gid_map: ids {@code inside} to
 * {@code inside + count - 1} in the sandbox are ids {@code outside} to
 * {@code outside + count - 1} on the host.
 */
public record IdMapping(long inside, long outside, long count) {
    private static final long MAX_ID = 0xFFFF_FFFEL; // (uid_t) -1 is never a valid id

    public IdMapping {
        if (inside < 0 || inside > MAX_ID) {
            throw new IllegalArgumentException("IdMapping.inside must be 0.." + MAX_ID + ", was " + inside);
        }
        if (outside < 0 || outside > MAX_ID) {
            throw new IllegalArgumentException("IdMapping.outside must be 0.." + MAX_ID + ", was " + outside);
        }
        if (count < 1 || inside + count - 1 > MAX_ID || outside + count - 1 > MAX_ID) {
            throw new IllegalArgumentException(
                    "IdMapping.count must be >= 1 and keep both ranges within 0.." + MAX_ID + ", was " + count);
        }
    }

    /** This mapping as the internals write it. */
    IdMapLine line() {
        return new IdMapLine(inside, outside, count);
    }
}
