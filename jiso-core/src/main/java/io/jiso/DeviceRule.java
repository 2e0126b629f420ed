package io.jiso;

import io.jiso.cgroup.AllowedDevice;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A device the sandbox may use, in the cgroup devices syntax: type {@code c}
 * (character), {@code b} (block) or {@code a} (both); major and minor, or
 * {@link #ANY}; access letters {@code r}ead, {@code w}rite, {@code m}knod.
 * {@code DeviceRule.parse("c 1:3 mr")} is /dev/null, readable and creatable.
 */
public record DeviceRule(char type, long major, long minor, String access) {
    /** Any major or minor number ({@code *} in the syntax). */
    public static final long ANY = AllowedDevice.ANY;

    private static final Pattern SYNTAX = Pattern.compile("([cba]) (\\*|\\d+):(\\*|\\d+) ([rwm]+)");

    /**
     * The devices of jiso's minimal /dev: null, zero, full, random, urandom,
     * tty, ptmx and the pseudo-terminals. Nothing else can be opened or made.
     */
    public static final List<DeviceRule> MINIMAL = AllowedDevice.MINIMAL.stream()
            .map(d -> new DeviceRule(d.type(), d.major(), d.minor(), d.access()))
            .toList();

    public DeviceRule {
        if (type != 'c' && type != 'b' && type != 'a') {
            throw new IllegalArgumentException("DeviceRule.type must be 'c', 'b' or 'a', was '" + type + "'");
        }
        if (major < ANY || major > 0xFFF || minor < ANY || minor > 0xFFFFF) {
            throw new IllegalArgumentException(
                    "DeviceRule major must be 0..4095 and minor 0..1048575 (or ANY), was " + major + ":" + minor);
        }
        if (access == null || !access.matches("[rwm]{1,3}")) {
            throw new IllegalArgumentException("DeviceRule.access must be letters of \"rwm\", was \"" + access + "\"");
        }
    }

    /** Parses "TYPE MAJOR:MINOR ACCESS", e.g. "c 1:3 mr" or "c 136:* rwm". */
    public static DeviceRule parse(String rule) {
        Matcher m = SYNTAX.matcher(rule == null ? "" : rule.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("DeviceRule must look like \"c 1:3 rwm\" (type c/b/a, major:minor or *,"
                    + " access of rwm), was \"" + rule + "\"");
        }
        return new DeviceRule(m.group(1).charAt(0), number(m.group(2)), number(m.group(3)), m.group(4));
    }

    private static long number(String s) {
        return s.equals("*") ? ANY : Long.parseLong(s);
    }

    @Override
    public String toString() {
        return type + " " + (major == ANY ? "*" : major) + ":" + (minor == ANY ? "*" : minor) + " " + access;
    }

    /** This rule as the cgroup leaf is given it. */
    AllowedDevice allowed() {
        return new AllowedDevice(type, major, minor, access);
    }
}
