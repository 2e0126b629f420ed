package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.mount.FsOp;
import io.jiso.plan.HostSetupFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How far a bind source follows symbolic links, on a temporary directory
 * laid out like a judge's: a work directory a sandbox could write, with a
 * link planted in it. (PlantedSymlinkTest runs the same in sandboxes, where
 * the child's RESOLVE_NO_SYMLINKS open is checked too.)
 */
class BindSourceTest {
    @TempDir
    Path tmp;

    private Path real;
    private Path work;

    @BeforeEach
    void layout() throws Exception {
        real = tmp.toRealPath();
        work = Files.createDirectories(real.resolve("work"));
        Files.createDirectories(work.resolve("out"));
        Files.writeString(work.resolve("out/prog"), "#!/bin/sh\n");
        Files.createDirectories(real.resolve("secret"));
        Files.createSymbolicLink(work.resolve("planted"), real.resolve("secret"));
        Files.createSymbolicLink(real.resolve("trusted"), work);
    }

    private static HostSetupFailure refused(BindSource s) {
        return assertThrows(HostSetupFailure.class, () -> s.resolve("/box", false));
    }

    @Test
    void aSourceAsNamedIsRefusedWhenItIsALinkNamingIt() {
        HostSetupFailure e = refused(BindSource.of(work.resolve("planted")));
        String says = work.resolve("planted") + " is a symbolic link to " + real.resolve("secret");
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertTrue(e.getMessage().contains("BindSource.beneath"), "says what to use instead: " + e.getMessage());
        assertEquals("ELOOP", e.errnoName());
    }

    @Test
    void aSourceAsNamedResolvesTheLinksAboveIt() throws Exception {
        FsOp.Bind b = BindSource.of(real.resolve("trusted/out/prog")).resolve("/box/prog", true);
        assertEquals(work.resolve("out/prog").toString(), b.source(), "the directories above are the caller's");
        assertEquals(real.resolve("trusted/out/prog").toString(), b.named(), "messages say what the caller said");
        assertEquals("/box/prog", b.target());
        assertTrue(b.writable());
        assertTrue(b.file(), "a regular file: a file mount point");
        assertFalse(BindSource.of(work).resolve("/box", false).file());
    }

    @Test
    void beneathFollowsNoLinkBelowTheTrustedDirectory() throws Exception {
        HostSetupFailure e = refused(BindSource.beneath(work, "planted/x"));
        assertTrue(e.getMessage().contains(work.resolve("planted") + " is a symbolic link"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing below " + work + " is followed"), e.getMessage());
        FsOp.Bind ok = BindSource.beneath(real.resolve("trusted"), "out/prog").resolve("/box/prog", false);
        assertEquals(work.resolve("out/prog").toString(), ok.source(), "the trusted directory itself is resolved");
        assertTrue(ok.file());
    }

    @Test
    void aMissingSourceIsLeftForTheChildToReport() throws Exception {
        FsOp.Bind b = BindSource.beneath(work, "missing/deeper").resolve("/box", false);
        assertEquals(work.resolve("missing/deeper").toString(), b.source());
        assertFalse(b.file());
        assertEquals(
                real.resolve("nowhere").toString(),
                BindSource.of(real.resolve("nowhere")).resolve("/box", false).source());
    }

    @Test
    void resolvingSymlinksFollowsEveryLink() throws Exception {
        FsOp.Bind b = BindSource.resolvingSymlinks(work.resolve("planted")).resolve("/box", false);
        assertEquals(real.resolve("secret").toString(), b.source());
        assertEquals(
                work.resolve("planted") + " (resolving symlinks)",
                BindSource.resolvingSymlinks(work.resolve("planted")).toString());
    }

    @Test
    void badArgumentsAreRefusedNamingTheFieldAndTheRule() {
        IllegalArgumentException relative =
                assertThrows(IllegalArgumentException.class, () -> BindSource.of(Path.of("work")));
        assertTrue(relative.getMessage().startsWith("bind: hostPath must be absolute"), relative.getMessage());
        for (String bad : new String[] {"", "/abs", "a/../b", "./a", "a/."}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> BindSource.beneath(work, bad), bad);
            assertTrue(e.getMessage().startsWith("bind: relative must"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> BindSource.beneath(work, "a\0b"));
        assertThrows(NullPointerException.class, () -> BindSource.beneath(work, null));
    }

    @Test
    void theSourceIsNormalizedAndShownAsNamed() {
        BindSource s = BindSource.beneath(work, "out//prog");
        assertEquals(work.resolve("out/prog"), s.path());
        assertEquals(work.resolve("out/prog") + " (beneath " + work + ")", s.toString());
        assertEquals(
                work.resolve("out").toString(),
                BindSource.of(Path.of(work + "/./out/")).toString());
    }
}
