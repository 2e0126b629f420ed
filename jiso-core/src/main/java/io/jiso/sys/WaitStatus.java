package io.jiso.sys;

import static io.jiso.nativegen.Linux.CLD_DUMPED;
import static io.jiso.nativegen.Linux.CLD_EXITED;
import static io.jiso.nativegen.Linux.CLD_KILLED;

import io.jiso.nativegen.libc.siginfo_t;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Turns waitid's siginfo into the raw wait status that waitpid would have given. */
public final class WaitStatus {
    private WaitStatus() {}

    // si_pid and si_status sit in the _sigchld member of the _sifields union, after si_signo,
    // si_errno and si_code (and padding); the generated layout gives the offset.
    private static final long SIFIELDS =
            siginfo_t.layout().byteOffset(MemoryLayout.PathElement.groupElement("_sifields"));

    /** The raw status for WIFEXITED/WIFSIGNALED, or -1 if no child had exited (WNOHANG). */
    static int fromSiginfo(MemorySegment info) {
        int pid = info.get(ValueLayout.JAVA_INT, SIFIELDS);
        if (pid == 0) {
            return -1;
        }
        int code = siginfo_t.si_code(info);
        int status = info.get(ValueLayout.JAVA_INT, SIFIELDS + 8);
        if (code == CLD_EXITED) {
            return (status & 0xff) << 8;
        }
        if (code == CLD_KILLED) {
            return status & 0x7f;
        }
        if (code == CLD_DUMPED) {
            return (status & 0x7f) | 0x80;
        }
        throw new IllegalStateException("waitid reported si_code " + code);
    }

    /** A raw wait status in words: "exit status 1", "killed by signal 9". */
    public static String describe(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? "exit status " + ((status >> 8) & 0xff) : "killed by signal " + signal;
    }
}
