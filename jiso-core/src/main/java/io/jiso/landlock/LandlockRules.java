package io.jiso.landlock;

import java.util.List;

/**
 * The file system as Landlock lets the sandboxed program see it, beneath the
 * mount namespace: everything not listed (and everything under it) is
 * unreachable for the access rights jiso handles, even if it is mounted.
 * Paths are those inside the sandbox and must exist when the rules are
 * applied.
 *
 * @param readOnly   read files and list directories
 * @param readWrite  also create, write, remove, rename and link (not execute)
 * @param executable read and execute (e.g. /usr, /bin, /lib)
 */
public record LandlockRules(List<String> readOnly, List<String> readWrite, List<String> executable) {
    public LandlockRules {
        readOnly = List.copyOf(readOnly);
        readWrite = List.copyOf(readWrite);
        executable = List.copyOf(executable);
        for (List<String> paths : List.of(readOnly, readWrite, executable)) {
            for (String p : paths) {
                if (!p.startsWith("/")) {
                    throw new IllegalArgumentException("Landlock paths must be absolute: " + p);
                }
            }
        }
    }

    public boolean isEmpty() {
        return readOnly.isEmpty() && readWrite.isEmpty() && executable.isEmpty();
    }
}
