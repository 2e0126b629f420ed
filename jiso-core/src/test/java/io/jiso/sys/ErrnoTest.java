package io.jiso.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Errno names as failure messages show them, from libc of the running host. */
class ErrnoTest {
    @Test
    void anErrnoIsNamedSymbolically() {
        assertEquals("EPERM", Errno.name(Errno.EPERM));
        assertEquals("ENOENT", Errno.name(Errno.ENOENT));
        assertEquals("ELOOP", Errno.name(Errno.ELOOP));
        assertEquals("EOPNOTSUPP", Errno.name(Errno.EOPNOTSUPP));
        assertEquals("ENOTEMPTY", Errno.name(Errno.ENOTEMPTY));
        assertEquals("ENOTDIR", Errno.name(Errno.ENOTDIR));
        assertEquals("EBUSY", Errno.name(Errno.EBUSY));
    }

    @Test
    void noErrorHasNoNameAndAnUnknownOneItsNumber() {
        assertEquals("", Errno.name(0), "a failure without an errno says nothing of one");
        assertEquals("errno 4000", Errno.name(4000));
        assertEquals("errno -3", Errno.name(-3));
    }
}
