package io.jiso.spawn;

import static io.jiso.nativegen.Linux.AT_EMPTY_PATH;
import static io.jiso.nativegen.Linux.CLOSE_RANGE_CLOEXEC;
import static io.jiso.nativegen.Linux.EACCES;
import static io.jiso.nativegen.Linux.ENOENT;
import static io.jiso.nativegen.Linux.ENOTDIR;
import static io.jiso.nativegen.Linux.F_SETFD;
import static io.jiso.nativegen.Linux.PR_SET_PDEATHSIG;
import static io.jiso.nativegen.Linux.SIGKILL;
import static io.jiso.nativegen.Linux.SIG_SETMASK;
import static io.jiso.plan.Syscalls.CHDIR;
import static io.jiso.plan.Syscalls.CLOSE_RANGE;
import static io.jiso.plan.Syscalls.DUP3;
import static io.jiso.plan.Syscalls.EXECVE;
import static io.jiso.plan.Syscalls.EXECVEAT;
import static io.jiso.plan.Syscalls.FCNTL;
import static io.jiso.plan.Syscalls.PRCTL;
import static io.jiso.plan.Syscalls.RT_SIGPROCMASK;
import static io.jiso.plan.Syscalls.SETSID;

import io.jiso.capability.CapabilitySteps;
import io.jiso.cgroup.CgroupSteps;
import io.jiso.cgroup.LeafHierarchies;
import io.jiso.landlock.LandlockSteps;
import io.jiso.limits.RlimitSteps;
import io.jiso.lsm.LsmSteps;
import io.jiso.mount.RootTemplateSteps;
import io.jiso.mount.RootfsSteps;
import io.jiso.namespace.NamespaceSteps;
import io.jiso.namespace.NamespaceType;
import io.jiso.net.LoopbackSteps;
import io.jiso.plan.StepList;
import io.jiso.seccomp.SeccompCompiler;
import io.jiso.seccomp.SeccompSteps;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order of everything a child does between clone3 and execve. Read
 * {@link #plan} top to bottom: it is the spawn sequence. Each concern's
 * package writes its own steps; this class only orders them.
 */
final class ChildSteps {
    private ChildSteps() {}

    /** A free fd number for Landlock's ruleset: stdio is 0..2 and every other fd is ours to reuse. */
    private static final int LANDLOCK_SCRATCH_FD = 3;
    /** In a fresh pid namespace jiso-init is 1 and the first process it creates is 2. */
    private static final String MAIN_PID = "2";

    /**
     * The fds of one spawn: what becomes the child's 0, 1, 2 (-1: the JVM's
     * own), init's status pipe, a ready-made network namespace, the mount
     * namespace of a root template (-1: none), and the limits jiso-init
     * enforces (null: none).
     */
    record Fds(int in, int out, int err, int initStatus, int network, int rootTemplate, InitLimits initLimits) {}

    /**
     * The leaf's v1 tasks fds, which the child writes itself into (empty
     * without v1 controllers); the cgroup namespace is then made after the
     * move, so that it is rooted at the leaf in every hierarchy.
     */
    record V1Leaf(String name, int[] tasksFds) {
        static final V1Leaf NONE = new V1Leaf("", new int[0]);

        boolean present() {
            return tasksFds.length > 0;
        }
    }

    /**
     * Writes the child's steps for spec (under the host facts it carries) into steps. Returns the
     * execve steps of the program's PATH search, to explain their failure. cgroups: the
     * hierarchies of the child's leaf to mount at /sys/fs/cgroup when the spec's root asks for it
     * (FsOp.CgroupFs), or null (no leaf).
     */
    static ProgramSearch plan(SandboxSpec spec, Fds fds, V1Leaf v1Leaf, LeafHierarchies cgroups, StepList steps) {
        // The first process: PID 1 of a new pid namespace, which watches the JVM itself once it is
        // jiso-init (a lifeline pidfd), or the main process, made by a spawner thread that never ends.
        if (!spec.creates(NamespaceType.PID)) {
            dieWithTheJvm(steps);
        }
        if (v1Leaf.present()) {
            CgroupSteps.moveSelfInto(steps, v1Leaf.name(), v1Leaf.tasksFds());
            if (spec.creates(NamespaceType.CGROUP)) {
                NamespaceSteps.unshare(steps, NamespaceType.CGROUP);
            }
        }
        if (spec.creates(NamespaceType.USER)) {
            NamespaceSteps.becomeRootOfUserNamespace(steps, canSetGroups(spec));
        }
        NamespaceSteps.join(steps, pidfds(spec.joined()));
        if (spec.creates(NamespaceType.UTS)) {
            NamespaceSteps.hostname(steps, spec.hostname());
        }
        if (fds.network() >= 0) {
            NamespaceSteps.joinFresh(steps, fds.network(), NamespaceType.NET); // made ahead, lo already up
        } else if (spec.creates(NamespaceType.NET)) {
            LoopbackSteps.up(steps);
        }
        if (fds.rootTemplate() >= 0) {
            // made ahead, no host tree to detach
            RootTemplateSteps.enterCopy(steps, spec.rootPreset(), spec.mounts(), fds.rootTemplate(), cgroups);
        } else if (spec.creates(NamespaceType.MOUNT)) {
            RootfsSteps.build(steps, spec.freshRoot(), spec.rootPreset(), spec.mounts(), cgroups);
        }
        if (spec.creates(NamespaceType.TIME)) {
            NamespaceSteps.timeNamespace(steps, spec.monotonicOffset(), spec.boottimeOffset());
        }
        StepList.Step spawnMain = null;
        if (spec.creates(NamespaceType.PID)) {
            // PID 1 must reap orphans and pass signals on; the main process is its child.
            if (spec.newSession()) {
                newSession(steps); // out of the JVM's process group too: no signal from its terminal
            }
            spawnMain = steps.spawn("start the main process under jiso-init");
            dieWithTheJvm(steps);
        }

        // The main process.
        if (spec.newSession()) {
            newSession(steps); // no controlling terminal: /dev/tty and the JVM's terminal are out of reach
        }
        redirect(steps, fds.in(), 0);
        redirect(steps, fds.out(), 1);
        redirect(steps, fds.err(), 2);
        steps.call("close every other file descriptor on exec", CLOSE_RANGE, 3, 0xFFFF_FFFFL, CLOSE_RANGE_CLOEXEC);
        steps.call("change directory to " + spec.directory(), CHDIR, steps.cStringAddress(spec.directory()));
        // Labels for the execve, while the process may still open its /proc files as itself.
        if (spec.appArmorProfile() != null) {
            LsmSteps.appArmorOnExec(steps, spec.appArmorProfile());
        }
        if (spec.selinuxLabel() != null) {
            LsmSteps.selinuxOnExec(steps, spec.selinuxLabel());
        }
        RlimitSteps.set(steps, spec.runLimits().rlimits()); // before the drop: raising a hard limit is a privilege
        // Privileges go last, after everything that needs them; after the spawn of the main process,
        // whose clone3 the seccomp policies answer with ENOSYS, and whose PID 1 must still execute
        // jiso-init from a memfd that no Landlock rule names.
        CapabilitySteps.dropPrivileges(
                steps,
                spec.privileges(),
                canSetGroups(spec),
                spec.creates(NamespaceType.USER) || spec.host().jvmHoldsSetPcap());
        dieWithTheJvm(steps); // again: a change of uid or gid clears the parent-death signal
        if (spawnMain != null) {
            // Not one instruction of the program while PID 1 still shares the JVM's memory (its
            // command line, its comm in /proc/1): jiso-init's first act releases us. Before
            // Landlock and seccomp, which a user policy may make deny the calls of the wait.
            steps.awaitCreator("wait until PID 1 is jiso-init");
        }
        if (spec.landlock() != null) {
            LandlockSteps.restrict(steps, spec.landlock(), spec.host().landlockAbi(), LANDLOCK_SCRATCH_FD);
        }
        if (spec.seccomp() != null) {
            SeccompSteps.install(steps, SeccompCompiler.forCurrentArch(spec.seccomp())); // last
        }
        unblockSignals(steps);
        ProgramSearch search = execute(steps, spec);

        if (spawnMain != null) {
            // PID 1 again, at once, while the main process runs its steps: become jiso-init.
            spawnMain.continueAtNext();
            steps.call(
                    "close file descriptors jiso-init does not need",
                    CLOSE_RANGE,
                    0,
                    0xFFFF_FFFFL,
                    CLOSE_RANGE_CLOEXEC);
            if (fds.initStatus() >= 0) {
                steps.call("keep the status pipe open for jiso-init", FCNTL, fds.initStatus(), F_SETFD, 0);
            }
            steps.call("keep the JVM's pidfd open for jiso-init", FCNTL, NativeStage.JVM_PIDFD, F_SETFD, 0);
            List<String> initArgs = new ArrayList<>(List.of(
                    "jiso-init",
                    MAIN_PID,
                    Integer.toString(fds.initStatus()),
                    Integer.toString(NativeStage.JVM_PIDFD)));
            if (fds.initLimits() != null) {
                for (int fd : fds.initLimits().keepOpen()) {
                    steps.call("keep fd " + fd + " open for jiso-init's limits", FCNTL, fd, F_SETFD, 0);
                }
                initArgs.addAll(fds.initLimits().arguments());
            }
            MemorySegment argv = argv(steps, initArgs);
            steps.call(
                    "execute jiso-init",
                    EXECVEAT,
                    NativeStage.INIT_FD,
                    steps.cStringAddress(""),
                    argv.address(),
                    argv(steps, List.of()).address(),
                    AT_EMPTY_PATH);
        }
        return search;
    }

    /** An unprivileged JVM's user namespace has setgroups denied unless newgidmap wrote its gid_map. */
    private static boolean canSetGroups(SandboxSpec spec) {
        boolean root = spec.host().jvmIsRoot();
        return spec.userMaps() != null ? spec.userMaps().setGroupsAllowed(root) : root;
    }

    private static void newSession(StepList steps) {
        steps.call("start a new session", SETSID);
    }

    /** PR_SET_PDEATHSIG: the child dies with the thread that made it (a spawner thread lives as long as the JVM). */
    private static void dieWithTheJvm(StepList steps) {
        steps.call("die with the JVM", PRCTL, PR_SET_PDEATHSIG, SIGKILL);
    }

    private static void redirect(StepList steps, int fd, int target) {
        if (fd >= 0) {
            steps.call("redirect fd " + target, DUP3, fd, target, 0);
        }
    }

    /** The stage keeps every signal blocked while it works; the program starts with none blocked. */
    private static void unblockSignals(StepList steps) {
        MemorySegment empty = steps.allocate(ValueLayout.JAVA_LONG);
        steps.call("unblock signals", RT_SIGPROCMASK, SIG_SETMASK, empty.address(), 0, empty.byteSize());
    }

    /**
     * execve, searching PATH of the child's environment when the command has no
     * slash, inside the sandbox's root: each candidate may fail with ENOENT,
     * EACCES or ENOTDIR and the next is tried; the last one's error is reported.
     */
    private static ProgramSearch execute(StepList steps, SandboxSpec spec) {
        String command = spec.command().get(0);
        MemorySegment argv = argv(steps, spec.command());
        MemorySegment envp = envp(steps, spec.environment());
        String path = spec.environment().get("PATH");
        List<String> candidates = candidates(command, path);
        ProgramSearch search =
                new ProgramSearch(command, command.contains("/") ? null : searchPath(path), candidates, steps.size());
        for (int i = 0; i < candidates.size(); i++) {
            String file = candidates.get(i);
            var step = steps.call(
                    "execute " + command + (file.equals(command) ? "" : " (" + file + ")"),
                    EXECVE,
                    steps.cStringAddress(file),
                    argv.address(),
                    envp.address());
            if (i < candidates.size() - 1) {
                step.tolerate(ENOENT).tolerate(EACCES).tolerate(ENOTDIR);
            }
        }
        return search;
    }

    static List<String> candidates(String command, String path) {
        if (command.contains("/")) {
            return List.of(command);
        }
        return Arrays.stream(searchPath(path).split(":"))
                .map(dir -> (dir.isEmpty() ? "." : dir) + "/" + command)
                .distinct()
                .toList();
    }

    /** PATH, or where execvp looks without one. */
    private static String searchPath(String path) {
        return path == null || path.isEmpty() ? "/usr/bin:/bin" : path;
    }

    static MemorySegment argv(StepList steps, List<String> args) {
        return steps.cStrings(args);
    }

    private static MemorySegment envp(StepList steps, Map<String, String> environment) {
        return argv(
                steps,
                environment.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
    }

    private static Map<NamespaceType, Integer> pidfds(Map<NamespaceType, ChildProcess> joined) {
        Map<NamespaceType, Integer> fds = new HashMap<>();
        joined.forEach((ns, process) -> fds.put(ns, process.pidfdForJoin(ns)));
        return fds;
    }
}
