package io.jiso.cgroup;

import static io.jiso.nativegen.Linux.SIGKILL;

import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.HostOps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the cgroup leaves that run-state records name (see
 * {@link RunState}): those of JVMs that are gone, found by {@link #sweep},
 * and at exit this JVM's own. Works from the recorded paths alone, whichever
 * cgroups the sweeping JVM itself is in: kills what still runs in a leaf
 * (cgroup.kill; else freeze, SIGKILL each task, thaw), waits until it is
 * empty, removes it children first, then its record.
 *
 * <p>Files are opened by path, never through CgroupFs's directory fds: at
 * exit a spawning thread may be closing those while the hook runs.
 */
public final class DeadLeaves {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLeaves.class);
    private static final long FREEZE_TIMEOUT = TimeUnit.SECONDS.toNanos(10);
    private static final Pattern PID_DIR = Pattern.compile("\\d+|dead-\\d+-\\d+");

    private DeadLeaves() {}

    /** One leaf removed: whose, its name, its directories, the processes killed in it. */
    public record Removed(long jvmPid, String leaf, List<Path> directories, Set<Integer> killed) {}

    /**
     * Removes every leaf recorded in BASE by a JVM that is gone (no process
     * with its pid and start time), kills what ran in them, and their
     * records. Directories of live JVMs and of JVMs in another pid namespace
     * (whose pids this JVM cannot judge) are left alone.
     */
    static List<Removed> sweep(HostOps host, Path base, List<Path> cgroupMounts) {
        List<Removed> removed = new ArrayList<>();
        if (!host.isDirectory(base)) {
            return removed;
        }
        List<Path> dead = new ArrayList<>();
        try {
            for (Path d : host.list(base)) {
                String n = d.getFileName().toString();
                if (!PID_DIR.matcher(n).matches()) {
                    continue;
                }
                if (n.startsWith("dead-")) {
                    dead.add(d); // claimed by a sweep that did not finish
                    continue;
                }
                RunState.Owner owner = owner(host, d);
                if (owner == null) {
                    // no owner line: made by a JVM that died before writing it (it made no leaf yet),
                    // or one writing it right now
                    if (!host.exists(Path.of("/proc", n))) {
                        dead.add(d);
                    }
                } else if (!owner.sameNamespace(host)) {
                    LOG.debug("run state {} is of a JVM in another pid namespace: not judged", d);
                } else if (!owner.alive(host)) {
                    dead.add(d);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list jiso's run-state directory {}: {}", base, e.getMessage());
        }
        for (Path d : dead) {
            Path claimed = d.getFileName().toString().startsWith("dead-") ? d : RunState.claim(host, d);
            if (claimed != null) {
                removed.addAll(removeAll(host, claimed, cgroupMounts));
            }
        }
        return removed;
    }

    private static RunState.Owner owner(HostOps host, Path dir) {
        try {
            return RunState.Owner.parse(host.read(dir.resolve(RunState.OWNER)));
        } catch (HostSetupFailure e) {
            return null;
        }
    }

    /** Removes the leaves recorded in a dead JVM's directory, then the directory if nothing is left. */
    private static List<Removed> removeAll(HostOps host, Path dir, List<Path> cgroupMounts) {
        List<Removed> removed = new ArrayList<>();
        RunState.Owner owner = owner(host, dir);
        long pid = owner != null
                ? owner.pid()
                : Long.parseLong(dir.getFileName().toString().replaceAll("^dead-|-\\d+$", ""));
        Path leaves = dir.resolve(RunState.LEAVES);
        boolean left = false;
        if (host.isDirectory(leaves)) {
            try {
                for (Path record : host.list(leaves)) {
                    String name = record.getFileName().toString();
                    List<Path> dirs;
                    try {
                        dirs = parse(host.read(record), name, pid, cgroupMounts);
                    } catch (SetupFailure | RuntimeException e) {
                        // not written by jiso: never acted on, and not kept to be refused again
                        LOG.warn("ignored and removed the record {}: {}", record, e.getMessage());
                        host.remove(Errno.AT_FDCWD, record.toString(), false, true);
                        continue;
                    }
                    try {
                        Set<Integer> killed = remove(host, dirs);
                        host.remove(Errno.AT_FDCWD, record.toString(), false, true);
                        removed.add(new Removed(pid, name, dirs, killed));
                    } catch (SetupFailure | RuntimeException e) {
                        left = true;
                        LOG.warn(
                                "could not remove cgroup leaf {} of JVM {} that is gone: {}",
                                name,
                                pid,
                                e.getMessage());
                    }
                }
            } catch (IOException e) {
                left = true;
                LOG.warn("could not list {}: {}", leaves, e.getMessage());
            }
        }
        if (!left) {
            try {
                host.remove(Errno.AT_FDCWD, leaves.toString(), true, true);
                host.remove(Errno.AT_FDCWD, dir.resolve(RunState.OWNER).toString(), false, true);
                host.remove(Errno.AT_FDCWD, dir.toString(), true, true);
            } catch (HostSetupFailure e) {
                LOG.debug("could not remove {}: {}", dir, e.getMessage()); // another sweep did, or is at it
            }
        }
        return removed;
    }

    /**
     * A record's directories. Each must be MOUNT/.../jiso/NAME on a cgroup
     * mount, NAME being the record's, of that JVM: a record that says
     * otherwise is refused, never acted on.
     */
    static List<Path> parse(String text, String name, long pid, List<Path> cgroupMounts) throws HostSetupFailure {
        if (!name.matches("jiso-" + pid + "-\\d+")) {
            throw new HostSetupFailure("read the record " + name, 0, "", "not a leaf name of JVM " + pid);
        }
        List<Path> dirs = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Path p = Path.of(line);
            boolean onMount = cgroupMounts.stream().anyMatch(m -> p.startsWith(m) && !p.equals(m));
            if (!p.isAbsolute()
                    || !p.normalize().equals(p)
                    || !p.getFileName().toString().equals(name)
                    || !p.getParent().getFileName().toString().equals("jiso")
                    || !onMount) {
                throw new HostSetupFailure(
                        "read the record " + name, 0, "", line + " is not a jiso leaf of that name on a cgroup mount");
            }
            dirs.add(p);
        }
        return dirs;
    }

    /**
     * Kills every task in the leaf's directories (and cgroups below them),
     * waits until none is left, removes them children first, and their jiso
     * parents if empty. Directories that do not exist are skipped (a record
     * is written before the mkdir). Returns the pids killed.
     */
    static Set<Integer> remove(HostOps host, List<Path> leaf) throws SetupFailure {
        List<Path> dirs = leaf.stream().filter(host::isDirectory).toList();
        Set<Integer> killed = new TreeSet<>();
        for (int round = 0; ; round++) {
            killed.addAll(kill(host, dirs));
            if (!CgroupFs.await(() -> tasks(host, dirs).isEmpty(), CgroupLeaf.CLOSE_TIMEOUT)) {
                throw new HostSetupFailure(
                        "remove cgroup leaf " + dirs,
                        0,
                        "",
                        "tasks " + tasks(host, dirs) + " still there after SIGKILL");
            }
            try {
                for (Path d : dirs) {
                    removeTree(host, d);
                }
                break;
            } catch (HostSetupFailure e) {
                // EBUSY: a process entered after the kill (a spawn racing with the shutdown hook); once more
                if (e.errno() != Errno.EBUSY || round >= 5) {
                    throw e;
                }
            }
        }
        for (Path d : leaf) {
            try {
                host.remove(Errno.AT_FDCWD, d.getParent().toString(), true, true);
            } catch (HostSetupFailure stillUsed) {
                // EBUSY, ENOTEMPTY: other leaves are in it
            }
        }
        return killed;
    }

    /** SIGKILL to every task: cgroup.kill where a v2 directory has it, else frozen, killed, thawed; v1-only tasks too. */
    private static Set<Integer> kill(HostOps host, List<Path> dirs) throws SetupFailure {
        Set<Integer> pids = tasks(host, dirs);
        if (pids.isEmpty()) {
            return pids;
        }
        Path v2 = dirs.stream()
                .filter(d -> host.exists(d.resolve("cgroup.kill")))
                .findFirst()
                .orElse(null);
        Path freezer = dirs.stream()
                .filter(d -> host.exists(d.resolve("freezer.state")))
                .findFirst()
                .orElse(null);
        if (v2 != null) {
            host.write(v2.resolve("cgroup.kill"), "1");
        } else if (freezer != null) {
            Path state = freezer.resolve("freezer.state");
            host.write(state, "FROZEN");
            try {
                CgroupFs.await(() -> host.read(state).strip().equals("FROZEN"), FREEZE_TIMEOUT);
                killEach(host, tasks(host, dirs));
            } finally {
                for (Path c : tree(
                        host,
                        freezer)) { // the leaf and its frozen part: v1 frozen tasks act on SIGKILL only once thawed
                    host.write(c.resolve("freezer.state"), "THAWED");
                }
            }
        } else {
            for (int round = 0; round < 100 && !tasks(host, dirs).isEmpty(); round++) {
                killEach(host, tasks(host, dirs));
            }
        }
        killEach(host, tasks(host, dirs)); // a task only in a v1 directory of a hybrid leaf
        for (Path d : dirs) {
            for (Path c : tree(host, d)) {
                if (host.exists(c.resolve("cgroup.freeze"))) {
                    host.write(c.resolve("cgroup.freeze"), "0"); // and its frozen part's
                }
            }
        }
        return pids;
    }

    private static void killEach(HostOps host, Set<Integer> pids) throws HostSetupFailure {
        for (int pid : pids) {
            host.kill(pid, SIGKILL);
        }
    }

    /** The tasks in these directories and every cgroup below them. */
    private static Set<Integer> tasks(HostOps host, List<Path> dirs) throws HostSetupFailure {
        Set<Integer> pids = new TreeSet<>();
        for (Path d : dirs) {
            for (Path c : tree(host, d)) {
                String procs;
                try {
                    procs = host.read(c.resolve("cgroup.procs"));
                } catch (HostSetupFailure e) {
                    if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV) {
                        continue; // removed meanwhile
                    }
                    throw e;
                }
                for (String line : procs.split("\n")) {
                    if (!line.isBlank()) {
                        pids.add(Integer.parseInt(line.strip()));
                    }
                }
            }
        }
        return pids;
    }

    /** dir and the cgroups below it, deepest first. */
    private static List<Path> tree(HostOps host, Path dir) {
        List<Path> all = new ArrayList<>();
        try {
            for (Path c : host.list(dir)) {
                if (host.isDirectory(c)) {
                    all.addAll(tree(host, c));
                }
            }
        } catch (IOException gone) {
            return all;
        }
        all.add(dir);
        return all;
    }

    /** rmdir children first, retrying EBUSY a while (a cgroup whose last task just exited). */
    private static void removeTree(HostOps host, Path dir) throws HostSetupFailure {
        for (Path d : tree(host, dir)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (int i = 0; ; i++) {
                try {
                    host.remove(Errno.AT_FDCWD, d.toString(), true, true);
                    break;
                } catch (HostSetupFailure e) {
                    if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) {
                        throw e;
                    }
                    CgroupFs.pause(i);
                }
            }
        }
    }
}
