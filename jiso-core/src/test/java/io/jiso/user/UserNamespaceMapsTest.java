package io.jiso.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.capability.PrivilegeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user namespace's maps and who writes them, and the identity of a JVM that
 * is not root, checked against the owner of a file this JVM creates.
 */
class UserNamespaceMapsTest {
    private static final Path NEWGIDMAP = Path.of("/usr/bin/newgidmap");

    @Test
    void theCallerIsRootInsideAndTheJvmWritesBothMaps() {
        UserNamespaceMaps m = Rootless.callerAsRoot(1000, 1001);
        assertEquals(List.of(new IdMapLine(0, 1000, 1)), m.uids());
        assertEquals(List.of(new IdMapLine(0, 1001, 1)), m.gids());
        assertNull(m.uidHelper());
        assertNull(m.gidHelper());
        assertEquals("0 1000 1\n", UserNamespaceMaps.procFileText(m.uids()));
        assertEquals("0 1001 1\n", UserNamespaceMaps.procFileText(m.gids()));
    }

    @Test
    void setgroupsWorksWhereRootOrNewgidmapWritesTheGidMap() {
        UserNamespaceMaps jvm =
                UserNamespaceMaps.writtenByJvm(List.of(new IdMapLine(0, 1000, 1)), List.of(new IdMapLine(0, 1000, 1)));
        assertTrue(jvm.setGroupsAllowed(true), "root writes any gid_map without denying setgroups");
        assertFalse(jvm.setGroupsAllowed(false), "an unprivileged gid_map needs setgroups denied first");
        UserNamespaceMaps helper = new UserNamespaceMaps(jvm.uids(), jvm.gids(), null, NEWGIDMAP);
        assertTrue(helper.setGroupsAllowed(false));
        UserNamespaceMaps uidHelperOnly =
                new UserNamespaceMaps(jvm.uids(), jvm.gids(), Path.of("/usr/bin/newuidmap"), null);
        assertFalse(uidHelperOnly.setGroupsAllowed(false), "newuidmap has nothing to do with setgroups");
    }

    @Test
    void mapsAreCopiedAndEmptyMapsWriteNothing() {
        List<IdMapLine> uids = new ArrayList<>(List.of(new IdMapLine(0, 1000, 1)));
        UserNamespaceMaps m = UserNamespaceMaps.writtenByJvm(uids, List.of());
        uids.add(new IdMapLine(1, 100000, 10));
        assertEquals(1, m.uids().size());
        assertThrows(UnsupportedOperationException.class, () -> m.gids().add(new IdMapLine(0, 0, 1)));
        assertEquals("", UserNamespaceMaps.procFileText(List.of()));
        assertEquals(List.of(), UserNamespaceMaps.helperArguments(List.of()));
        assertEquals(
                "0 0 4294967295\n",
                UserNamespaceMaps.procFileText(List.of(new IdMapLine(0, 0, 0xFFFF_FFFFL))),
                "the whole range, as the initial namespace maps it");
    }

    @Test
    void theJvmsIdentityIsTheOwnerOfWhatItCreates(@TempDir Path dir) throws Exception {
        Path f = Files.createFile(dir.resolve("mine"));
        assertEquals(((Number) Files.getAttribute(f, "unix:uid")).longValue(), Rootless.jvmUid());
        assertEquals(Rootless.jvmUid() == 0, Rootless.jvmIsRoot());
        UserNamespaceMaps own = Rootless.callerAsRoot();
        assertEquals(Rootless.jvmUid(), own.uids().getFirst().outside());
        assertEquals(Rootless.jvmGid(), own.gids().getFirst().outside());
    }

    @Test
    void withoutAUserNamespaceOnlyTheJvmsOwnIdentityIsPossible() throws Exception {
        long uid = Rootless.jvmUid();
        long gid = Rootless.jvmGid();
        Rootless.requireJvmIdentity(PrivilegeSpec.unprivileged().withIdentity(uid, gid, List.of()));
        Exception e = assertThrows(
                Exception.class,
                () -> Rootless.requireJvmIdentity(PrivilegeSpec.unprivileged().withIdentity(uid + 1, gid, List.of())));
        assertTrue(
                e.getMessage().contains("run as uid " + (uid + 1) + ", gid " + gid)
                        && e.getMessage().contains("own uid " + uid + " and gid " + gid),
                e.getMessage());
        e = assertThrows(
                Exception.class,
                () -> Rootless.requireJvmIdentity(PrivilegeSpec.unprivileged().withIdentity(uid, gid + 1, List.of())));
        assertTrue(e.getMessage().contains("gid " + (gid + 1)), e.getMessage());
        e = assertThrows(
                Exception.class,
                () -> Rootless.requireJvmIdentity(PrivilegeSpec.unprivileged().withIdentity(uid, gid, List.of(27L))));
        assertTrue(e.getMessage().contains("groups [27]"), e.getMessage());
        assertTrue(
                Rootless.whyMappingRefused().contains("uid " + uid + " and gid " + gid)
                        && Rootless.whyMappingRefused().contains("mapSubordinateIds()"),
                Rootless.whyMappingRefused());
    }
}
