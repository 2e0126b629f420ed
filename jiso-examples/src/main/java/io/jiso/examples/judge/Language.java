package io.jiso.examples.judge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a language is compiled and run inside the sandbox. The source is copied
 * into the box as {@link #sourceName}; the box is {@code /box}, the working
 * directory of both steps. Compilers and runtimes come from the host's /usr,
 * which every sandbox sees read-only; the JDK is the judge's own, bound at
 * {@code /jdk} (wherever it lies on the host).
 */
public enum Language {
    C("c", "main.c", List.of("/usr/bin/gcc", "-O2", "-std=gnu17", "-o", "main", "main.c", "-lm"), List.of("/box/main")),
    CPP(
            "cpp",
            "main.cpp",
            List.of("/usr/bin/g++", "-O2", "-std=gnu++17", "-o", "main", "main.cpp"),
            List.of("/box/main")),
    /** "Compiling" checks the syntax, so a syntax error is CE, not RE. */
    PYTHON(
            "py",
            "main.py",
            List.of("/usr/bin/python3", "-m", "py_compile", "main.py"),
            List.of("/usr/bin/python3", "/box/main.py")),
    /** The class is Main, whatever the submission's file is called. */
    JAVA(
            "java",
            "Main.java",
            List.of(Language.JDK_PATH + "/bin/javac", "-encoding", "UTF-8", "Main.java"),
            List.of(Language.JDK_PATH + "/bin/java", "-cp", "/box", "Main"));

    /** Where the sandbox sees the JDK. */
    static final String JDK_PATH = "/jdk";

    private final String extension;
    final String sourceName;
    final List<String> compileCommand;
    final List<String> runCommand;

    Language(String extension, String sourceName, List<String> compileCommand, List<String> runCommand) {
        this.extension = extension;
        this.sourceName = sourceName;
        this.compileCommand = compileCommand;
        this.runCommand = runCommand;
    }

    /** The language of a source file, by its extension. */
    public static Optional<Language> of(Path source) {
        String name = source.getFileName().toString();
        for (Language l : values()) {
            if (name.endsWith("." + l.extension)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /** The host directory bound at {@link #JDK_PATH}: the JDK this JVM runs on. */
    static Path jdk() {
        return Path.of(System.getProperty("java.home"));
    }

    /** Whether this host has the compiler and runtime; if not, why not. */
    public Optional<String> unavailable() {
        String tool = this == JAVA ? jdk().resolve("bin/javac").toString() : compileCommand.getFirst();
        return Files.isExecutable(Path.of(tool)) ? Optional.empty() : Optional.of("no " + tool + " on this host");
    }
}
