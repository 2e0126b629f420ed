package io.jiso.examples.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which language a submission is, and what the judge needs of the host for it. */
class LanguageTest {
    @Test
    void theLanguageIsTheFilesExtensionWhateverItsDirectoryOrName() {
        assertEquals(Optional.of(Language.C), Language.of(Path.of("/subs/a.c")));
        assertEquals(Optional.of(Language.CPP), Language.of(Path.of("a.cpp")), "not C because it starts with .c");
        assertEquals(
                Optional.of(Language.PYTHON),
                Language.of(Path.of("dir.java/solution.py")),
                "the file's name, not its directory's");
        assertEquals(Optional.of(Language.JAVA), Language.of(Path.of("Solution.java")));
        assertEquals(Optional.empty(), Language.of(Path.of("a.pyc")));
        assertEquals(Optional.empty(), Language.of(Path.of("c")), "no extension");
        assertEquals(Optional.empty(), Language.of(Path.of("a.C")), "extensions are lower case");
    }

    @Test
    void eachStepRunsInTheBoxOnTheSourceNameTheBoxGivesIt() {
        for (Language l : Language.values()) {
            assertTrue(l.compileCommand.contains(l.sourceName), l + " compiles " + l.sourceName);
            assertTrue(l.compileCommand.getFirst().startsWith("/"), l + ": no PATH search in the sandbox");
            assertTrue(l.runCommand.getFirst().startsWith("/"), l.toString());
            assertTrue(Language.of(Path.of(l.sourceName)).orElseThrow() == l, l + "'s own file is " + l);
        }
        assertTrue(
                Language.JAVA.runCommand.getFirst().startsWith(Language.JDK_PATH + "/"),
                "Java runs on the JDK bound at " + Language.JDK_PATH);
    }

    @Test
    void aToolIsAvailableIffTheHostHasItExecutable() {
        // the JDK is this JVM's own, which has javac in a full JDK
        boolean javac = Files.isExecutable(Path.of(System.getProperty("java.home"), "bin", "javac"));
        assertEquals(javac, Language.JAVA.unavailable().isEmpty());
        boolean gcc = Files.isExecutable(Path.of("/usr/bin/gcc"));
        assertEquals(gcc ? Optional.empty() : Optional.of("no /usr/bin/gcc on this host"), Language.C.unavailable());
    }
}
