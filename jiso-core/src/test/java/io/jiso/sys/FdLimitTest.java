package io.jiso.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shares of the JVM's fd limit that jiso's background work may hold,
 * against the soft limit the kernel shows for this JVM: together they leave
 * most of it to the program.
 */
class FdLimitTest {
    private static long softLimit() throws Exception {
        Matcher m = Pattern.compile("(?m)^Max open files\\s+(\\S+)")
                .matcher(Files.readString(Path.of("/proc/self/limits")));
        assertTrue(m.find());
        return m.group(1).equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(m.group(1));
    }

    @Test
    void theSharesAreFractionsOfTheSoftLimit() throws Exception {
        long soft = softLimit();
        assertEquals(soft / 8, FdLimit.readyLeaves());
        assertEquals(soft / 32, FdLimit.pooledNamespaces());
        assertEquals(Math.max(2, soft / 64), FdLimit.pendingExits());
    }

    @Test
    void jisosSharesLeaveTheProgramMostOfTheLimit() throws Exception {
        long soft = softLimit();
        // a pending exit holds a pidfd, a leaf's fds (up to a few) and maybe a network namespace: say 4
        double jisos = FdLimit.readyLeaves() + FdLimit.pooledNamespaces() + 4.0 * FdLimit.pendingExits();
        assertTrue(jisos < soft / 2.0, jisos + " of " + soft);
        assertTrue(FdLimit.pendingExits() >= 2, "at least two exits may wait, however low the limit");
    }
}
