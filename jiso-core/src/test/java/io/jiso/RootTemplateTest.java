package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.spawn.Launcher;
import io.jiso.user.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root JVM copies fresh roots from templates (io.jiso.spawn.RootTemplates);
 * a runtime built with rootTemplates(false) builds them from the host's mount namespace.
 * Both ways must give the sandbox the same mounts.
 */
@KernelTest
class RootTemplateTest {
    private static final String MOUNTS = "awk '{ d = index($0, \" - \"); split(substr($0, d + 3), fs, \" \");"
            + " print $5, $6, fs[1] }' /proc/self/mountinfo | sort";

    @BeforeAll
    static void asRoot() {
        assumeTrue(Rootless.jvmIsRoot(), "root templates are used by a root JVM only");
    }

    @Test
    void aCopiedRootHasTheSameMountsAsOneBuiltFromTheHost(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("data"), "hello\n");
        String copied = Run.of(mountsOf(JisoRuntime.defaultRuntime(), dir)).ok().out();
        long templatesBefore = templates();
        String built =
                withoutTemplates(runtime -> Run.of(mountsOf(runtime, dir)).ok().out());
        assertEquals(templatesBefore, templates(), "the runtime without templates built none");
        System.out.println("[template mounts]\n" + copied);
        assertEquals(built, copied);
        assertTrue(copied.contains("/ ro,nosuid,nodev") && copied.contains("/proc rw,nosuid,nodev,noexec"), copied);
        assertFalse(copied.contains("/oldroot"), copied);
        assertTrue(copied.contains("/tmp/in ro,") && copied.contains("/scratch/deep rw,"), copied);
    }

    @Test
    void bindsComeFromTheHostWithTheirModes(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectory(dir.resolve("in"));
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(in.resolve("data"), "hello\n");
        Run r = Run.of(new IsolatedProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "cat /srv/in/data; touch /srv/in/x 2>/dev/null && echo in-writable; echo made > /srv/out/y")
                .bindReadOnly(in, "/srv/in")
                .bind(out, "/srv/out")
                .runAsRoot());
        assertEquals(0, r.exit(), r.err());
        assertEquals("hello\n", r.out());
        assertEquals("made\n", Files.readString(out.resolve("y")));
        assertFalse(Files.exists(in.resolve("x")));
    }

    @Test
    void oneTemplatePerMountLayout(@TempDir Path dir) throws Exception {
        IsolatedProcessBuilder b =
                new IsolatedProcessBuilder("/bin/true").bindReadOnly(dir, "/layout/" + dir.getFileName());
        Run.of(b).ok();
        long after1 = templates();
        Run.of(b).ok();
        Run.of(b).ok();
        assertEquals(after1, templates(), "the same layout reuses its template");
        Run.of(b.bindReadOnly(dir, "/layout2/" + dir.getFileName())).ok();
        assertEquals(after1 + 1, templates(), "a new layout adds one");
        assertTrue(Launcher.rootTemplateFds().stream().allMatch(fd -> isMountNamespace(fd)));
    }

    @Test
    void aLayoutWithoutATemplateFailsAsTheHostsWayDoesAndOthersKeepTheirs(@TempDir Path dir) throws Exception {
        long before = templates();
        // a mount point inside the read-only /usr: neither a template nor the host's way can make it
        ChildSetupException e = assertThrows(
                ChildSetupException.class,
                () -> new IsolatedProcessBuilder("/bin/true")
                        .bindReadOnly(dir, "/usr/jiso-no-such-dir")
                        .start());
        assertTrue(e.getMessage().contains("/usr/jiso-no-such-dir: EROFS"), e.getMessage());
        assertEquals(before, templates(), "no template for it");
        Run.of(new IsolatedProcessBuilder("/bin/true").bindReadOnly(dir, "/srv/after-a-failure"))
                .ok();
        assertEquals(before + 1, templates(), "other layouts still get theirs");
    }

    @Test
    void withoutAPidNamespaceProcIsTheHosts() throws Exception {
        String inside = Run.of(new IsolatedProcessBuilder("/bin/cat", "/proc/1/comm").share(Namespace.PID))
                .ok()
                .out();
        assertEquals(Files.readString(Path.of("/proc/1/comm")), inside);
        String own = Run.of(new IsolatedProcessBuilder("/bin/cat", "/proc/1/comm"))
                .ok()
                .out();
        assertNotEquals(inside, own, "with one, PID 1 is jiso-init");
    }

    @Test
    void aBadBindSourceIsNamed(@TempDir Path dir) {
        IsolationException e = assertThrows(
                IsolationException.class,
                () -> new IsolatedProcessBuilder("/bin/true")
                        .bindReadOnly(dir.resolve("gone"), "/gone")
                        .start());
        assertTrue(e.getMessage().contains("bind " + dir.resolve("gone") + " on /gone: ENOENT"), e.getMessage());
    }

    private static long templates() {
        return Launcher.rootTemplateFds().size();
    }

    private static boolean isMountNamespace(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
                    .toString()
                    .startsWith("mnt:[");
        } catch (IOException closed) {
            return false;
        }
    }

    private static IsolatedProcessBuilder mountsOf(JisoRuntime runtime, Path dir) {
        return new IsolatedProcessBuilder(runtime, "/bin/sh", "-c", MOUNTS)
                .bindReadOnly(dir, "/srv/in")
                .bind(dir, "/srv/out")
                .tmpfs("/scratch", 1 << 20)
                // beneath mounts each sandbox makes (its /tmp, an earlier mount): made per sandbox
                .bindReadOnly(dir, "/tmp/in")
                .tmpfs("/scratch/deep", 1 << 20);
    }

    interface Body<T> {
        T run(JisoRuntime runtime) throws Exception;
    }

    private static <T> T withoutTemplates(Body<T> body) throws Exception {
        try (JisoRuntime noTemplates =
                JisoRuntime.builder().rootTemplates(false).build()) {
            return body.run(noTemplates);
        }
    }
}
