package io.jiso.seccomp;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.sock_filter;
import io.jiso.nativegen.libc.sock_fprog;
import io.jiso.plan.StepList;
import java.lang.foreign.MemorySegment;

/**
 * Installs a compiled filter in the child: the program and its sock_fprog go
 * into the plan's memory, and one step calls
 * {@code seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)}.
 *
 * <p>The kernel accepts the filter only from a process with no_new_privs set
 * or with CAP_SYS_ADMIN in its user namespace; jiso sets no_new_privs first
 * (CapabilitySteps). The filter applies to every step after it, so it must be
 * the last step before execve, and the policy must allow what those steps
 * call (execve at least; the built-in policies do).
 */
public final class SeccompSteps {
    private SeccompSteps() {}

    private static final Abi ABI = Abi.current();
    private static final int SECCOMP = Linux.__NR_seccomp;
    private static final int SET_MODE_FILTER = Linux.SECCOMP_SET_MODE_FILTER;

    /** Adds the install step. */
    public static StepList.Step install(StepList steps, SeccompProgram program) {
        if (!program.arch().equals(ABI.arch())) {
            throw new IllegalArgumentException(
                    "a filter compiled for " + program.arch() + " cannot be installed on " + ABI.arch());
        }
        int n = program.size();
        MemorySegment filter = sock_filter.allocateArray(n, steps.memory());
        for (int i = 0; i < n; i++) {
            long[] in = program.instruction(i);
            MemorySegment s = sock_filter.asSlice(filter, i);
            sock_filter.code(s, (short) in[0]);
            sock_filter.jt(s, (byte) in[1]);
            sock_filter.jf(s, (byte) in[2]);
            sock_filter.k(s, (int) in[3]);
        }
        MemorySegment prog = steps.allocate(sock_fprog.layout());
        sock_fprog.len(prog, (short) n); // unsigned short; n <= BPF_MAXINSNS
        sock_fprog.filter(prog, filter);
        return steps.call(
                "install the seccomp filter (" + n + " instructions)", SECCOMP, SET_MODE_FILTER, 0, prog.address());
    }
}
