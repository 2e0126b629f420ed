package io.jiso;

import java.nio.charset.StandardCharsets;

/** Run by {@link RootlessTest} as an unprivileged user: prints what a default sandbox sees, one fact a line. */
public final class RootlessProbe {
    public static void main(String[] args) throws Exception {
        IsolatedProcess p = new IsolatedProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "hostname; echo $$; cat /proc/self/uid_map;"
                                + " tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; touch /usr/x 2>/dev/null || echo usr-read-only;"
                                + " test -e /root && echo root-visible || echo root-hidden")
                .redirectErrorStream(true)
                .start();
        System.out.print(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        System.out.println("exit " + p.waitFor());
        try {
            new IsolatedProcessBuilder("true").memoryMax(64 << 20).start().waitFor();
            System.out.println("limit accepted");
        } catch (IsolationException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
