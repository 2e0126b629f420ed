package io.jiso;

import io.jiso.plan.ChildSetupFailure;
import io.jiso.spawn.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A judge's flow turned into an attack, replayed: run 1 binds a work
 * directory writable and plants a symbolic link (or a FIFO) in it; run 2 binds
 * from or into that directory. Each scenario checks that run 2 fails naming
 * the link (or runs without following it), that nothing appeared or changed
 * on the host where the link pointed, and that no host file's content showed
 * in the sandbox. Run in this JVM by {@link PlantedSymlinkTest}, and as
 * main() in an unprivileged user's JVM, where it prints one line a scenario.
 */
public final class PlantAttacks {
    private static final String SECRET = "host-secret-a1b2c3\n";
    private static final String TEST_DATA = "test-data-for-run-2\n";

    private final Path base;
    private final boolean asRoot;
    private final List<String> results = new ArrayList<>();

    private final JisoRuntime runtime;

    private PlantAttacks(Path base, boolean asRoot, JisoRuntime runtime) {
        this.base = base;
        this.asRoot = asRoot;
        this.runtime = runtime;
    }

    /** Every scenario beneath base (a fresh directory); "ok name" or "FAIL name: why" a line. */
    static List<String> runAll(Path base, boolean asRoot) throws IOException {
        return runAll(base, asRoot, JisoRuntime.defaultRuntime());
    }

