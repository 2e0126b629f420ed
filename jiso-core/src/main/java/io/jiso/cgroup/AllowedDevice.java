package io.jiso.cgroup;

import java.util.List;

/**
 * A device a sandbox's cgroup leaf lets it use, in the cgroup devices terms:
 * type {@code c}, {@code b} or {@code a} (both), major and minor or
 * {@link #ANY}, access letters of {@code rwm}. The public
 * {@code io.jiso.DeviceRule} checks and parses them and makes one.
 */
public record AllowedDevice(char type, long major, long minor, String access) {
    /** Any major or minor number ({@code *} in the cgroup syntax). */
    public static final long ANY = -1;

    /**
     * The devices of jiso's minimal /dev: null, zero, full, random, urandom,
     * tty, ptmx and the pseudo-terminals.
     */
    public static final List<AllowedDevice> MINIMAL = List.of(
            new AllowedDevice('c', 1, 3, "rwm"),
            new AllowedDevice('c', 1, 5, "rwm"),
            new AllowedDevice('c', 1, 7, "rwm"),
            new AllowedDevice('c', 1, 8, "rwm"),
            new AllowedDevice('c', 1, 9, "rwm"),
            new AllowedDevice('c', 5, 0, "rwm"),
            new AllowedDevice('c', 5, 2, "rwm"),
            new AllowedDevice('c', 136, ANY, "rwm"));

    /** The rule in the cgroup syntax, e.g. "c 1:3 rwm" or "c 136:* rwm". */
    @Override
    public String toString() {
        return type + " " + (major == ANY ? "*" : major) + ":" + (minor == ANY ? "*" : minor) + " " + access;
    }
}
