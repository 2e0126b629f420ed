package io.jiso.spawn;

import static io.jiso.nativegen.Linux.AT_EMPTY_PATH;
import static io.jiso.nativegen.Linux.CLOSE_RANGE_CLOEXEC;
import static io.jiso.nativegen.Linux.PR_SET_PDEATHSIG;
import static io.jiso.nativegen.Linux.SIGKILL;
import static io.jiso.plan.Syscalls.CLOSE_RANGE;
import static io.jiso.plan.Syscalls.DUP3;
import static io.jiso.plan.Syscalls.EXECVEAT;
import static io.jiso.plan.Syscalls.PRCTL;

import io.jiso.mount.FsOp;
import io.jiso.mount.RootTemplateSteps;
import io.jiso.namespace.NamespaceType;
import io.jiso.plan.StepList;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount namespaces that fresh roots are copied from (see
 * {@link RootTemplateSteps}): one per set of mount points, built on first
 * use and kept, as an open nsfs fd, for the JVM's life. A holder process
 * builds one with the plan's machinery and execs {@code jiso-init hold},
 * which keeps the namespace populated until the JVM has opened
 * /proc/PID/ns/mnt; then the JVM closes the holder's stdin and it exits.
 *
 * <p>Only a root JVM creating no user namespace uses templates: a
 * namespace's mounts belong to the user namespace that made them, and a new
 * one may not enter a mount namespace of the host's. A template pins the
 * host's system directories as they were mounted when it was built; a
 * runtime without root templates builds every root from the host's
 * namespace instead. Each runtime has its own templates, closed with it.
 */
final class RootTemplates {
    private final boolean enabled;
    private final Spawner spawner;
    private final Map<List<FsOp>, Integer> templates = new ConcurrentHashMap<>();
    /** Layouts whose template could not be built (e.g. a mount point the host's way cannot make either): they use the host's way. */
    private final Set<List<FsOp>> failed = ConcurrentHashMap.newKeySet();

    private boolean closed;

    /** Templates built by the spawner's threads; none when not enabled. */
    RootTemplates(boolean enabled, Spawner spawner) {
        this.enabled = enabled;
        this.spawner = spawner;
    }

    private static final Logger LOG = LoggerFactory.getLogger(RootTemplates.class);
    /**
     * More distinct mount layouts than this build their roots from the host's namespace. A
     * template is a mount namespace of about twenty mounts, a few kilobytes of kernel memory;
     * the cap only bounds a caller that makes a new layout for every sandbox.
     */
    private static final int MAX_TEMPLATES = 64;
    /** System property the default runtime reads rootTemplates from ("false" turns them off). */
    public static final String PROPERTY = "jiso.rootTemplates";

    /** The fd of spec's template, or -1 when spec builds its root from the host's namespace. */
    int forSpec(SandboxSpec spec) {
        if (!enabled
                || !spec.creates(NamespaceType.MOUNT)
                || !spec.freshRoot()
                || spec.creates(NamespaceType.USER)
                || !spec.host().jvmIsRoot()) {
            return -1;
        }
        List<FsOp> key = RootTemplateSteps.template(spec.rootPreset(), spec.mounts());
        Integer fd = templates.get(key);
        if (fd != null) {
            return fd;
        }
        synchronized (templates) {
            fd = templates.get(key);
            if (fd == null && !closed && !failed.contains(key) && templates.size() + failed.size() < MAX_TEMPLATES) {
                try {
                    fd = spawner.run(memory -> build(key, memory));
                    templates.put(key, fd);
                } catch (IOException | RuntimeException e) {
                    failed.add(key);
                    LOG.warn(
                            "no root template for the mount points {}; such roots are built from the host's mount"
                                    + " namespace: {}",
                            key.stream()
                                    .filter(FsOp.MountPoint.class::isInstance)
                                    .toList(),
                            e.getMessage());
                }
            }
            return fd == null ? -1 : fd;
        }
    }

    /** The fds of the templates built so far (they stay open until the runtime closes). */
    Collection<Integer> fds() {
        return List.copyOf(templates.values());
    }

    /**
     * Closes every template; a spawn that took a template's fd before must
     * have ended (the runtime's close() waits for the starts under way).
     */
    void close() {
        synchronized (templates) {
            closed = true;
            templates.values().forEach(Sys::close);
            templates.clear();
        }
    }

    private static int build(List<FsOp> template, SpawnMemory memory) throws IOException {
        int[] stdin = Sys.pipe2(Errno.O_CLOEXEC);
        try {
            Plan plan = new Plan(memory);
            plan.cloneFlags = NamespaceType.MOUNT.cloneFlag();
            StepList steps = plan.steps;
            steps.call("die with the JVM", PRCTL, PR_SET_PDEATHSIG, SIGKILL);
            RootTemplateSteps.template(steps, template);
            steps.call("take the pipe as standard input", DUP3, stdin[0], 0, 0);
            steps.call("close the JVM's other files on exec", CLOSE_RANGE, 1, 0xFFFF_FFFFL, CLOSE_RANGE_CLOEXEC);
            steps.call(
                    "execute jiso-init hold",
                    EXECVEAT,
                    NativeStage.INIT_FD,
                    steps.cStringAddress(""),
                    ChildSteps.argv(steps, List.of("jiso-init", "hold")).address(),
                    ChildSteps.argv(steps, List.of()).address(),
                    AT_EMPTY_PATH);
            Plan.Outcome outcome = plan.run(memory);
            if (outcome.pid() < 0) {
                throw new IOException("create the root template's holder: " + Errno.name(outcome.errno()));
            }
            try {
                if (!outcome.succeeded()) {
                    String step = outcome.failedStep() >= 0
                            ? steps.describe(outcome.failedStep())
                            : "stage failure " + outcome.failedStep();
                    throw new IOException("build a root template: " + step + ": " + Errno.name(outcome.errno()));
                }
                return Sys.open("/proc/" + outcome.pid() + "/ns/mnt", Errno.O_RDONLY | Errno.O_CLOEXEC, 0);
            } finally {
                Sys.close(stdin[1]);
                stdin[1] = -1;
                Sys.pidfdSendSignal(outcome.pidfd(), SIGKILL); // a holder that never saw its end of file
                Sys.waitPidfd(outcome.pidfd(), Errno.WEXITED);
                Sys.close(outcome.pidfd());
            }
        } finally {
            Sys.close(stdin[0]);
            if (stdin[1] >= 0) {
                Sys.close(stdin[1]);
            }
        }
    }
}
