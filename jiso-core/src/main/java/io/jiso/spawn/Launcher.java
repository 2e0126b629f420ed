package io.jiso.spawn;

import io.jiso.cgroup.AllowedDevice;
import io.jiso.cgroup.CgroupLeaf;
import io.jiso.cgroup.Cgroups;
import io.jiso.cgroup.LeafHierarchies;
import io.jiso.mount.RootPresets;
import io.jiso.namespace.NamespaceType;
import io.jiso.net.NetworkNamespacePool;
import io.jiso.plan.ChildSetupFailure;
import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import io.jiso.sys.WaitStatus;
import io.jiso.user.IdMapLine;
import io.jiso.user.Rootless;
import io.jiso.user.UserNamespaceMaps;
import io.jiso.user.UserNamespacePolicy;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * start(): opens the child's standard streams, plans its steps, runs the plan
 * on a spawner thread, and turns any failure into an exception after undoing
 * everything (child, fds) it made.
 */
public final class Launcher {
    private Launcher() {}

    /**
     * A child that runs its program, the JVM's ends of its pipes (null where not piped), and why
     * it has no cgroup leaf (null if it has one).
     */
    public record Started(
            ChildProcess child, OutputStream stdin, InputStream stdout, InputStream stderr, String whyNoCgroup) {}

    /** The child's cgroup leaf, or why it has none. */
    private record LeafOrReason(CgroupLeaf leaf, String whyNone) {}

    /**
     * Waits until the cleanup after every exit reported so far is done (leaf
     * removed, mount namespace dropped), for leak checks; false on timeout.
     */
    public static boolean awaitHousekeeping(long timeoutMillis) throws InterruptedException {
        return ChildProcess.awaitHousekeeping(timeoutMillis);
    }

    /** The fds jiso keeps open until their runtime closes to copy fresh roots from (for leak checks). */
    public static Collection<Integer> rootTemplateFds() {
        return Services.rootTemplateFds();
    }

    /**
     * Starts a sandbox of the runtime of these services, with fds of the JVM's (-1: none) as the
     * child's stdin and stdout instead of its redirects, for a pipeline; the caller keeps and
     * closes them. A read or write of the streams it returns that the kernel refuses throws
     * publicFailure's form of the failure (the API's exception), the streams' users being the API's.
     *
     * @throws IllegalStateException if the runtime is closed
     */
    public static Started start(
            Services services,
            SandboxSpec spec,
            int stdinFd,
            int stdoutFd,
            Function<SetupFailure, ? extends IOException> publicFailure)
            throws IOException {
        services.beginStart();
        try {
            ChildProcess.awaitBacklog();
            try {
                return startOnce(services, spec, stdinFd, stdoutFd, publicFailure);
            } catch (SetupFailure e) {
                // At the JVM's fd limit jiso's own fds go first: the cleanup after earlier exits is
                // awaited, the leaves and network namespaces made ahead are closed, then the spawn
                // tries once more. Only a table full of the program's own fds fails it.
                if (e.errno() != Errno.EMFILE) {
                    throw e;
                }
                releaseBackgroundFds(services);
                return startOnce(services, spec, stdinFd, stdoutFd, publicFailure);
            }
        } finally {
            services.endStart();
        }
    }