    /** As above, with the sandboxes of this runtime. */
    static List<String> runAll(Path base, boolean asRoot, JisoRuntime runtime) throws IOException {
        PlantAttacks a = new PlantAttacks(base, asRoot, runtime);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String kind : List.of("absolute", "oldroot", "relative")) {
            a.scenario("source's last component, " + kind + " link", n -> a.sourceIsALink(n, kind));
            a.scenario(
                    "intermediate component of a nested target, " + kind + " link",
                    n -> a.targetParentIsALink(n, kind));
            a.scenario("file-bind target, " + kind + " link", n -> a.fileTargetIsALink(n, kind));
        }
        a.scenario("link planted after start() resolved the source", a::linkPlantedAfterResolution);
        a.scenario("beneath: a link below the trusted directory", a::beneathRefusesALink);
        a.scenario("beneath: a plain path", a::beneathBindsAPlainPath);
        a.scenario("resolvingSymlinks: a trusted link is followed", a::resolvingSymlinksFollows);
        a.scenario("FIFO at a file-bind target", a::fifoAtFileTarget); // last: a blocked start would stall the rest
        return a.results;
    }

    public static void main(String[] args) throws Exception {
        Path base = Files.createTempDirectory("jiso-plant");
        try {
            runAll(base, false).forEach(System.out::println);
        } finally {
            delete(base);
        }
        System.exit(0); // the JVM's pooled namespaces and templates need no orderly end
    }

    private interface Scenario {
        void run(Path dir) throws Exception;
    }

    private void scenario(String name, Scenario s) {
        try {
            Path dir = Files.createDirectory(base.resolve("s" + results.size()));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            s.run(dir);
            results.add("ok " + name);
        } catch (Throwable t) {
            results.add("FAIL " + name + ": " + t);
        }
    }

    // ---- the scenarios ------------------------------------------------------------------------

    private void sourceIsALink(Path dir, String kind) throws Exception {
        Host h = new Host(dir);
        plant(h.work, "ln -s " + linkTo(kind, h.work, h.secret) + " /box/prog");
        IsolatedProcessBuilder run2 = sandbox("cat /box/prog").bindReadOnly(h.work.resolve("prog"), "/box/prog");
        expectRefused(run2, HostSetupException.class, h.work.resolve("prog") + " is a symbolic link");
        h.unchanged();
    }

    private void targetParentIsALink(Path dir, String kind) throws Exception {
        Host h = new Host(dir);
        plant(h.work, "ln -sfn " + linkTo(kind, h.work, h.victim) + " /box/out");
        IsolatedProcessBuilder run2 = sandbox("cat /box/out/sub/deeper/data")
                .bind(h.work, "/box")
                .bindReadOnly(h.tests, "/box/out/sub/deeper");
        expectRefused(run2, ChildSetupException.class, "/box/out beneath the root, following no symlink: ELOOP");
        h.unchanged();
    }

    private void fileTargetIsALink(Path dir, String kind) throws Exception {
        Host h = new Host(dir);
        plant(h.work, "ln -s " + linkTo(kind, h.work, h.victim.resolve("nologin")) + " /box/input");
        IsolatedProcessBuilder run2 =
                sandbox("cat /box/input").bind(h.work, "/box").bindReadOnly(h.tests.resolve("data"), "/box/input");
        expectRefused(run2, ChildSetupException.class, "/box/input beneath the root, following no symlink: ELOOP");
        h.unchanged();
    }

    private void fifoAtFileTarget(Path dir) throws Exception {
        Host h = new Host(dir);
        plant(h.work, "mkfifo /box/input");
        IsolatedProcessBuilder run2 =
                sandbox("cat /box/input").bind(h.work, "/box").bindReadOnly(h.tests.resolve("data"), "/box/input");
        // Covered by the bind, not opened for reading in a way that blocks: the start returns.
        CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> {
            try {
                return Run.of(run2);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Run r;
        try {
            r = run.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // A writer releases the child blocked opening the FIFO for reading, so that nothing stays behind.
            Files.newOutputStream(h.work.resolve("input")).close();
            run.handle((done, failed) -> null).get(30, TimeUnit.SECONDS);
            throw new AssertionError("the start blocked on the FIFO at the mount point");
        }
        check(r.exit() == 0 && r.out().equals(TEST_DATA), "run 2 should see its test data: " + r);
        h.unchanged();
    }

    private void linkPlantedAfterResolution(Path dir) throws Exception {
        Host h = new Host(dir);
        Path prog = Files.writeString(h.work.resolve("prog"), "compiled\n");
        IsolatedProcessBuilder run2 = sandbox("cat /box/prog").bindReadOnly(prog, "/box/prog");
        var spec = run2.spec(); // the JVM resolved the source: a plain file
        Files.delete(prog);
        Files.createSymbolicLink(prog, h.secret);
        try {
            IsolatedProcess p = new IsolatedProcess(
                    Launcher.start(runtime.services(), spec, -1, -1, Failures::toPublic), spec.command());
            p.destroyForcibly().waitFor();
            throw new AssertionError("started through a link planted after the check");
        } catch (ChildSetupFailure e) { // the internals' failure: Launcher is called here, not start()
            check(e.getMessage().contains("bind " + prog + " on /box/prog: ELOOP"), e.getMessage());
        }
        h.unchanged();
    }

    private void beneathRefusesALink(Path dir) throws Exception {
        Host h = new Host(dir);
        Files.writeString(h.victim.resolve("prog"), SECRET);
        plant(h.work, "ln -s " + h.victim + " /box/sub");
        IsolatedProcessBuilder run2 =
                sandbox("cat /box/prog").bindReadOnly(BindSource.beneath(h.work, "sub/prog"), "/box/prog");
        expectRefused(run2, HostSetupException.class, h.work.resolve("sub") + " is a symbolic link");
    }

    private void beneathBindsAPlainPath(Path dir) throws Exception {
        Host h = new Host(dir);
        plant(h.work, "mkdir /box/sub && echo compiled > /box/sub/prog");
        Run r = Run.of(sandbox("cat /box/prog").bindReadOnly(BindSource.beneath(h.work, "sub/prog"), "/box/prog"));
        check(r.exit() == 0 && r.out().equals("compiled\n"), r.toString());
    }

    private void resolvingSymlinksFollows(Path dir) throws Exception {
        Host h = new Host(dir);
        Path link = Files.createSymbolicLink(dir.resolve("current"), h.tests);
        Run r = Run.of(sandbox("cat /box/tests/data").bindReadOnly(BindSource.resolvingSymlinks(link), "/box/tests"));
        check(r.exit() == 0 && r.out().equals(TEST_DATA), r.toString());
        IsolatedProcessBuilder asNamed = sandbox("true").bindReadOnly(link, "/box/tests");
        expectRefused(asNamed, HostSetupException.class, link + " is a symbolic link");
    }

    // ---- support ------------------------------------------------------------------------------

    /** The host's side: a work directory a sandbox writes, test data, a secret and a victim directory. */
    private static final class Host {
        final Path work;
        final Path tests;
        final Path secret;
        final Path victim;

        Host(Path dir) throws IOException {
            work = Files.createDirectory(dir.resolve("work"));
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
            tests = Files.createDirectory(dir.resolve("tests"));
            Files.writeString(tests.resolve("data"), TEST_DATA);
            Path secrets = Files.createDirectory(dir.resolve("secrets"));
            secret = Files.writeString(secrets.resolve("secret"), SECRET);
            victim = Files.createDirectory(dir.resolve("victim"));
        }

        /** Nothing appeared where the links pointed; the secret is as it was. */
        void unchanged() throws IOException {
            try (Stream<Path> in = Files.list(victim)) {
                List<Path> made = in.filter(p -> !p.getFileName().toString().equals("prog"))
                        .toList();
                check(made.isEmpty(), "made on the host: " + made);
            }
            check(Files.readString(secret).equals(SECRET), "the secret changed");
        }
    }

    /** kind: an absolute host path, the host's path under the old root, or a path relative to the link. */
    private static String linkTo(String kind, Path work, Path target) {
        return switch (kind) {
            case "absolute" -> target.toString();
            case "oldroot" -> "/oldroot" + target;
            case "relative" ->
                "../".repeat(work.getNameCount() + 1) + target.toString().substring(1);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private IsolatedProcessBuilder sandbox(String script) {
        IsolatedProcessBuilder b = new IsolatedProcessBuilder(runtime, "/bin/sh", "-c", script);
        return asRoot ? b.runAsRoot() : b;
    }

    /** Run 1: the script with work bound writable at /box. */
    private void plant(Path work, String script) throws Exception {
        Run r = Run.of(sandbox(script).bind(work, "/box"));
        check(r.exit() == 0, "run 1 could not plant: " + r);
    }

    /** Run 2 must not start, with an exception of type naming what it refused; if it ran, it showed no secret. */
    private static void expectRefused(
            IsolatedProcessBuilder run2, Class<? extends IsolationException> type, String message) throws Exception {
        Run r;
        try {
            r = Run.of(run2);
        } catch (IsolationException e) {
            check(
                    type.isInstance(e) && e.getMessage().contains(message),
                    "expected " + type.getSimpleName() + " with \"" + message + "\", got " + e);
            return;
        }
        check(!r.out().contains(SECRET.strip()), "run 2 showed the host's secret: " + r);
        throw new AssertionError("run 2 started: " + r);
    }

    private static void check(boolean ok, String why) {
        if (!ok) {
            throw new AssertionError(why);
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
