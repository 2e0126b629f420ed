package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jiso.user.SubordinateIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Subordinate ids, for real: the test gives the unprivileged user a range in
 * /etc/subuid and /etc/subgid (and takes exactly those lines away again), runs
 * {@link SubordinateIdsProbe} as that user, and checks the maps newuidmap and
 * newgidmap wrote, and that uid 1000 inside is a distinct uid of the host.
 */
@KernelTest
class SubordinateIdsTest {
    private static final long START = 2_000_000_000L;
    private static final long GID_START = 2_100_000_000L;
    private static final long COUNT = 65536;
    private static final Path SUBUID = Path.of("/etc/subuid");
    private static final Path SUBGID = Path.of("/etc/subgid");
    /** What a setuid-root helper needs in the JVM's bounding set; the JVM has no capabilities of its own. */
    private static final List<String> HELPERS_CAN_WORK =
            List.of("--inh-caps=-all", "--bounding-set=-all,+setuid,+setgid,+dac_override,+sys_admin");

    private static UnprivilegedJvm jvm;
    private static final List<Runnable> undo = new ArrayList<>();

    @BeforeAll
    static void userWithSubordinateRanges() throws Exception {
        Privileges.assumeRoot("creates a user and adds its ranges to /etc/subuid and /etc/subgid");
        jvm = new UnprivilegedJvm();
        addLine(SUBUID, UnprivilegedJvm.USER + ":" + START + ":" + COUNT);
        addLine(SUBGID, UnprivilegedJvm.USER + ":" + GID_START + ":" + COUNT);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        undo.reversed().forEach(Runnable::run);
        if (jvm != null) {
            jvm.close();
        }
    }

    /** Skips a test that runs newuidmap and newgidmap where they are not installed, with jiso's own reason. */
    private static void assumeHelpersInstalled() {
        String missing = SubordinateIds.helpersNotInstalled();
        Assumptions.assumeTrue(missing.isEmpty(), "needs newuidmap and newgidmap: " + missing);
    }

    @Test
    void subordinateIdsGiveTheSandboxManyUsersThatAreNotTheHosts() throws Exception {
        assumeHelpersInstalled();
        Map<String, List<String>> out = byKey(jvm.run(
                UnprivilegedJvm.USER,
                HELPERS_CAN_WORK,
                SubordinateIdsProbe.class,
                "map",
                Long.toString(START),
                Long.toString(GID_START)));
        long uid = UnprivilegedJvm.uidOf(UnprivilegedJvm.USER);
        List<String> uidMap = out.get("uid_map");
        List<String> gidMap = out.get("gid_map");
        assertEquals("0 " + uid + " 1", uidMap.get(0), "0 inside is the user; the probe said " + out);
        assertTrue(uidMap.stream().anyMatch(l -> l.endsWith(" " + START + " " + COUNT)), "our range: " + uidMap);
        assertTrue(gidMap.stream().anyMatch(l -> l.endsWith(" " + GID_START + " " + COUNT)), "our range: " + gidMap);
        assertEquals(List.of("allow"), out.get("setgroups"), "newgidmap leaves setgroups allowed");
        assertEquals(List.of("1000 1000 2000"), out.get("inside"), "uid, gid and group exist inside");
        assertEquals(List.of("1000:1000"), out.get("owner"), "a file chowned to them on a tmpfs");
        long hostUid = hostId(uidMap, 1000);
        long hostGid = hostId(gidMap, 1000);
        assertTrue(hostUid != uid && hostUid >= 100000, "uid 1000 inside is a subordinate uid: " + hostUid);
        String ids = hostUid + " " + hostUid + " " + hostUid + " " + hostUid;
        assertEquals(List.of(ids), out.get("host Uid"), "the host sees the process as that uid");
        assertEquals(List.of(hostGid + " " + hostGid + " " + hostGid + " " + hostGid), out.get("host Gid"));
        assertEquals(List.of(Long.toString(hostId(gidMap, 2000))), out.get("host Groups"));
        assertEquals(List.of("0"), out.get("exit"));

        assertEquals(2, out.get("counted").size(), "mapSubordinateIds(100): " + out.get("counted"));
        assertTrue(
                out.get("counted").get(1).matches("1 \\d+ 100"),
                out.get("counted").toString());
        assertEquals(
                List.of("0 " + START + " 65536", "0 " + GID_START + " 65536"),
                out.get("explicit"),
                "userNamespace(..) within the ranges, written by the helpers: root inside is no user of the host");
        String failed = out.get("helper-failed").get(0);
        assertTrue(
                failed.startsWith("HostSetupException: run /usr/bin/newuidmap ")
                        && failed.contains("exit status 1")
                        && failed.contains("newuidmap:"),
                "names the helper, its status and what it said: " + failed);
        String refused = out.get("not-subordinate").get(0);
        assertTrue(
                refused.startsWith("FeatureUnavailableException")
                        && refused.contains("5000-5009")
                        && refused.contains("/etc/subuid"),
                refused);
        assertEquals(List.of("none"), out.get("leftovers"), "no fd or process left in the unprivileged JVM");
    }

