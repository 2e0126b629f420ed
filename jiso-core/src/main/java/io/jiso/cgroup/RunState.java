package io.jiso.cgroup;

import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.HostOps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What jiso has made on disk, written down before it is made, so that
 * whoever comes after a JVM that died (SIGKILL, a crash, the OOM killer) can
 * remove exactly that, whichever cgroups it runs in. Like runc's /run/runc:
 * BASE is /run/jiso for a root JVM, else $XDG_RUNTIME_DIR/jiso, else
 * /tmp/jiso-UID; each JVM has BASE/PID with
 * <ul>
 * <li>{@code owner}: "PID START BOOT_ID PIDNS", the JVM's start time in clock
 * ticks since boot (/proc/PID/stat field 22), the boot and the pid namespace:
 * a process with that pid but another start time is a recycled pid;</li>
 * <li>{@code leaves/NAME}: one cgroup leaf, a directory per line (its path in
 * every hierarchy), written before the first mkdir and removed after the last
 * rmdir.</li>
 * </ul>
 * Cgroup leaves are all jiso leaves on disk: root templates, network
 * namespaces, the stage and jiso-init are fds, gone with the JVM. The JVM
 * trusts BASE only if it owns it, it is no symbolic link and nobody else may
 * write to it: records name directories that a sweep kills processes in.
 */
final class RunState {
    static final String OWNER = "owner";
    static final String LEAVES = "leaves";

    /** A JVM as a later one can recognise it: a pid alone may have been recycled. */
    record Owner(long pid, long startTicks, String bootId, String pidNs) {
        static Owner of(HostOps host, long pid) throws HostSetupFailure {
            return new Owner(pid, startedAt(host, pid), currentBootId(host), currentPidNs(host));
        }

        /** The owner line as written, or null if it is not one. */
        static Owner parse(String line) {
            String[] f = line.strip().split(" ");
            try {
                return f.length == 4 ? new Owner(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2], f[3]) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        String line() {
            return pid + " " + startTicks + " " + bootId + " " + pidNs + "\n";
        }

        /**
         * Whether this JVM still runs: a process with that pid, started at
         * that tick, in this boot. Its pid namespace must be this JVM's, else
         * the pid means another process and nothing can be told
         * (sameNamespace() says so first).
         */
        boolean alive(HostOps host) {
            try {
                return bootId.equals(currentBootId(host)) && startedAt(host, pid) == startTicks;
            } catch (HostSetupFailure | RuntimeException e) {
                return false; // no such process (ENOENT), or one that ended while we looked
            }
        }

        boolean sameNamespace(HostOps host) {
            try {
                return pidNs.equals(currentPidNs(host));
            } catch (HostSetupFailure e) {
                return false;
            }
        }
    }

    /** When process pid started, in clock ticks since boot. */
    private static long startedAt(HostOps host, long pid) throws HostSetupFailure {
        String stat = host.read(Path.of("/proc/" + pid + "/stat"));
        // fields after "(comm)" start at field 3 (state); starttime is field 22
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[19]);
    }

