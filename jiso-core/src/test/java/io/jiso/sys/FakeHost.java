package io.jiso.sys;

import io.jiso.plan.HostSetupFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link HostOps} rooted at a temporary directory: the host path /a/b is
 * ROOT/a/b. What the kernel would do is played just far enough for the
 * cgroup bookkeeping: directories made on a cgroup mount get cgroup.procs
 * (and cgroup.kill and cgroup.freeze on v2, freezer.state on a v1 freezer
 * mount); rmdir of a cgroup with tasks is EBUSY; cgroup.kill and SIGKILL end
 * processes, but a task in a frozen v1 freezer cgroup only once it is
 * thawed. Processes are scripted ({@link #process}): a live one has a
 * /proc/PID/stat with its start time. Every call that changes something is
 * recorded ({@link #calls}).
 */
public final class FakeHost implements HostOps {
    public static final String BOOT_ID = "0b2a3c4d-boot";
    public static final String PID_NS = "4026531836";
    public static final int SIGKILL = 9;

    private final Path root;
    private final List<String> calls = new ArrayList<>();
    private final Map<Path, Boolean> cgroupMounts = new HashMap<>();
    private final Set<Path> freezerMounts = new HashSet<>();
    private final Set<Integer> killedWhileFrozen = new HashSet<>();
    private final Set<Path> readOnly = new HashSet<>();
    private final Map<Path, Integer> owners = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<Integer, Path> fds = new HashMap<>();
    private long pid = 4000;
    private long euid = 0;

    public FakeHost(Path root) {
        this.root = root;
        try {
            put(Path.of("/proc/sys/kernel/random/boot_id"), BOOT_ID + "\n");
            Files.createDirectories(real(Path.of("/proc/self/ns")));
            Files.createSymbolicLink(real(Path.of("/proc/self/ns/pid")), Path.of("pid:[" + PID_NS + "]"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process(pid, 1000);
    }

    /** Where a host path is in the temporary directory. */
    public Path real(Path host) {
        return root.resolve(Path.of("/").relativize(host));
    }

    /** The host path of a file in the temporary directory. */
    public Path host(Path real) {
        return Path.of("/").resolve(root.relativize(real));
    }

    /** The calls that changed something, in order: "write PATH VALUE", "mkdir PATH", "rmdir PATH", "unlink PATH", "create PATH", "rename FROM TO", "kill PID SIGNAL". */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** The recorded calls that start with prefix. */
    public List<String> calls(String prefix) {
        return calls().stream().filter(c -> c.startsWith(prefix)).toList();
    }

    /** Writes a file (and its directories) as the host had it before the test. */
    public FakeHost put(Path host, String content) {
        try {
            Files.createDirectories(real(host).getParent());
            Files.writeString(real(host), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** /proc/self/mountinfo and /proc/self/cgroup. */
    public FakeHost procSelf(String mountinfo, String cgroup) {
        return put(Path.of("/proc/self/mountinfo"), mountinfo).put(Path.of("/proc/self/cgroup"), cgroup);
    }

    /** A cgroup mount: v2, or v1 (a freezer hierarchy when freezer). */
    public FakeHost cgroupMount(Path mount, boolean v2, boolean freezer) {
        cgroupMounts.put(mount, v2);
        if (freezer) {
            freezerMounts.add(mount);
        }
        return cgroup(mount);
    }

    /** A cgroup directory (and its parents up to the mount) with these tasks; its control files as the kernel makes them. */
    public FakeHost cgroup(Path dir, int... pids) {
        Path mount = mountOf(dir);
        if (mount == null) {
            throw new IllegalArgumentException(dir + " is on no cgroup mount of this fixture");
        }
        try {
            Path d = mount;
            for (int i = mount.getNameCount(); ; i++) {
                if (!Files.isDirectory(real(d))) {
                    Files.createDirectories(real(d));
                    controlFiles(d, mount);
                }
                if (i == dir.getNameCount()) {
                    break;
                }
                d = d.resolve(dir.getName(i));
            }
            StringBuilder procs = new StringBuilder();
            for (int p : pids) {
                procs.append(p).append('\n');
            }
            if (pids.length > 0) {
                Files.writeString(real(dir.resolve("cgroup.procs")), procs.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private void controlFiles(Path dir, Path mount) throws IOException {
        Files.writeString(real(dir.resolve("cgroup.procs")), "");
        if (dir.equals(mount)) {
            return; // a root cgroup can be neither killed nor frozen
        }
        if (cgroupMounts.get(mount)) {
            Files.writeString(real(dir.resolve("cgroup.kill")), "");
            Files.writeString(real(dir.resolve("cgroup.freeze")), "0\n");
        } else if (freezerMounts.contains(mount)) {
            Files.writeString(real(dir.resolve("freezer.state")), "THAWED\n");
        }
    }

    private Path mountOf(Path p) {
        return cgroupMounts.keySet().stream()
                .filter(p::startsWith)
                .max((a, b) -> a.getNameCount() - b.getNameCount())
                .orElse(null);
    }

    /** A running process with this start time (clock ticks since boot). */
    public FakeHost process(long p, long startTicks) {
        return put(Path.of("/proc/" + p + "/stat"), p + " (java) S" + " 0".repeat(18) + " " + startTicks + " 0 0\n");
    }

    /** Whether a process of that pid runs. */
    public boolean running(long p) {
        return Files.exists(real(Path.of("/proc/" + p)));
    }

    /** The JVM these calls come from: its pid (a running process started at startTicks) and effective uid. */
    public FakeHost self(long selfPid, long startTicks, long selfEuid) {
        this.pid = selfPid;
        this.euid = selfEuid;
        return process(selfPid, startTicks);
    }

    public FakeHost env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Makes path unwritable for this JVM (as a v2 root is for a JVM that is not root). */
    public FakeHost readOnly(Path host) {
        readOnly.add(host);
        return this;
    }

    /** Shows path as owned by uid (a test that is not root cannot chown). */
    public FakeHost owner(Path host, int uid) {
        owners.put(host, uid);
        return this;
    }

    /** The process exits: its /proc directory and its cgroup membership go. */
    public synchronized void exit(long p) {
        try {
            Path proc = real(Path.of("/proc/" + p));
            if (Files.exists(proc)) {
                try (Stream<Path> s = Files.walk(proc)) {
                    for (Path f : s.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                            .toList()) {
                        Files.delete(f);
                    }
                }
            }
            for (Path mount : cgroupMounts.keySet()) {
                try (Stream<Path> s = Files.walk(real(mount))) {
                    for (Path f : s.filter(f -> f.getFileName().toString().equals("cgroup.procs"))
                            .toList()) {
                        List<String> left = Files.readAllLines(f).stream()
                                .filter(l -> !l.equals(Long.toString(p)))
                                .toList();
                        Files.writeString(f, left.isEmpty() ? "" : String.join("\n", left) + "\n");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void record(String call) {
        calls.add(call);
    }

    private static HostSetupFailure fail(String what, int errno) {
        return new HostSetupFailure(what, errno, Errno.name(errno), null);
    }

    @Override
    public String read(Path file) throws HostSetupFailure {
        try {
            return Files.readString(real(file));
        } catch (NoSuchFileException e) {
            throw fail("open " + file, Errno.ENOENT);
        } catch (IOException e) {
            throw fail("read " + file, Errno.EINVAL);
        }
    }

    @Override
    public synchronized void write(Path file, String content) throws HostSetupFailure {
        record("write " + file + " " + content.strip());
        Path r = real(file);
        if (!Files.isRegularFile(r)) {
            throw fail("open " + file, Errno.ENOENT); // O_WRONLY without O_CREAT
        }
        String name = file.getFileName().toString();
        try {
            Files.writeString(r, content);
            if (name.equals("cgroup.kill") && content.strip().equals("1")) {
                for (int p : tasksBelow(file.getParent())) {
                    exit(p);
                }
            } else if (name.equals("freezer.state") && content.strip().equals("THAWED")) {
                for (int p : List.copyOf(killedWhileFrozen)) {
                    if (!inFrozenFreezer(p)) {
                        killedWhileFrozen.remove(p);
                        exit(p);
                    }
                }
            }
        } catch (IOException e) {
            throw fail("write " + file, Errno.EINVAL);
        }
    }

    /** The tasks of a cgroup and of every cgroup below it. */
    private List<Integer> tasksBelow(Path cgroup) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (Stream<Path> s = Files.walk(real(cgroup))) {
            for (Path f : s.filter(f -> f.getFileName().toString().equals("cgroup.procs"))
                    .toList()) {
                Files.readAllLines(f).stream().filter(l -> !l.isBlank()).forEach(l -> pids.add(Integer.parseInt(l)));
            }
        }
        return pids;
    }

    @Override
    public synchronized void create(int dirfd, String name, String content) throws HostSetupFailure {
        Path file = dirfd == Errno.AT_FDCWD ? Path.of(name) : fds.get(dirfd).resolve(name);
        record("create " + file);
        try {
            Files.writeString(
                    real(file),
                    content,
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException e) {
            throw fail("open " + file, Errno.EEXIST);
        } catch (NoSuchFileException e) {
            throw fail("open " + file, Errno.ENOENT);
        } catch (IOException e) {
            throw fail("open " + file, Errno.EINVAL);
        }
    }

    @Override
    public synchronized boolean mkdir(Path dir, int mode, boolean existingOk) throws HostSetupFailure {
        record("mkdir " + dir);
        Path r = real(dir);
        if (Files.exists(r, LinkOption.NOFOLLOW_LINKS)) {
            if (existingOk) {
                return false;
            }
            throw fail("mkdir " + dir, Errno.EEXIST);
        }
        try {
            Files.createDirectory(r);
            Path mount = mountOf(dir);
            if (mount != null) {
                controlFiles(dir, mount);
            }
            return true;
        } catch (NoSuchFileException e) {
            throw fail("mkdir " + dir, Errno.ENOENT);
        } catch (IOException e) {
            throw fail("mkdir " + dir, Errno.EINVAL);
        }
    }

    @Override
    public synchronized boolean remove(int dirfd, String name, boolean dir, boolean missingOk) throws HostSetupFailure {
        Path path = dirfd == Errno.AT_FDCWD ? Path.of(name) : fds.get(dirfd).resolve(name);
        record((dir ? "rmdir " : "unlink ") + path);
        Path r = real(path);
        String what = (dir ? "rmdir " : "unlink ") + path;
        if (!Files.exists(r, LinkOption.NOFOLLOW_LINKS)) {
            if (missingOk) {
                return false;
            }
            throw fail(what, Errno.ENOENT);
        }
        if (dir != Files.isDirectory(r, LinkOption.NOFOLLOW_LINKS)) {
            throw fail(what, dir ? Errno.ENOTDIR : Errno.EINVAL);
        }
        try {
            if (dir && mountOf(path) != null && !path.equals(mountOf(path))) {
                try (Stream<Path> s = Files.list(r)) {
                    List<Path> entries = s.toList();
                    if (entries.stream().anyMatch(Files::isDirectory)) {
                        throw fail(what, Errno.EBUSY); // a child cgroup
                    }
                    if (!Files.readString(r.resolve("cgroup.procs")).isBlank()) {
                        throw fail(what, Errno.EBUSY);
                    }
                    for (Path f : entries) {
                        Files.delete(f); // the kernel's control files go with the cgroup
                    }
                }
            }
            Files.delete(r);
            return true;
        } catch (DirectoryNotEmptyException e) {
            throw fail(what, Errno.ENOTEMPTY);
        } catch (IOException e) {
            throw fail(what, Errno.EINVAL);
        }
    }

    @Override
    public synchronized int openDirectory(Path dir) throws HostSetupFailure {
        if (!Files.isDirectory(real(dir), LinkOption.NOFOLLOW_LINKS)) {
            throw fail("open " + dir, Errno.ENOTDIR);
        }
        int fd = 100 + fds.size();
        fds.put(fd, dir);
        return fd;
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(real(dir))) {
            return s.map(this::host).sorted().toList();
        }
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(real(path));
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(real(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean isWritable(Path path) {
        return !readOnly.contains(path) && Files.exists(real(path));
    }

    @Override
    public synchronized boolean rename(Path from, Path to) {
        record("rename " + from + " " + to);
        try {
            Files.move(real(from), real(to), StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String readLink(Path link) throws IOException {
        return Files.readSymbolicLink(real(link)).toString();
    }

    @Override
    public Attributes attributes(Path path) throws IOException {
        Map<String, Object> a =
                Files.readAttributes(real(path), "unix:uid,mode,isSymbolicLink,isDirectory", LinkOption.NOFOLLOW_LINKS);
        return new Attributes(
                owners.getOrDefault(path, (int) euid),
                (Integer) a.get("mode"),
                (Boolean) a.get("isSymbolicLink"),
                (Boolean) a.get("isDirectory"));
    }

    @Override
    public synchronized boolean kill(int p, int signal) throws HostSetupFailure {
        record("kill " + p + " " + signal);
        if (!running(p)) {
            return false;
        }
        if (signal == SIGKILL) {
            if (inFrozenFreezer(p)) {
                killedWhileFrozen.add(p); // a v1 frozen task acts on SIGKILL once thawed
            } else {
                exit(p);
            }
        }
        return true;
    }

    /** Whether the task is in a v1 freezer cgroup that is frozen, or below one. */
    private boolean inFrozenFreezer(int p) {
        try {
            for (Path mount : freezerMounts) {
                try (Stream<Path> s = Files.walk(real(mount))) {
                    for (Path f : s.filter(f -> f.getFileName().toString().equals("cgroup.procs"))
                            .toList()) {
                        if (Files.readAllLines(f).contains(Integer.toString(p))) {
                            for (Path d = f.getParent(); d.startsWith(real(mount)); d = d.getParent()) {
                                Path state = d.resolve("freezer.state");
                                if (Files.exists(state)
                                        && Files.readString(state).strip().equals("FROZEN")) {
                                    return true;
                                }
                            }
                        }
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public long euid() {
        return euid;
    }

    @Override
    public String env(String name) {
        return env.get(name);
    }
}
