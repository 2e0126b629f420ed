package io.jiso.net;

import io.jiso.plan.HostSetupFailure;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.util.Set;

/**
 * What the calling thread's network namespace shows of its use, as text:
 * two reads that are equal mean no packet was sent or received on lo, no
 * IPv4 or IPv6 datagram was sent or refused (the counters of /proc/net/snmp
 * and snmp6 count even a send that found no route), and the same number of
 * sockets is open and in TIME_WAIT (sockstat's counts cover every family;
 * TCP's TIME_WAIT count covers IPv6 too). Only the per-namespace figures
 * are kept: sockstat mixes in host-wide ones (orphans, sockets allocated,
 * memory), which change with the host's traffic. A file the kernel does not
 * have (snmp6 without IPv6) reads as empty, in both reads alike.
 */
final class NamespaceTrace {
    private NamespaceTrace() {}

    private static final String[] FILES = {"dev", "snmp", "snmp6"};
    /** sockstat's fields that count the whole host, not this namespace. */
    private static final Set<String> HOST_WIDE = Set.of("orphan", "alloc", "mem");

    static String read() throws HostSetupFailure {
        StringBuilder trace = new StringBuilder(8192);
        for (String f : FILES) {
            trace.append(readIfExists("/proc/thread-self/net/" + f));
        }
        for (String line : Sys.readFile("/proc/thread-self/net/sockstat").split("\n")) {
            String[] words = line.trim().split(" ");
            for (int i = 0; i < words.length; i++) {
                if (HOST_WIDE.contains(words[i]) && i + 1 < words.length) {
                    i++; // the host-wide field's value
                } else {
                    trace.append(words[i]).append(' ');
                }
            }
            trace.append('\n');
        }
        return trace.toString();
    }

    /**
     * read() of a namespace just made, once no socket is counted in it, for at most
     * timeoutMillis: the kernel counts a closed socket out of "sockets: used" only when it frees
     * it, which may come after close() has returned (after an RCU grace period), so the socket
     * that brought lo up can still show. A view that counted it would not match the same
     * namespace's later, and the namespace would never be reused.
     */
    static String readSettled(long timeoutMillis) throws HostSetupFailure {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        String trace = read();
        while (trace.lines().noneMatch("sockets: used 0 "::equals) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            trace = read();
        }
        return trace;
    }

    private static String readIfExists(String path) throws HostSetupFailure {
        try {
            return Sys.readFile(path);
        } catch (HostSetupFailure e) {
            if (e.errno() == Errno.ENOENT) {
                return "";
            }
            throw e;
        }
    }
}