    private static String currentBootId(HostOps host) throws HostSetupFailure {
        return host.read(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    }

    private static String currentPidNs(HostOps host) throws HostSetupFailure {
        try {
            String link = host.readLink(Path.of("/proc/self/ns/pid")); // pid:[4026531836]
            return link.substring(link.indexOf('[') + 1, link.length() - 1);
        } catch (IOException | RuntimeException e) {
            throw new HostSetupFailure("read /proc/self/ns/pid", 0, "", e.toString());
        }
    }

    /** Where the run-state directories go, and why there (the fallback's reason, or null). */
    record Base(Path dir, String why) {}

    /**
     * The base directory for a JVM with this effective uid, made 0700 if
     * missing. Root's is {@code run}/jiso; another user's is XDG_RUNTIME_DIR/jiso
     * when XDG_RUNTIME_DIR is an absolute directory of that user's that nobody
     * else may write, else {@code tmp}/jiso-UID. The base must be a directory
     * (no symbolic link) owned by the uid, writable by nobody else; if not,
     * HostSetupFailure: another user may have planted it.
     */
    static Base base(HostOps host, long euid, String xdgRuntimeDir, Path run, Path tmp) throws HostSetupFailure {
        String why = null;
        if (euid == 0 && host.isDirectory(run)) {
            return new Base(own(host, run.resolve("jiso"), euid), null);
        } else if (euid == 0) {
            why = run + " does not exist";
        } else if (xdgRuntimeDir == null || xdgRuntimeDir.isBlank()) {
            why = "XDG_RUNTIME_DIR is not set";
        } else if (!Path.of(xdgRuntimeDir).isAbsolute()) {
            why = "XDG_RUNTIME_DIR (" + xdgRuntimeDir + ") is not an absolute path";
        } else {
            String wrong = untrusted(host, Path.of(xdgRuntimeDir), euid);
            if (wrong == null) {
                return new Base(own(host, Path.of(xdgRuntimeDir, "jiso"), euid), null);
            }
            why = "XDG_RUNTIME_DIR " + xdgRuntimeDir + " " + wrong;
        }
        return new Base(own(host, tmp.resolve("jiso-" + euid), euid), why);
    }

    /** Makes dir (0700) unless it exists, and checks it is the uid's alone. */
    private static Path own(HostOps host, Path dir, long euid) throws HostSetupFailure {
        try {
            host.mkdir(dir, 0700, true);
        } catch (HostSetupFailure e) {
            throw new HostSetupFailure(
                    "make jiso's run-state directory " + dir, e.errno(), e.errnoName(), e.getMessage());
        }
        String wrong = untrusted(host, dir, euid);
        if (wrong != null) {
            throw new HostSetupFailure(
                    "use " + dir + " as jiso's run-state directory",
                    0,
                    "",
                    "it " + wrong
                            + "; jiso records there which cgroups to kill and remove after a crash, so it must be a directory"
                            + " of uid " + euid + " alone: remove it, or give this user an XDG_RUNTIME_DIR of its own");
        }
        return dir;
    }

    /** Why dir is not the uid's alone (a symbolic link, another owner, writable by others), or null if it is. */
    static String untrusted(HostOps host, Path dir, long euid) {
        HostOps.Attributes a;
        try {
            a = host.attributes(dir);
        } catch (IOException | RuntimeException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
        if (a.symbolicLink()) {
            return "is a symbolic link";
        }
        if (!a.directory()) {
            return "is not a directory";
        }
        int uid = a.uid();
        if (uid != euid) {
            return "is owned by uid " + uid + ", not by this JVM's uid " + euid;
        }
        int mode = a.mode() & 07777;
        if ((mode & 022) != 0) {
            return "may be written by others (mode " + Integer.toOctalString(mode) + ")";
        }
        return null;
    }

    /** A record's text: one directory per line. */
    static String recordText(List<Path> dirs) {
        return dirs.stream().map(Path::toString).collect(Collectors.joining("\n", "", "\n"));
    }

    private final HostOps host;
    private final Path base;
    private final Path dir;
    private final int leavesFd;

    private RunState(HostOps host, Path base, Path dir, int leavesFd) {
        this.host = host;
        this.base = base;
        this.dir = dir;
        this.leavesFd = leavesFd;
    }

    /**
     * Makes BASE/PID for this JVM. A BASE/PID already there is a dead JVM's
     * that had this pid: it is renamed for the sweep ({@link #claim}) first.
     */
    static RunState create(HostOps host, Path base, Owner self) throws HostSetupFailure {
        Path dir = base.resolve(Long.toString(self.pid()));
        for (int attempt = 1; ; attempt++) {
            try {
                host.mkdir(dir, 0700, false);
                break;
            } catch (HostSetupFailure e) {
                if (e.errno() == Errno.EEXIST && attempt < 5) {
                    claim(host, dir); // a dead JVM's: this pid is ours now
                } else if (e.errno() == Errno.ENOENT && attempt < 5) {
                    host.mkdir(base, 0700, true); // another JVM's exit removed the empty base
                } else {
                    throw e;
                }
            }
        }
        host.create(Errno.AT_FDCWD, dir.resolve(OWNER).toString(), self.line());
        host.mkdir(dir.resolve(LEAVES), 0700, false);
        return new RunState(host, base, dir, host.openDirectory(dir.resolve(LEAVES)));
    }

    /** Renames a dead JVM's directory to dead-PID-N: whoever wins the rename sweeps it, and its pid is free again. */
    static Path claim(HostOps host, Path dir) {
        Path dead = dir.resolveSibling("dead-" + dir.getFileName() + "-" + System.nanoTime());
        return host.rename(dir, dead) ? dead : null; // null: another JVM claimed it first
    }

    Path base() {
        return base;
    }

    Path dir() {
        return dir;
    }

    /** Writes the record of a leaf, before its first mkdir. */
    void record(String name, List<Path> dirs) throws HostSetupFailure {
        host.create(leavesFd, name, recordText(dirs));
    }

    /** Removes a leaf's record, after its last rmdir. */
    void forget(String name) throws HostSetupFailure {
        host.remove(leavesFd, name, false, true);
    }

    /** At exit, once every record is gone: removes BASE/PID, and BASE if no other JVM uses it. */
    void removeIfEmpty() {
        try {
            host.remove(Errno.AT_FDCWD, dir.resolve(LEAVES).toString(), true, true);
            host.remove(Errno.AT_FDCWD, dir.resolve(OWNER).toString(), false, true);
            host.remove(Errno.AT_FDCWD, dir.toString(), true, true);
            host.remove(Errno.AT_FDCWD, base.toString(), true, true);
        } catch (HostSetupFailure e) {
            // ENOTEMPTY: a record left (its leaf could not be removed), or another JVM's directory in BASE
        }
    }
}
