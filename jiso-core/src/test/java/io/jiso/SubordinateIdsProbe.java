package io.jiso;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link SubordinateIdsTest} as an unprivileged user; prints one
 * "key: value" a line. "map START GID_START" runs sandboxes with the user's
 * subordinate ids (its ranges start at START and GID_START); "refused" asks
 * for them where they cannot be had.
 */
public final class SubordinateIdsProbe {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("refused")) {
            print("refused", new IsolatedProcessBuilder("true").mapSubordinateIds());
            return;
        }
        long start = Long.parseLong(args[1]);
        long gidStart = Long.parseLong(args[2]);
        Run.sh("true").ok(); // loads what lives as long as the JVM: the stage, init's memfd, the reaper
        Leftovers before = Leftovers.now();
        manyUsers();
        Run counted = Run.of(new IsolatedProcessBuilder("cat", "/proc/self/uid_map").mapSubordinateIds(100))
                .ok();
        counted.out()
                .lines()
                .forEach(l -> System.out.println("counted: " + l.strip().replaceAll("\\s+", " ")));
        Run explicit = Run.of(new IsolatedProcessBuilder("cat", "/proc/self/uid_map", "/proc/self/gid_map")
                        .userNamespace(
                                List.of(new IdMapping(0, start, 65536)), List.of(new IdMapping(0, gidStart, 65536))))
                .ok();
        explicit.out()
                .lines()
                .forEach(l -> System.out.println("explicit: " + l.strip().replaceAll("\\s+", " ")));
        // Overlapping inside ranges: within the user's ranges, so newuidmap runs, and the kernel refuses them.
        print(
                "helper-failed",
                new IsolatedProcessBuilder("true")
                        .userNamespace(
                                List.of(new IdMapping(0, start, 10), new IdMapping(5, start + 100, 10)),
                                List.of(new IdMapping(0, gidStart, 10))));
        print(
                "not-subordinate",
                new IsolatedProcessBuilder("true")
                        .userNamespace(List.of(new IdMapping(0, 5000, 10)), List.of(new IdMapping(0, gidStart, 10))));
        Leftovers after = Leftovers.now();
        System.out.println("leftovers: " + (after.equals(before) ? "none" : before + " -> " + after));
    }

    /**
     * uid 1000 with group 2000 in a sandbox: what it sees inside, and what the
     * host sees of the same process.
     */
    private static void manyUsers() throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder("/bin/sh", "-c", """
                sed 's/^ */uid_map: /' /proc/self/uid_map; sed 's/^ */gid_map: /' /proc/self/gid_map
                echo "setgroups: $(cat /proc/self/setgroups)"; echo "inside: $(id -u) $(id -G)"
                touch /tmp/owned && echo "owner: $(stat -c %u:%g /tmp/owned)"
                echo ready; read x || true""")
                .mapSubordinateIds()
                .user(1000, 1000)
                .supplementaryGroups(2000)
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null && !line.equals("ready"); line = out.readLine()) {
            System.out.println(line.replaceAll("\\s+", " "));
        }
        long main = Long.parseLong(Files.readString(Path.of("/proc/" + p.pid() + "/task/" + p.pid() + "/children"))
                .strip());
        for (String line : Files.readAllLines(Path.of("/proc/" + main + "/status"))) {
            if (line.startsWith("Uid:") || line.startsWith("Gid:") || line.startsWith("Groups:")) {
                System.out.println("host " + line.replaceAll("\\s+", " "));
            }
        }
        p.getOutputStream().close();
        System.out.println("exit: " + p.waitFor());
        out.close();
    }

    /** Starts builder, which is expected to fail, and prints how. */
    private static void print(String key, IsolatedProcessBuilder builder) throws Exception {
        try {
            builder.start().waitFor();
            System.out.println(key + ": started");
        } catch (IsolationException | IllegalStateException e) {
            System.out.println(key + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
