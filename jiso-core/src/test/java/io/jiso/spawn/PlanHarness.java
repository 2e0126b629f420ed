package io.jiso.spawn;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.Macros;
import io.jiso.plan.StepList;
import io.jiso.plan.Syscalls;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import io.jiso.user.Rootless;
import io.jiso.user.UserNamespaceMaps;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Test support for the issue 4 emitters (capabilities, identity, Landlock,
 * seccomp) before the builder exposes them: runs a minimal plan through the
 * real native stage (stdout and stderr to a pipe, the steps under test,
 * unblock signals, execve) and returns what the program printed. Unlike
 * ChildSteps there is no new root: the program runs on the host's file system.
 */
public final class PlanHarness {
    private PlanHarness() {}

    private static final long CLONE_NEWUSER = Linux.CLONE_NEWUSER;

    /** The program's exit code (128 + signal if killed) and its output (stdout and stderr together). */
    public record Ran(int exit, String output) {}

    /**
     * Runs command (an absolute path) after the steps setup adds. cloneFlags
     * may hold CLONE_NEWUSER etc.; then uidMap and gidMap (uid_map lines) are
     * written by the parent. A JVM that is not root runs the child in a user
     * namespace of its own, as jiso does: where cloneFlags has none, one in
     * which the JVM's uid and gid are 0.
     */
    public static Ran run(long cloneFlags, String uidMap, String gidMap, Consumer<StepList> setup, List<String> command)
            throws IOException {
        if (!Rootless.jvmIsRoot() && (cloneFlags & CLONE_NEWUSER) == 0) {
            cloneFlags |= CLONE_NEWUSER;
            uidMap = UserNamespaceMaps.procFileText(Rootless.callerAsRoot().uids());
            gidMap = UserNamespaceMaps.procFileText(Rootless.callerAsRoot().gids());
        }
        int[] pipe = Sys.pipe2(Errno.O_CLOEXEC);
        int pidfd;
        try (SpawnMemory memory = new SpawnMemory()) {
            Plan plan = new Plan(memory.reset());
            plan.cloneFlags = cloneFlags;
            if (uidMap != null) {
                plan.writeProcFile("uid_map", uidMap);
                if (!Rootless.jvmIsRoot()) {
                    plan.writeProcFile("setgroups", "deny"); // the kernel's condition for an unprivileged gid_map
                }
                plan.writeProcFile("gid_map", gidMap);
            }
            StepList steps = plan.steps;
            steps.call("stdout to the pipe", Syscalls.DUP3, pipe[1], 1, 0);
            steps.call("stderr to the pipe", Syscalls.DUP3, pipe[1], 2, 0);
            setup.accept(steps);
            MemorySegment empty = steps.allocate(ValueLayout.JAVA_LONG);
            steps.call(
                    "unblock signals",
                    Syscalls.RT_SIGPROCMASK,
                    Linux.SIG_SETMASK,
                    empty.address(),
                    0,
                    empty.byteSize());
            MemorySegment argv = steps.memory().allocate(ValueLayout.ADDRESS, command.size() + 1);
            for (int i = 0; i < command.size(); i++) {
                argv.setAtIndex(ValueLayout.ADDRESS, i, steps.cString(command.get(i)));
            }
            MemorySegment envp = steps.memory().allocate(ValueLayout.ADDRESS, 2);
            envp.setAtIndex(ValueLayout.ADDRESS, 0, steps.cString("PATH=/usr/bin:/bin"));
            steps.call(
                    "execute " + command.get(0),
                    Syscalls.EXECVE,
                    steps.cStringAddress(command.get(0)),
                    argv.address(),
                    envp.address());
            Plan.Outcome o = plan.run(memory);
            if (o.pid() >= 0 && !o.succeeded()) {
                Sys.waitPidfd(o.pidfd(), Errno.WEXITED);
                Sys.close(o.pidfd());
            }
            if (!o.succeeded()) {
                String where = o.failedStep() >= 0 ? steps.describe(o.failedStep()) : "stage failure " + o.failedStep();
                throw new IOException(where + ": " + Errno.name(o.errno()));
            }
            pidfd = o.pidfd();
        } finally {
            Sys.close(pipe[1]);
        }
        StringBuilder out = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            long n;
            while ((n = Sys.read(pipe[0], buf, buf.byteSize())) > 0) {
                out.append(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
        } finally {
            Sys.close(pipe[0]);
        }
        int status = Sys.waitPidfd(pidfd, Errno.WEXITED);
        Sys.close(pidfd);
        int exit = Macros.wifExited(status) ? Macros.wexitStatus(status) : 128 + Macros.wtermSig(status);
        return new Ran(exit, out.toString());
    }

    /** Without new namespaces (but a user namespace when the JVM is not root). */
    public static Ran run(Consumer<StepList> setup, String... command) throws IOException {
        return run(0, null, null, setup, List.of(command));
    }
}
