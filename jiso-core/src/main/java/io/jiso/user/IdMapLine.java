package io.jiso.user;

/**
 * One line of a user namespace's uid_map or gid_map, as the internals write
 * it: ids {@code inside} to {@code inside + count - 1} in the sandbox are ids
 * {@code outside} to {@code outside + count - 1} on the host. The public
 * {@code io.jiso.IdMapping} checks the ranges and makes one.
 */
public record IdMapLine(long inside, long outside, long count) {}
