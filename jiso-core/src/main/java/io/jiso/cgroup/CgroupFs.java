package io.jiso.cgroup;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.HostSetupFailure;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reading and writing cgroup files through {@link Sys}, so that a failure
 * names the file and carries the kernel's errno (EBUSY, EINVAL, ENOSPC...).
 */
final class CgroupFs {
    private CgroupFs() {}

    /**
     * O_PATH fds of the leaf directories jiso made, from their creation to
     * their removal. Their files are opened relative to them: a path under
     * /sys/fs/cgroup has 5 to 8 components, each looked up again per open, and
     * a leaf's final reading alone opens a dozen files. A leaf's files are
     * read and written by the thread that makes it until it is handed out,
     * then under the leaf's lock, as is its removal, so no fd is used after
     * it was closed.
     */
    private static final Map<Path, Integer> DIRECTORIES = new ConcurrentHashMap<>();

    /** Keeps an O_PATH fd of a new leaf directory until {@link #rmdir} (or {@link #forget}). */
    static void remember(Path dir) throws HostSetupFailure {
        int fd = Sys.open(dir.toString(), Errno.O_PATH | Errno.O_DIRECTORY | Errno.O_CLOEXEC, 0);
        Integer old = DIRECTORIES.put(dir, fd);
        if (old != null) {
            Sys.close(old);
        }
    }

    /** Closes the directory's fd, if one is kept. */
    static void forget(Path dir) {
        Integer fd = DIRECTORIES.remove(dir);
        if (fd != null) {
            Sys.close(fd);
        }
    }

    static String read(Path file) throws HostSetupFailure {
        Integer dir = DIRECTORIES.get(file.getParent());
        return dir == null
                ? Sys.readFile(file.toString())
                : Sys.readFileAt(dir, file.getFileName().toString(), file.toString());
    }

