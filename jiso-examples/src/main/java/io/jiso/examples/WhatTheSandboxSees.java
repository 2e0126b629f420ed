package io.jiso.examples;

import io.jiso.IsolatedProcess;
import io.jiso.IsolatedProcessBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The main job in one screen: run the same survey of the system on the host
 * and in a jiso sandbox with default isolation, and print them side by side.
 */
public final class WhatTheSandboxSees {
    private static final String SURVEY = """
            echo "hostname:    $(hostname)"
            echo "my pid:      $$"
            echo "processes:   $(ls /proc | grep -cE '^[0-9]+$')"
            echo "pid 1:       $(tr '\\0' ' ' < /proc/1/cmdline | cut -c1-40)"
            echo "interfaces:  $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
            echo "mounts:      $(wc -l < /proc/self/mountinfo)"
            echo "root:        $(ls / | tr '\\n' ' ')"
            echo "cgroup:      $(grep -m1 -E ':memory:|^0::' /proc/self/cgroup)"
            echo "user:        $(id -un 2>/dev/null || id -u), $(grep CapEff /proc/self/status | tr -d '\t')"
            echo "/usr:        $(test -w /usr && echo writable || echo read-only)"
            echo "host files:  $(test -e /home && echo /home visible || echo /home absent)"
            """;

    public static void main(String[] args) throws IOException, InterruptedException {
        List<String> host = run(new ProcessBuilder("/bin/sh", "-c", SURVEY)
                .redirectErrorStream(true)
                .start());
        IsolatedProcess sandboxed = new IsolatedProcessBuilder("/bin/sh", "-c", SURVEY)
                .hostname("sandbox")
                .memoryMax(256L << 20)
                .pidsMax(64)
                .redirectErrorStream(true)
                .start();
        List<String> inside = run(sandboxed);
        System.out.printf(
                "%-70s | %s%n",
                "HOST (ProcessBuilder)", "SANDBOX (IsolatedProcessBuilder, host pid " + sandboxed.pid() + ")");
        System.out.println("-".repeat(70) + "-+-" + "-".repeat(70));
        for (int i = 0; i < Math.max(host.size(), inside.size()); i++) {
            System.out.printf(
                    "%-70s | %s%n",
                    clip(i < host.size() ? host.get(i) : ""), clip(i < inside.size() ? inside.get(i) : ""));
        }
        System.out.println(
                "sandbox exit value: " + sandboxed.exitValue() + (sandboxed.oomKilled() ? " (OOM-killed)" : ""));
        System.out.println("sandbox used:       " + sandboxed.resourceUsage());
    }

    private static List<String> run(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().toList();
    }

    private static String clip(String s) {
        return s.length() > 70 ? s.substring(0, 67) + "..." : s;
    }
}
