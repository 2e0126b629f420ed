package io.jiso.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trace of the JVM's own network namespace, read unprivileged: what it
 * keeps of each file, and that the host-wide sockstat fields, which change
 * with any traffic of the host, are left out. (Whether two traces around a
 * sandbox's run are equal is for the kernel tests; here only the shape.)
 */
class NamespaceTraceTest {
    /** The trace's lines that start with prefix, numbers replaced by N. */
    private static List<String> shapes(String trace, String prefix) {
        return Arrays.stream(trace.split("\n"))
                .filter(l -> l.startsWith(prefix))
                .map(l -> l.replaceAll("\\d+", "N"))
                .toList();
    }

    @Test
    void sockstatKeepsThisNamespacesCountsAndDropsTheHostWideOnes() throws Exception {
        String trace = NamespaceTrace.read();
        assertEquals(List.of("sockets: used N "), shapes(trace, "sockets:"));
        assertEquals(
                List.of("TCP: inuse N tw N "), shapes(trace, "TCP:"), "orphan, alloc and mem count the whole host");
        assertEquals(List.of("UDP: inuse N "), shapes(trace, "UDP:"));
        assertFalse(trace.contains(" alloc ") || trace.contains(" orphan "), trace);
    }

    @Test
    void theInterfaceAndProtocolCountersAreKeptWhole() throws Exception {
        String trace = NamespaceTrace.read();
        String dev = Files.readString(Path.of("/proc/thread-self/net/dev"));
        String header = dev.substring(0, dev.indexOf('\n', dev.indexOf('\n') + 1) + 1);
        assertTrue(trace.startsWith(header), "/proc/net/dev first, as the kernel writes it");
        assertTrue(trace.contains("\nIp: Forwarding "), "snmp's IPv4 counters");
        assertTrue(trace.contains("\nUdp: InDatagrams "), "snmp's UDP counters");
        boolean ipv6 = Files.exists(Path.of("/proc/thread-self/net/snmp6"));
        assertEquals(ipv6, trace.contains("Ip6OutRequests"), "snmp6 where the kernel has IPv6, else nothing");
        int sockstat = trace.indexOf("sockets: used");
        assertTrue(sockstat > trace.indexOf("Ip: Forwarding"), "sockstat last");
    }
}