    /** The file's content, or null if it does not exist (a kernel too old for it, or a controller not enabled). */
    static String readIfExists(Path file) throws HostSetupFailure {
        try {
            return read(file);
        } catch (HostSetupFailure e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    static void write(Path file, String value) throws HostSetupFailure {
        Integer dir = DIRECTORIES.get(file.getParent());
        if (dir == null) {
            Sys.writeFile(file.toString(), value);
        } else {
            Sys.writeFileAt(dir, file.getFileName().toString(), file.toString(), value);
        }
    }

    /**
     * Writes one limit. A missing file (old kernel, no swap accounting, no
     * such huge page size) or a value the kernel rejects (a CPU outside the
     * parent's cpuset, an unknown device) is a FeatureUnavailable
     * naming the field; other failures stay HostSetupExceptions.
     */
    static void writeLimit(Path file, String value, String field) throws SetupFailure {
        try {
            write(file, value);
        } catch (HostSetupFailure e) {
            String name = e.errnoName();
            if (e.errno() == Errno.ENOENT) {
                throw new FeatureUnavailable(
                        "set " + field + " (" + file + ")",
                        e.errno(),
                        name,
                        file.getFileName() + " does not exist on this kernel or host");
            }
            if (e.errno() == Errno.EINVAL
                    || name.equals("ERANGE")
                    || name.equals("ENODEV")
                    || e.errno() == Errno.ENOSPC) {
                throw new FeatureUnavailable(
                        "set " + field + " to \"" + value + "\" in " + file,
                        e.errno(),
                        name,
                        "the kernel refused the value here");
            }
            throw e;
        }
    }

    static boolean exists(Path file) {
        return Files.exists(file);
    }

    /** mkdir; false if it was there already. */
    static boolean mkdir(Path dir) throws HostSetupFailure {
        return Sys.mkdirat(Errno.AT_FDCWD, dir.toString(), 0755, true);
    }

    /** mkdir of a leaf, which must be new (EEXIST otherwise): never adopt a directory another JVM left. */
    static void mkdirNew(Path dir) throws HostSetupFailure {
        Sys.mkdirat(Errno.AT_FDCWD, dir.toString(), 0755, false);
        try {
            remember(dir);
        } catch (HostSetupFailure e) {
            // e.g. out of fds: its files are then opened by their full paths
        }
    }

    /**
     * rmdir, retrying EBUSY for a while: right after the last task exits the
     * kernel may still hold the cgroup briefly (css offlining, a v1 memory
     * cgroup's last charges). False if it was already gone.
     */
    static boolean rmdir(Path dir, long timeoutNanos) throws HostSetupFailure {
        forget(dir);
        long deadline = System.nanoTime() + timeoutNanos;
        for (int i = 0; ; i++) {
            try {
                return Sys.unlinkat(Errno.AT_FDCWD, dir.toString(), Errno.AT_REMOVEDIR, true);
            } catch (HostSetupFailure e) {
                if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) {
                    throw e;
                }
                pause(i);
            }
        }
    }

    /** A growing pause for polling loops: 0.1 ms at first, at most 10 ms. */
    static void pause(int attempt) {
        try {
            long micros = Math.min(10_000, 100L << Math.min(attempt, 7));
            Thread.sleep(Duration.ofNanos(micros * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Interface for a condition polled against cgroup files. */
    interface Check {
        boolean done() throws SetupFailure;
    }

    /** Polls until the check holds; false on timeout. */
    static boolean await(Check check, long timeoutNanos) throws SetupFailure {
        long deadline = System.nanoTime() + timeoutNanos;
        for (int i = 0; ; i++) {
            if (check.done()) {
                return true;
            }
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                return false;
            }
            pause(i);
        }
    }

    /** The pids listed in a cgroup.procs (or tasks) file. */
    static List<Integer> pids(Path procsFile) throws HostSetupFailure {
        String s = readIfExists(procsFile);
        List<Integer> pids = new ArrayList<>();
        if (s != null) {
            for (String line : s.split("\n")) {
                if (!line.isBlank()) {
                    pids.add(Integer.parseInt(line.strip()));
                }
            }
        }
        return pids;
    }

    /** "key value" lines (memory.stat, memory.events, cpu.stat, pids.events) as numbers, in file order. */
    static Map<String, Long> keyValues(String text) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (text == null) {
            return m;
        }
        for (String line : text.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                try {
                    m.put(
                            line.substring(0, sp),
                            Long.parseLong(line.substring(sp + 1).strip()));
                } catch (NumberFormatException ignored) {
                    // not a counter (e.g. a "max" value); callers read those files whole
                }
            }
        }
        return m;
    }

    /** A single number; "max" is Long.MAX_VALUE. -1 if the file is missing. */
    static long readLong(Path file) throws HostSetupFailure {
        String s = readIfExists(file);
        if (s == null) {
            return LeafUsage.UNKNOWN;
        }
        s = s.strip();
        return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /** "key=value" fields after a leading word, per line: io.stat ("8:0 rbytes=1 ...") and PSI ("some avg10=0.00 ..."). */
    static Map<String, Map<String, String>> fieldLines(String text) {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        if (text == null) {
            return m;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq > 0) {
                    fields.put(f[i].substring(0, eq), f[i].substring(eq + 1));
                }
            }
            m.put(f[0], fields);
        }
        return m;
    }

    /** A PSI file ("some avg10=0.12 avg60=... total=123") as a record; null if the file is missing. */
    static LeafUsage.Pressure pressure(Path file) throws HostSetupFailure {
        String text;
        try {
            text = readIfExists(file);
        } catch (HostSetupFailure e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                return null; // psi=0 on the kernel command line: the files exist but refuse reads
            }
            throw e;
        }
        if (text == null) {
            return null;
        }
        Map<String, Map<String, String>> lines = fieldLines(text);
        Map<String, String> some = lines.getOrDefault("some", Map.of());
        Map<String, String> full = lines.getOrDefault("full", Map.of());
        return new LeafUsage.Pressure(
                dbl(some, "avg10"),
                dbl(some, "avg60"),
                dbl(some, "avg300"),
                Duration.ofNanos(1000 * lng(some, "total")),
                dbl(full, "avg10"),
                dbl(full, "avg60"),
                dbl(full, "avg300"),
                Duration.ofNanos(1000 * lng(full, "total")));
    }

    private static double dbl(Map<String, String> m, String k) {
        return Double.parseDouble(m.getOrDefault(k, "0"));
    }

    private static long lng(Map<String, String> m, String k) {
        return Long.parseLong(m.getOrDefault(k, "0"));
    }
}
