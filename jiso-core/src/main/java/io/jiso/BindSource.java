package io.jiso;

import io.jiso.mount.FsOp;
import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The host side of a bind, and how far jiso may follow symbolic links to it,
 * like {@link ProcessBuilder.Redirect} for a stream.
 *
 * <p>A bind source is opened as the caller named it. A directory that an
 * earlier sandbox could write (a judge's work directory, bound writable for a
 * compile) may hold a symbolic link that sandbox planted, pointing anywhere on
 * the host: following it would show the next sandbox a host file. So:
 * <ul>
 * <li>{@link #of(Path)} (what {@code bind(Path, ..)} and
 * {@code bindReadOnly(Path, ..)} use) follows no link in the last component:
 * {@code start()} refuses a source that is a link, naming it. Links in the
 * directories above it are resolved when start() runs: those directories
 * must be the caller's, not a sandbox's.</li>
 * <li>{@link #beneath(Path, String)} follows no link below a directory the
 * caller trusts: use it for anything inside a directory a sandbox could
 * write, e.g. {@code BindSource.beneath(work, "out/prog")}.</li>
 * <li>{@link #resolvingSymlinks(Path)} follows every link when start() runs:
 * only for links the caller trusts.</li>
 * </ul>
 * In every case the child opens the resolved path with {@code openat2}'s
 * RESOLVE_NO_SYMLINKS and binds what it opened, so a link planted between
 * start() and the mount makes the start fail (ELOOP); it is never followed.
 */
public final class BindSource {
    private enum Kind {
        AS_NAMED,
        BENEATH,
        RESOLVING_SYMLINKS
    }

    private final Kind kind;
    private final Path dir;
    private final String relative;
    private final Path named;

    private BindSource(Kind kind, Path dir, String relative, Path named) {
        this.kind = kind;
        this.dir = dir;
        this.relative = relative;
        this.named = named;
    }

    /** path, absolute; start() refuses it if it is a symbolic link. */
    public static BindSource of(Path path) {
        return new BindSource(Kind.AS_NAMED, null, null, absolute("bind: hostPath", path));
    }

    /**
     * relative (no '.' or '..' component) below dir, absolute: no component
     * of relative may be a symbolic link. dir itself is resolved as named.
     */
    public static BindSource beneath(Path dir, String relative) {
        Path d = absolute("bind: dir", dir);
        Objects.requireNonNull(relative, "bind: relative");
        noNul("bind: relative", relative);
        if (relative.isEmpty() || relative.startsWith("/")) {
            throw new IllegalArgumentException(
                    "bind: relative must be a non-empty relative path, was \"" + relative + "\"");
        }
        for (String part : relative.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException(
                        "bind: relative must not contain '.' or '..', was \"" + relative + "\"");
            }
        }
        String normal = Path.of(relative).normalize().toString();
        return new BindSource(Kind.BENEATH, d, normal, d.resolve(normal));
    }

    /** path, absolute, with every symbolic link in it followed when start() runs: for links the caller trusts. */
    public static BindSource resolvingSymlinks(Path path) {
        return new BindSource(Kind.RESOLVING_SYMLINKS, null, null, absolute("bind: hostPath", path));
    }

    /** The source as the caller named it. */
    public Path path() {
        return named;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AS_NAMED -> named.toString();
            case BENEATH -> named + " (beneath " + dir + ")";
            case RESOLVING_SYMLINKS -> named + " (resolving symlinks)";
        };
    }

    /**
     * The bind op of this source at target, resolved now: a path without a
     * link in it for the child to open. A source that does not exist is left
     * for the child to report (ENOENT, with the step).
     */
    FsOp.Bind resolve(String target, boolean writable) throws HostSetupFailure {
        String step = "bind " + named + " on " + target;
        return switch (kind) {
            case AS_NAMED -> {
                BasicFileAttributes attrs = lstat(named);
                if (attrs != null && attrs.isSymbolicLink()) {
                    throw symlink(
                            step,
                            named,
                            "name the link's target, use BindSource.resolvingSymlinks(..) if"
                                    + " the link is trusted, or BindSource.beneath(..) in a directory a sandbox could write");
                }
                Path parent = named.getParent();
                Path real = parent == null ? named : realOrAsIs(parent).resolve(named.getFileName());
                yield new FsOp.Bind(
                        real.toString(), named.toString(), target, writable, attrs != null && attrs.isRegularFile());
            }
            case BENEATH -> {
                Path real = realOrAsIs(dir);
                BasicFileAttributes attrs = null;
                for (Path part : Path.of(relative)) {
                    real = real.resolve(part);
                    attrs = lstat(real);
                    if (attrs == null) {
                        break; // the child reports what is missing
                    }
                    if (attrs.isSymbolicLink()) {
                        throw symlink(step, real, "nothing below " + dir + " is followed");
                    }
                }
                yield new FsOp.Bind(
                        realOrAsIs(dir).resolve(relative).toString(),
                        named.toString(),
                        target,
                        writable,
                        attrs != null && attrs.isRegularFile());
            }
            case RESOLVING_SYMLINKS -> {
                Path real = realOrAsIs(named);
                yield new FsOp.Bind(real.toString(), named.toString(), target, writable, Files.isRegularFile(real));
            }
        };
    }

    private static HostSetupFailure symlink(String step, Path link, String advice) {
        String to;
        try {
            to = " to " + Files.readSymbolicLink(link);
        } catch (IOException e) {
            to = "";
        }
        return new HostSetupFailure(
                step,
                Errno.ELOOP,
                "ELOOP",
                link + " is a symbolic link" + to + "; a bind source is not followed through one: " + advice);
    }

    private static BasicFileAttributes lstat(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    private static Path realOrAsIs(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p; // missing or unreadable: the child's open fails and names it
        }
    }

    private static Path absolute(String field, Path path) {
        Objects.requireNonNull(path, field);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(field + " must be absolute, was " + path);
        }
        noNul(field, path.toString());
        return path.normalize();
    }

    private static void noNul(String field, String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " must not contain a NUL character");
        }
    }
}