    @Test
    void aUserWithoutRangesIsToldWhichFileLacksThem() throws Exception {
        for (Path file : List.of(SUBUID, SUBGID)) {
            assumeFalse(
                    Files.exists(file)
                            && Files.readString(file)
                                    .lines()
                                    .anyMatch(l -> l.startsWith("nobody:") || l.startsWith("65534:")),
                    "nobody has a range here");
        }
        String refused = byKey(jvm.run("nobody", HELPERS_CAN_WORK, SubordinateIdsProbe.class, "refused"))
                .get("refused")
                .get(0);
        assertTrue(
                refused.startsWith("FeatureUnavailableException: map the subordinate ids of user nobody (uid 65534)")
                        && refused.contains("/etc/subuid has no range for user nobody")
                        && refused.contains("/etc/subgid has no range for user nobody"),
                refused);
    }

    @Test
    void helpersThatCannotGainPrivilegesAreNamed() throws Exception {
        assumeHelpersInstalled();
        String refused = byKey(jvm.run(
                        UnprivilegedJvm.USER, UnprivilegedJvm.NO_PRIVILEGES, SubordinateIdsProbe.class, "refused"))
                .get("refused")
                .get(0);
        assertTrue(
                refused.startsWith("FeatureUnavailableException")
                        && refused.contains("bounding set lacks [CAP_DAC_OVERRIDE, CAP_SETUID, CAP_SYS_ADMIN]")
                        && refused.contains("bounding set lacks [CAP_DAC_OVERRIDE, CAP_SETGID, CAP_SYS_ADMIN]"),
                refused);
    }

    @Test
    void aRootJvmMapsWhatItLikesItself() {
        FeatureUnavailableException e = assertThrows(
                FeatureUnavailableException.class,
                () -> new IsolatedProcessBuilder("true").mapSubordinateIds().start());
        assertTrue(e.getMessage().contains("the JVM runs as root"), e.getMessage());
    }

    @Test
    void aBadCountIsRejectedNamingTheField() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new IsolatedProcessBuilder("true").mapSubordinateIds(0));
        assertEquals("mapSubordinateIds: count must be 1..4294967294, was 0", e.getMessage());
    }

    /** The host id of inside, read off a uid_map or gid_map ("inside outside count" lines). */
    private static long hostId(List<String> map, long inside) {
        for (String line : map) {
            String[] f = line.split(" ");
            long first = Long.parseLong(f[0]);
            if (first <= inside && inside < first + Long.parseLong(f[2])) {
                return Long.parseLong(f[1]) + inside - first;
            }
        }
        throw new AssertionError(inside + " is not mapped: " + map);
    }

    /** "key: value" lines by key, in order. */
    private static Map<String, List<String>> byKey(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                out.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>())
                        .add(line.substring(colon + 2));
            }
        }
        return out;
    }

    /** Appends line to file; cleanUp removes that one line again (and the file, if the test made it). */
    private static void addLine(Path file, String line) throws Exception {
        boolean existed = Files.exists(file);
        String before = existed ? Files.readString(file) : "";
        Files.writeString(file, before + (before.isEmpty() || before.endsWith("\n") ? "" : "\n") + line + "\n");
        undo.add(() -> {
            try {
                List<String> lines = new ArrayList<>(Files.readAllLines(file));
                lines.remove(line);
                if (!existed && lines.isEmpty()) {
                    Files.delete(file);
                } else {
                    Files.write(file, lines);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
