package io.jiso.examples.judge;

/** A judge's verdict on one test, or on a submission (its first failed test's, or AC). */
public enum Verdict {
    /** Accepted: the output matches the expected answer. */
    AC,
    /** Wrong answer: the program ended normally, with other output. */
    WA,
    /** Time limit exceeded: CPU time (of all its processes together) or wall time. */
    TLE,
    /** Memory limit exceeded: the kernel's OOM killer killed a process of the sandbox. */
    MLE,
    /** Output limit exceeded. */
    OLE,
    /** Runtime error: a non-zero exit code or a fatal signal. */
    RE,
    /** Compile error, or the compiler went past one of the compile limits. */
    CE
}
