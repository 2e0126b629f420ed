package io.jiso.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Macros;
import io.jiso.nativegen.libc.siginfo_t;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * waitid's siginfo as waitpid's raw status, built in memory as the kernel
 * fills it (si_code, then si_pid and si_status in the _sigchld member), and
 * read back with the libc macros the verdicts use.
 */
class WaitStatusTest {
    private static final Abi ABI = Abi.current();
    private static final long SIFIELDS =
            siginfo_t.layout().byteOffset(MemoryLayout.PathElement.groupElement("_sifields"));

    private static int status(String code, int pid, int status) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(siginfo_t.layout());
            siginfo_t.si_code(info, code == null ? 0 : ABI.intConstant(code));
            info.set(ValueLayout.JAVA_INT, SIFIELDS, pid);
            info.set(ValueLayout.JAVA_INT, SIFIELDS + 8, status);
            return WaitStatus.fromSiginfo(info);
        }
    }

    @Test
    void anExitIsItsCodeInTheSecondByte() {
        int s = status("CLD_EXITED", 42, 3);
        assertTrue(Macros.wifExited(s) && !Macros.wifSignaled(s));
        assertEquals(3, Macros.wexitStatus(s));
        assertEquals(3 << 8, s);
        assertEquals(0, status("CLD_EXITED", 42, 0));
        assertEquals(255 << 8, status("CLD_EXITED", 42, 0x1ff), "only the low byte of an exit code is kept");
    }

    @Test
    void aKillIsItsSignalAndACoreDumpSetsBit7() {
        int killed = status("CLD_KILLED", 42, 9);
        assertTrue(Macros.wifSignaled(killed));
        assertEquals(9, Macros.wtermSig(killed));
        assertEquals(9, killed);
        int dumped = status("CLD_DUMPED", 42, 11);
        assertTrue(Macros.wifSignaled(dumped));
        assertEquals(11, Macros.wtermSig(dumped));
        assertEquals(11 | 0x80, dumped);
    }

    @Test
    void noChildYetIsMinusOneAndAnotherCodeIsRefused() {
        assertEquals(-1, status("CLD_EXITED", 0, 0), "WNOHANG with no child ended: si_pid stays 0");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> status("CLD_STOPPED", 42, 19));
        assertTrue(e.getMessage().contains("si_code " + ABI.intConstant("CLD_STOPPED")), e.getMessage());
    }

    @Test
    void describedInWords() {
        assertEquals("exit status 0", WaitStatus.describe(0));
        assertEquals("exit status 3", WaitStatus.describe(3 << 8));
        assertEquals("killed by signal 9", WaitStatus.describe(9));
        assertEquals("killed by signal 11", WaitStatus.describe(11 | 0x80));
    }
}
