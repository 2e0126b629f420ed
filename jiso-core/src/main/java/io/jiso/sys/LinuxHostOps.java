package io.jiso.sys;

import io.jiso.nativegen.libc.Libc;
import io.jiso.plan.HostSetupFailure;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link HostOps} of the host the JVM runs on. */
final class LinuxHostOps implements HostOps {
    private static final long PID = ProcessHandle.current().pid();
    private static final long EUID = Libc.geteuid();

    LinuxHostOps() {}

    @Override
    public String read(Path file) throws HostSetupFailure {
        return Sys.readFile(file.toString());
    }

    @Override
    public void write(Path file, String content) throws HostSetupFailure {
        Sys.writeFile(file.toString(), content);
    }

    @Override
    public void create(int dirfd, String name, String content) throws HostSetupFailure {
        int fd = Sys.openat(
                dirfd, name, Errno.O_WRONLY | Errno.O_CREAT | Errno.O_EXCL | Errno.O_NOFOLLOW | Errno.O_CLOEXEC, 0600);
        try {
            Sys.writeString(fd, content, "write " + name);
        } finally {
            Sys.close(fd);
        }
    }

    @Override
    public boolean mkdir(Path dir, int mode, boolean existingOk) throws HostSetupFailure {
        return Sys.mkdirat(Errno.AT_FDCWD, dir.toString(), mode, existingOk);
    }

    @Override
    public boolean remove(int dirfd, String name, boolean dir, boolean missingOk) throws HostSetupFailure {
        return Sys.unlinkat(dirfd, name, dir ? Errno.AT_REMOVEDIR : 0, missingOk);
    }

    @Override
    public int openDirectory(Path dir) throws HostSetupFailure {
        return Sys.open(dir.toString(), Errno.O_RDONLY | Errno.O_DIRECTORY | Errno.O_NOFOLLOW | Errno.O_CLOEXEC, 0);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(entries::add);
        }
        return entries;
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean isWritable(Path path) {
        return Files.isWritable(path);
    }

    @Override
    public boolean rename(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String readLink(Path link) throws IOException {
        return Files.readSymbolicLink(link).toString();
    }

    @Override
    public Attributes attributes(Path path) throws IOException {
        Map<String, Object> a =
                Files.readAttributes(path, "unix:uid,mode,isSymbolicLink,isDirectory", LinkOption.NOFOLLOW_LINKS);
        return new Attributes(
                (Integer) a.get("uid"), (Integer) a.get("mode"), (Boolean) a.get("isSymbolicLink"), (Boolean)
                        a.get("isDirectory"));
    }

    @Override
    public boolean kill(int pid, int signal) throws HostSetupFailure {
        return Sys.kill(pid, signal);
    }

    @Override
    public long pid() {
        return PID;
    }

    @Override
    public long euid() {
        return EUID;
    }

    @Override
    public String env(String name) {
        return System.getenv(name);
    }
}