    private static void releaseBackgroundFds(Services services) {
        try {
            ChildProcess.awaitHousekeeping(EMFILE_WAIT_MILLIS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        releasePooledFds(services);
    }

    /** Closes the network namespaces and cgroup leaves made ahead of need, and makes none for the next spawns. */
    private static void releasePooledFds(Services services) {
        services.releasePooledFds(cgroupsUsed);
    }

    /** Closes a leaf no child got; at the fd limit (its files are opened to read it) once more after releasing the pools. */
    private static void closeUnused(Services services, CgroupLeaf leaf) throws IOException {
        try {
            leaf.close();
        } catch (SetupFailure e) {
            if (e.errno() != Errno.EMFILE) {
                throw e;
            }
            releasePooledFds(services);
            leaf.close();
        }
    }

    private static final long EMFILE_WAIT_MILLIS = 2000;
    /**
     * Whether a spawn asked for a cgroup leaf, so leaves may be ready: otherwise the EMFILE path
     * leaves Cgroups alone, as initializing it there would load classes, an fd each from a
     * classes directory.
     */
    private static boolean cgroupsUsed;

    static {
        // The EMFILE path runs when no fd is free, and loading a class from a directory takes one:
        // the exception it catches is loaded now.
        new ChildSetupFailure("", 0, "", null).getMessage();
    }

    private static Started startOnce(
            Services services,
            SandboxSpec spec,
            int stdinFd,
            int stdoutFd,
            Function<SetupFailure, ? extends IOException> publicFailure)
            throws IOException {
        Preflight.check(spec);
        Pipes pipes = new Pipes(services.network);
        pipes.given[0] = stdinFd;
        pipes.given[1] = stdoutFd;
        CgroupLeaf leaf = null;
        try {
            LeafOrReason cgroup = leafFor(services, spec);
            leaf = cgroup.leaf();
            if (spec.runLimits().cpuTime() != null && leaf == null) {
                throw new FeatureUnavailable(
                        "enforce cpuTimeLimit",
                        0,
                        "",
                        "it counts the CPU" + " time of the sandbox's cgroup leaf, and this sandbox has none: "
                                + cgroup.whyNone());
            }
            int in = pipes.childEnd(spec.redirects().get(0), 0);
            int out = pipes.childEnd(spec.redirects().get(1), 1);
            int err = spec.mergeErrors() ? out : pipes.childEnd(spec.redirects().get(2), 2);
            int[] status = spec.creates(NamespaceType.PID) ? pipes.statusPipe() : null;
            if (status != null && spec.runLimits().watched()) {
                // jiso-init enforces the limits; with an output limit the main process writes to its relay
                pipes.initLimits = InitLimits.open(spec, leaf, out, err);
                if (pipes.initLimits.mainOut() >= 0) {
                    out = pipes.initLimits.mainOut();
                    err = pipes.initLimits.mainErr();
                }
            }
            // A pooled network namespace belongs to the init user namespace: not joinable from a new one.
            if (spec.creates(NamespaceType.NET) && !spec.creates(NamespaceType.USER)) {
                pipes.network = services.network.take();
            }
            ChildSteps.Fds fds = new ChildSteps.Fds(
                    in,
                    out,
                    err,
                    status == null ? -1 : status[1],
                    pipes.network,
                    services.templates.forSpec(spec),
                    pipes.initLimits);
            Spawner.Job<ChildProcess> job =
                    memory -> spawn(services, spec, fds, status == null ? -1 : status[0], cgroup.leaf(), memory);
            // Under jiso-init the sandbox watches the JVM itself, so it may be made on this thread,
            // whatever its life; a main process without one dies with its creator thread.
            ChildProcess child = spec.creates(NamespaceType.PID) ? Spawner.runHere(job) : services.spawner.run(job);
            leaf = null; // the child owns it now
            if (pipes.network >= 0 && mayGiveBackNetwork(spec, services.network)) {
                child.giveBackNetworkAtEnd(pipes.network);
                pipes.network = -1;
            }
            pipes.closeChildEnds();
            OutputStream stdin = pipes.outStream(0, publicFailure);
            InputStream stdout = pipes.inStream(1, publicFailure);
            InputStream stderr = pipes.inStream(2, publicFailure);
            child.closeAtExit(pipes.streamPipes);
            if (spec.runLimits().watched()) {
                child.limits(LimitWatch.start(spec.runLimits(), child, InitLimits.cpus(spec.cgroup()), status == null));
            }
            try {
                services.reaper.watch(child);
            } catch (IllegalStateException e) {
                // the child is ended; what the caller catches carries the failure as the API names it
                throw e.getCause() instanceof SetupFailure f
                        ? new IllegalStateException(e.getMessage(), publicFailure.apply(f))
                        : e;
            }
            return new Started(child, stdin, stdout, stderr, cgroup.whyNone());
        } catch (IOException | RuntimeException e) {
            pipes.closeAll();
            if (leaf != null) {
                try {
                    closeUnused(services, leaf);
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /**
     * Whether nothing the sandbox does can outlive it in its network
     * namespace unseen by NetworkNamespacePool's check: its processes end
     * with its PID 1, it holds no capability (nor can gain one through
     * execve) to change the namespace's addresses, routes or rules, and it
     * is not root, whom the namespace's sysctl files (0644, owned by root)
     * would let write them without a capability wherever a /proc/sys is
     * writable (the host's, or a writable bind of it).
     */
    private static boolean mayGiveBackNetwork(SandboxSpec spec, NetworkNamespacePool pool) {
        return spec.creates(NamespaceType.PID)
                && spec.privileges().keep().isEmpty()
                && spec.privileges().noNewPrivs()
                && spec.privileges().uid() != 0
                && pool.reuseEnabled();
    }

    /**
     * The child's cgroup leaf. Without limits and without allowDevice rules it
     * is for accounting, control and the minimal device set only, so a host
     * that gives jiso no cgroup (no delegation) or no way to restrict devices
     * just means going without; limits, or device rules the caller added,
     * make that an error naming what is missing.
     */
    private static LeafOrReason leafFor(Services services, SandboxSpec spec) throws IOException {
        if (spec.cgroup() == null) {
            return new LeafOrReason(null, "withoutCgroup() was asked for");
        }
        boolean ownDeviceRules = !spec.devices().equals(AllowedDevice.MINIMAL);
        boolean cgroupFs = RootPresets.mountsCgroupFs(spec.rootPreset()); // its hierarchies, rooted at the leaf
        try {
            List<AllowedDevice> devices = spec.devices();
            if (!ownDeviceRules && !services.leaves.canRestrictDevices()) {
                if (!warnedNoDeviceControl.getAndSet(true)) {
                    LOG.warn(
                            "cgroup layout {} has no way to restrict devices (no v2 tree, no v1 devices hierarchy):"
                                    + " the default device set is not enforced",
                            Cgroups.layout());
                }
                devices = null;
            }
            if (!cgroupsUsed) {
                cgroupsUsed = true;
            }
            boolean timeLimited =
                    spec.runLimits().cpuTime() != null || spec.runLimits().wallTime() != null;
            return new LeafOrReason(
                    services.leaves.createForSpawn(spec.cgroup(), devices, cgroupFs, timeLimited), null);
        } catch (IOException e) {
            if (!spec.cgroup().isNone() || ownDeviceRules || cgroupFs) {
                throw e;
            }
            LOG.debug("no cgroup leaf for accounting: {}", e.getMessage());
            return new LeafOrReason(null, e.getMessage());
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
    private static final AtomicBoolean warnedNoDeviceControl = new AtomicBoolean();

    private static ChildProcess spawn(
            Services services,
            SandboxSpec spec,
            ChildSteps.Fds fds,
            int statusReadEnd,
            CgroupLeaf leaf,
            SpawnMemory memory)
            throws IOException {
        // In the leaf before the program's first instruction: CLONE_INTO_CGROUP on v2; on v1 the
        // child's first step moves it, and its cgroup namespace is made after that move.
        Plan plan = plan(
                spec,
                fds,
                leaf == null ? -1 : leaf.cloneIntoFd(),
                leaf == null ? ChildSteps.V1Leaf.NONE : new ChildSteps.V1Leaf(leaf.name(), leaf.tasksFds()),
                leaf != null && RootPresets.mountsCgroupFs(spec.rootPreset()) ? leaf.runtimeHierarchies() : null,
                memory);
        Plan.Outcome outcome = plan.run(memory);
        if (outcome.pid() < 0) {
            throw failure(plan, outcome);
        }
        if (!outcome.succeeded()) {
            new ChildProcess(services, outcome.pid(), outcome.pidfd(), -1, null).discard();
            throw failure(plan, outcome);
        }
        ChildProcess child = new ChildProcess(services, outcome.pid(), outcome.pidfd(), statusReadEnd, leaf);
        if (spec.creates(NamespaceType.MOUNT) && !spec.creates(NamespaceType.PID)) {
            child.holdMountNamespace();
        }
        return child;
    }

    /**
     * The whole plan of a spawn: clone flags, what the parent writes (id
     * maps), the cgroup to start in (cgroupFd, -1: none; v1Leaf on v1) and
     * the child's steps; cgroupFs: the leaf's hierarchies to mount at
     * /sys/fs/cgroup when the spec's root asks for it, or null. A function of its arguments and of the host facts
     * spec carries: nothing is read from the host here.
     */
    static Plan plan(
            SandboxSpec spec,
            ChildSteps.Fds fds,
            int cgroupFd,
            ChildSteps.V1Leaf v1Leaf,
            LeafHierarchies cgroupFs,
            SegmentAllocator memory) {
        Plan plan = new Plan(memory);
        for (NamespaceType ns : spec.created()) {
            plan.cloneFlags |= ns.cloneFlag();
        }
        if (spec.creates(NamespaceType.TIME)) {
            plan.cloneFlags &= ~NamespaceType.TIME.cloneFlag(); // made with unshare, so its offsets can be set first
        }
        if (fds.network() >= 0) {
            plan.cloneFlags &= ~NamespaceType.NET.cloneFlag(); // joined instead: made ahead of time
        }
        if (fds.rootTemplate() >= 0) {
            plan.cloneFlags &= ~NamespaceType.MOUNT.cloneFlag(); // copied from the template instead of the host
        }
        if (spec.creates(NamespaceType.USER)) {
            UserNamespaceMaps maps = spec.userMaps();
            writeMap(plan, "uid_map", maps.uids(), maps.uidHelper());
            if (!maps.setGroupsAllowed(spec.host().jvmIsRoot())) {
                plan.writeProcFile("setgroups", "deny"); // the kernel's condition for an unprivileged gid_map
            }
            writeMap(plan, "gid_map", maps.gids(), maps.gidHelper());
        }
        plan.cgroupFd = cgroupFd;
        if (v1Leaf.present()) {
            plan.cloneFlags &= ~NamespaceType.CGROUP.cloneFlag();
        }
        plan.programSearch = ChildSteps.plan(spec, fds, v1Leaf, cgroupFs, plan.steps);
        return plan;
    }

    /** The JVM writes the map itself, or has newuidmap / newgidmap write it. */
    private static void writeMap(Plan plan, String file, List<IdMapLine> map, Path helper) {
        if (helper == null) {
            plan.writeProcFile(file, UserNamespaceMaps.procFileText(map));
        } else {
            plan.runWithChildPid(helper.toString(), UserNamespaceMaps.helperArguments(map));
        }
    }

    private static IOException failure(Plan plan, Plan.Outcome o) {
        int step = o.failedStep();
        String errno = Errno.name(o.errno());
        if (step >= 0) {
            ProgramSearch search = plan.programSearch;
            if (search != null
                    && search.covers(step)
                    && (o.errno() == Errno.ENOENT || o.errno() == Errno.EACCES || o.errno() == Errno.ENOTDIR)) {
                return new ChildSetupFailure(
                        "execute " + search.command(), o.errno(), errno, search.explain(o.errno() == Errno.ENOENT));
            }
            return new ChildSetupFailure(plan.steps.describe(step), o.errno(), errno, null);
        }
        if (step == StageFailure.CLONE) {
            String why = (plan.cloneFlags & NamespaceType.USER.cloneFlag()) != 0 && !Rootless.jvmIsRoot()
                    ? UserNamespacePolicy.refusalReason()
                    : "";
            if (!why.isEmpty()) {
                return new FeatureUnavailable(
                        "create the child in a new user namespace (clone3)",
                        o.errno(),
                        errno,
                        "this host forbids unprivileged user namespaces: " + why);
            }
            return new HostSetupFailure("create the child (clone3)", o.errno(), errno, null);
        }
        if (step == StageFailure.PARENT_WRITE) {
            String file = plan.parentWriteFile(o.detail());
            if (!Rootless.jvmIsRoot() && o.errno() == Errno.EPERM && file != null && file.endsWith("_map")) {
                return new FeatureUnavailable(
                        plan.describeParentWrite(o.detail()), o.errno(), errno, Rootless.whyMappingRefused());
            }
            return new HostSetupFailure(plan.describeParentWrite(o.detail()), o.errno(), errno, null);
        }
        if (step == StageFailure.PARENT_RUN) {
            String program = plan.describeParentWrite(o.detail()).replace("<child pid>", Integer.toString(o.pid()));
            String output = plan.parentProgramOutput(o.detail());
            String how = o.waitStatus() < 0
                    ? ""
                    : WaitStatus.describe(o.waitStatus()) + (output.isEmpty() ? "" : ": " + output);
            return new HostSetupFailure(program, o.errno(), errno, how);
        }
        if (step == StageFailure.NO_EXEC) {
            return new ChildSetupFailure("execute the program: the plan ended without execve", 0, "", null);
        }
        if (step == StageFailure.HANDSHAKE) {
            return new ChildSetupFailure("wait for the parent's go-ahead", o.errno(), errno, null);
        }
        if (step == StageFailure.PIPE) {
            return new HostSetupFailure("create the handshake pipe", o.errno(), errno, null);
        }
        if (step == StageFailure.BAD_PLAN) {
            return new HostSetupFailure("hand the plan to the stage: it refused it as malformed", 0, "", null);
        }
        return new HostSetupFailure("run the spawn stage (failure " + step + ")", o.errno(), errno, null);
    }

    /** The pipes and files of one start; everything is closed on failure. */
    private static final class Pipes {
        /** The runtime's pool, which takes back the network namespace taken from it. */
        private final NetworkNamespacePool pool;

        private final int[] parentEnds = {-1, -1, -1};
        private final int[] childEnds = {-1, -1, -1};
        /** The caller's fds to use as the child's 0, 1, 2 instead of a redirect; not closed here. */
        final int[] given = {-1, -1, -1};

        private int statusRead = -1;
        private int statusWrite = -1;
        int network = -1;
        InitLimits initLimits;

        Pipes(NetworkNamespacePool pool) {
            this.pool = pool;
        }

        int childEnd(Redirect r, int fd) throws IOException {
            if (given[fd] >= 0) {
                return given[fd];
            }
            int cloexec = Errno.O_CLOEXEC;
            switch (r.type()) {
                case PIPE -> {
                    int[] p = Sys.pipe2(cloexec);
                    parentEnds[fd] = fd == 0 ? p[1] : p[0];
                    childEnds[fd] = fd == 0 ? p[0] : p[1];
                }
                case INHERIT -> {
                    return -1;
                }
                case READ -> childEnds[fd] = Sys.open(path(r.file()), Errno.O_RDONLY | cloexec, 0);
                case WRITE ->
                    childEnds[fd] =
                            Sys.open(path(r.file()), Errno.O_WRONLY | Errno.O_CREAT | Errno.O_TRUNC | cloexec, 0644);
                case APPEND ->
                    childEnds[fd] =
                            Sys.open(path(r.file()), Errno.O_WRONLY | Errno.O_CREAT | Errno.O_APPEND | cloexec, 0644);
            }
            return childEnds[fd];
        }

        private static String path(File f) {
            return f.getAbsolutePath(); // relative to the JVM's directory, as ProcessBuilder resolves it
        }

        int[] statusPipe() throws IOException {
            int[] p = Sys.pipe2(Errno.O_CLOEXEC);
            statusRead = p[0];
            statusWrite = p[1];
            return p;
        }

        /** The JVM's ends of the pipes made into streams, for the exit to drain and close. */
        final List<FdStreams.Pipe> streamPipes = new ArrayList<>(3);

        OutputStream outStream(int fd, Function<SetupFailure, ? extends IOException> publicFailure) {
            return parentEnds[fd] < 0
                    ? OutputStream.nullOutputStream()
                    : FdStreams.output(pipe(fd, false), publicFailure);
        }

        InputStream inStream(int fd, Function<SetupFailure, ? extends IOException> publicFailure) {
            return parentEnds[fd] < 0 ? InputStream.nullInputStream() : FdStreams.input(pipe(fd, true), publicFailure);
        }

        private FdStreams.Pipe pipe(int fd, boolean readEnd) {
            FdStreams.Pipe pipe = new FdStreams.Pipe(take(fd), readEnd);
            streamPipes.add(pipe);
            return pipe;
        }

        private int take(int fd) {
            int taken = parentEnds[fd];
            parentEnds[fd] = -1;
            return taken;
        }

        /** After the spawn: the child has its copies; the status read end now belongs to the ChildProcess. */
        void closeChildEnds() {
            for (int i = 0; i < 3; i++) {
                Sys.close(childEnds[i]);
                childEnds[i] = -1;
            }
            Sys.close(statusWrite);
            statusWrite = -1;
            statusRead = -1;
            pool.discard(network);
            network = -1;
            closeInitLimits();
        }

        private void closeInitLimits() {
            if (initLimits != null) {
                initLimits.close();
                initLimits = null;
            }
        }

        void closeAll() {
            for (int i = 0; i < 3; i++) {
                Sys.close(childEnds[i]);
                Sys.close(parentEnds[i]);
                childEnds[i] = parentEnds[i] = -1;
            }
            Sys.close(statusRead);
            Sys.close(statusWrite);
            pool.discard(network);
            statusRead = statusWrite = network = -1;
            closeInitLimits();
        }
    }
}
