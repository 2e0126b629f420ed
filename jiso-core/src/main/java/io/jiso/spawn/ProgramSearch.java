package io.jiso.spawn;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The execve steps that look for the program in the sandbox's PATH, and,
 * when the last one fails, the message that says what was searched. The host
 * is looked at only then, never on a successful spawn.
 *
 * @param command    the program as given
 * @param path       the sandbox's PATH, or null when the command has a '/'
 * @param candidates the files tried, in order
 * @param firstStep  the index of the first execve step; the others follow it
 */
record ProgramSearch(String command, String path, List<String> candidates, int firstStep) {

    boolean covers(int step) {
        return step >= firstStep && step < firstStep + candidates.size();
    }

    /**
     * What a failed search tried and, when nothing was found (ENOENT), whether
     * the host has such a program that the sandbox does not see.
     */
    String explain(boolean notFound) {
        StringBuilder s = new StringBuilder(command).append(notFound ? " not found" : " could not be executed");
        if (path == null) {
            s.append(" in the sandbox");
        } else {
            s.append(" in the sandbox's PATH ").append(path).append(": tried ").append(String.join(", ", candidates));
        }
        if (!notFound) {
            return s.toString();
        }
        List<String> onHost = onHost();
        if (onHost.isEmpty()) {
            s.append(
                    path == null
                            ? "; the host has no " + command + " either"
                            : "; the host has no " + command + " in these directories"
                                    + (System.getenv("PATH") == null ? "" : " nor in the JVM's PATH") + " either");
        } else {
            s.append("; the host has ")
                    .append(String.join(" and ", onHost))
                    .append(onHost.size() == 1 ? ", but it is" : ", but they are")
                    .append(" not visible in the sandbox (or its interpreter, #! or ELF, is not)");
        }
        return s.toString();
    }

    /** Executable files of that name on the host: the candidates, then the JVM's own PATH. */
    private List<String> onHost() {
        Set<String> places = new LinkedHashSet<>(candidates);
        String jvmPath = System.getenv("PATH");
        if (path != null && jvmPath != null) {
            places.addAll(ChildSteps.candidates(command, jvmPath));
        }
        List<String> found = new ArrayList<>();
        for (String place : places) {
            Path p = Path.of(place);
            if (p.isAbsolute() && Files.isRegularFile(p) && Files.isExecutable(p)) {
                found.add(new File(place).getPath());
            }
        }
        return found;
    }
}
