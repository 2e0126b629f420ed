package io.jiso.cli;

import io.jiso.Capability;
import io.jiso.IsolatedProcessBuilder;
import io.jiso.Namespace;
import io.jiso.ResourceLimit;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The values of jiso run's flags, in the notations of docker, bwrap and
 * nsjail. Each converter's message is the rule; picocli puts the flag
 * before it.
 */
final class Values {
    private Values() {}

    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMGT]?)(I?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(us|ms|s|m|h)");
    private static final String SIZE_RULE =
            "must be a number of bytes with an optional suffix K, M, G or T" + " (powers of 1024), e.g. 64M";

    /** Bytes: 4096, 64K, 256M, 2G, 1T (K = 1024), or "unlimited". */
    static final class SizeOrUnlimited implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            if (value.equalsIgnoreCase("unlimited") || value.equalsIgnoreCase("max")) {
                return IsolatedProcessBuilder.UNLIMITED;
            }
            return size(value, SIZE_RULE + ", or 'unlimited'");
        }
    }

    /** Bytes, as {@link SizeOrUnlimited} but always a number. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return size(value, SIZE_RULE);
        }
    }

    /** A count (pids), or "unlimited". */
    static final class CountOrUnlimited implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            if (value.equalsIgnoreCase("unlimited") || value.equalsIgnoreCase("max")) {
                return IsolatedProcessBuilder.UNLIMITED;
            }
            if (!value.matches("\\d{1,18}")) {
                throw new TypeConversionException("must be a whole number, or 'unlimited', was '" + value + "'");
            }
            return Long.parseLong(value);
        }
    }

    static long size(String value, String rule) {
        Matcher m = SIZE.matcher(value);
        if (!m.matches() || m.group(1).length() > 18) {
            throw new TypeConversionException(rule + ", was '" + value + "'");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > Long.MAX_VALUE >> shift >> 1) {
            throw new TypeConversionException("is too large, was '" + value + "'");
        }
        return n << shift;
    }

    /** A positive duration with its unit: 500ms, 2s, 1.5s, 1m. */
    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException("must be a positive duration, was '" + value + "'");
            }
            return d;
        }
    }

    static Duration duration(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new TypeConversionException("must be a number with a unit, us, ms, s, m or h (e.g. 500ms, 2s,"
                    + " 1.5s, 1m), was '" + value + "'");
        }
        BigDecimal nanosPerUnit = BigDecimal.valueOf(
                switch (m.group(2)) {
                    case "us" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    default -> 3_600_000_000_000L;
                });
        try {
            return Duration.ofNanos(
                    new BigDecimal(m.group(1)).multiply(nanosPerUnit).longValueExact());
        } catch (ArithmeticException e) {
            throw new TypeConversionException("must be whole nanoseconds within about 292 years, was '" + value + "'");
        }
    }

    /** --cpu-max QUOTA[/PERIOD]: CPU time per period, e.g. 50ms/100ms (half a CPU); the period defaults to 100ms. */
    record CpuMax(long quotaMicros, long periodMicros) {}

    static final class CpuMaxConverter implements ITypeConverter<CpuMax> {
        @Override
        public CpuMax convert(String value) {
            String[] parts = value.split("/", -1);
            if (parts.length > 2) {
                throw new TypeConversionException("must be QUOTA[/PERIOD], e.g. 50ms/100ms, was '" + value + "'");
            }
            Duration quota = new PositiveDuration().convert(parts[0]);
            Duration period = parts.length == 2 ? new PositiveDuration().convert(parts[1]) : Duration.ofMillis(100);
            return new CpuMax(quota.toNanos() / 1000, period.toNanos() / 1000);
        }
    }

    /** --rlimit NAME=SOFT[:HARD]: a setrlimit(2) limit; HARD defaults to SOFT. */
    record Rlimit(ResourceLimit limit, long soft, long hard) {}

    static final class RlimitConverter implements ITypeConverter<Rlimit> {
        @Override
        public Rlimit convert(String value) {
            int eq = value.indexOf('=');
            if (eq < 0) {
                throw new TypeConversionException(
                        "must be NAME=SOFT[:HARD], e.g. stack=256M or nofile=64:64, was '" + value + "'");
            }
            ResourceLimit limit;
            try {
                limit = ResourceLimit.valueOf(
                        value.substring(0, eq).toUpperCase(Locale.ROOT).replaceFirst("^RLIMIT_", ""));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("NAME must be one of " + names(ResourceLimit.values()) + ", was '"
                        + value.substring(0, eq) + "'");
            }
            String[] softHard = value.substring(eq + 1).split(":", -1);
            if (softHard.length > 2) {
                throw new TypeConversionException("must be NAME=SOFT[:HARD], was '" + value + "'");
            }
            long soft = rlimitValue(softHard[0]);
            return new Rlimit(limit, soft, softHard.length == 2 ? rlimitValue(softHard[1]) : soft);
        }

        private static long rlimitValue(String v) {
            if (v.equalsIgnoreCase("unlimited") || v.equalsIgnoreCase("infinity")) {
                return ResourceLimit.UNLIMITED;
            }
            return size(
                    v,
                    "SOFT and HARD must be 'unlimited' or a number (in the limit's unit; bytes may take a"
                            + " suffix K, M, G or T)");
        }
    }

    /** --bind SRC[:DST], --ro-bind SRC[:DST]: DST defaults to SRC; a relative SRC is taken from the working directory. */
    record Bind(Path source, String target) {}

    static final class BindConverter implements ITypeConverter<Bind> {
        @Override
        public Bind convert(String value) {
            int colon = value.lastIndexOf(':');
            String source = colon < 0 ? value : value.substring(0, colon);
            String target = colon < 0 ? value : value.substring(colon + 1);
            if (source.isEmpty() || !target.startsWith("/")) {
                throw new TypeConversionException("must be SRC:DST, DST an absolute path inside the sandbox (or an"
                        + " absolute SRC alone), was '" + value + "'");
            }
            return new Bind(Path.of(source).toAbsolutePath(), target);
        }
    }

    /** --tmpfs DST[:SIZE]: SIZE defaults to 64M, like /tmp's. */
    record Tmpfs(String target, long bytes) {}

    static final class TmpfsConverter implements ITypeConverter<Tmpfs> {
        @Override
        public Tmpfs convert(String value) {
            int colon = value.indexOf(':');
            String target = colon < 0 ? value : value.substring(0, colon);
            if (!target.startsWith("/")) {
                throw new TypeConversionException(
                        "must be DST[:SIZE], DST an absolute path inside the sandbox, was '" + value + "'");
            }
            return new Tmpfs(target, colon < 0 ? 64L << 20 : size(value.substring(colon + 1), "SIZE " + SIZE_RULE));
        }
    }

    /** --user UID[:GID]: numeric ids inside the sandbox; GID defaults to UID. */
    record User(long uid, long gid) {}

    static final class UserConverter implements ITypeConverter<User> {
        @Override
        public User convert(String value) {
            if (!value.matches("\\d{1,10}(:\\d{1,10})?")) {
                throw new TypeConversionException(
                        "must be UID[:GID], numbers (names are not looked up), was '" + value + "'");
            }
            String[] ids = value.split(":");
            long uid = Long.parseLong(ids[0]);
            return new User(uid, ids.length == 2 ? Long.parseLong(ids[1]) : uid);
        }
    }

    /** --share net,pid: namespace names as in /proc/PID/ns (mnt or mount). */
    static final class NamespaceConverter implements ITypeConverter<Namespace> {
        @Override
        public Namespace convert(String value) {
            String name = value.toUpperCase(Locale.ROOT);
            if (name.equals("MNT")) {
                return Namespace.MOUNT;
            }
            try {
                return Namespace.valueOf(name);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("must be namespace names: pid, mnt, uts, ipc, net, cgroup, user"
                        + " or time, was '" + value + "'");
            }
        }
    }

    /** --keep-cap NET_RAW or CAP_NET_RAW, any case. */
    static final class CapabilityConverter implements ITypeConverter<Capability> {
        @Override
        public Capability convert(String value) {
            String name = value.toUpperCase(Locale.ROOT);
            try {
                return Capability.valueOf(name.startsWith("CAP_") ? name : "CAP_" + name);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("must be a capability name of capabilities(7), e.g. NET_RAW or"
                        + " CAP_NET_RAW, was '" + value + "'");
            }
        }
    }

    private static String names(Enum<?>[] values) {
        StringBuilder s = new StringBuilder();
        for (Enum<?> v : values) {
            s.append(s.isEmpty() ? "" : ", ").append(v.name().toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }
}
