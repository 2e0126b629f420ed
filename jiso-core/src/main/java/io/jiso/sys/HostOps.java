package io.jiso.sys;

import io.jiso.plan.HostSetupFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The host as jiso's parent-side cgroup bookkeeping sees it: files under
 * /proc, the cgroup mounts and the run-state directory, and the processes
 * it judges and kills. {@link #LINUX} is the real host; tests give another
 * one, rooted at a temporary directory, to check that bookkeeping without
 * root or a cgroup tree. Paths are absolute host paths.
 */
public interface HostOps {
    /** This host, through {@link Sys} and java.nio.file. */
    HostOps LINUX = new LinuxHostOps();

    /** File attributes that decide whether a directory is one user's alone. */
    record Attributes(int uid, int mode, boolean symbolicLink, boolean directory) {}

    /** A whole (small) file, such as a cgroup or /proc file. */
    String read(Path file) throws HostSetupFailure;

    /** Writes a whole file in one write(2), as cgroup files expect. */
    void write(Path file, String content) throws HostSetupFailure;

    /** Makes a new file (0600, never through a symbolic link) with this content; relative to dirfd, which may be AT_FDCWD. */
    void create(int dirfd, String name, String content) throws HostSetupFailure;

    /** mkdir; false if it was there already and existingOk. */
    boolean mkdir(Path dir, int mode, boolean existingOk) throws HostSetupFailure;

    /** unlink of a file, or rmdir when dir; false if it was not there and missingOk. name is relative to dirfd (AT_FDCWD: a path). */
    boolean remove(int dirfd, String name, boolean dir, boolean missingOk) throws HostSetupFailure;

    /** An O_DIRECTORY fd of dir, for {@link #create} and {@link #remove} in it. */
    int openDirectory(Path dir) throws HostSetupFailure;

    /** The entries of a directory. */
    List<Path> list(Path dir) throws IOException;

    /** Whether something is there (following symbolic links). */
    boolean exists(Path path);

    /** Whether a directory is there, itself no symbolic link. */
    boolean isDirectory(Path path);

    /** Whether this JVM may write to it. */
    boolean isWritable(Path path);

    /** An atomic rename(2); false if it failed (from is gone: another JVM renamed it first). */
    boolean rename(Path from, Path to);

    /** The target of a symbolic link. */
    String readLink(Path link) throws IOException;

    /** The attributes of path itself (a symbolic link is not followed). */
    Attributes attributes(Path path) throws IOException;

    /** kill(2); false if there is no such process. */
    boolean kill(int pid, int signal) throws HostSetupFailure;

    /** This JVM's pid. */
    long pid();

    /** This JVM's effective uid. */
    long euid();

    /** An environment variable of this JVM, or null. */
    String env(String name);
}
