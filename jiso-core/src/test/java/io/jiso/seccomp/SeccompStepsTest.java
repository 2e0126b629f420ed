package io.jiso.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.SeccompPolicies;
import io.jiso.SeccompPolicy;
import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.sock_filter;
import io.jiso.nativegen.libc.sock_fprog;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The install step as the stage will make it: seccomp(2)'s arguments and the filter in the plan's memory. */
class SeccompStepsTest {

    /** struct sock_filter[n] as {code, jt, jf, k}, every field unsigned as the kernel reads it. */
    private static long[][] instructions(MemorySegment filter, int n) {
        long[][] read = new long[n][];
        for (int i = 0; i < n; i++) {
            MemorySegment s = sock_filter.asSlice(filter, i);
            read[i] = new long[] {
                Short.toUnsignedLong(sock_filter.code(s)),
                Byte.toUnsignedLong(sock_filter.jt(s)),
                Byte.toUnsignedLong(sock_filter.jf(s)),
                Integer.toUnsignedLong(sock_filter.k(s))
            };
        }
        return read;
    }

    @Test
    void oneSeccompCallWhoseSockFprogHoldsTheProgramBitForBit() {
        SeccompProgram program = SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(SeccompPolicy.strict()));
        try (Arena arena = Arena.ofConfined()) {
            StepList steps = new StepList(arena);
            SeccompSteps.install(steps, program);
            List<Decoded> encoded = PlanSteps.of(steps);
            assertEquals(1, encoded.size());
            Decoded call = encoded.getFirst();
            assertEquals(Linux.__NR_seccomp, call.nr());
            assertEquals(Linux.SECCOMP_SET_MODE_FILTER, call.arg(0));
            assertEquals(0, call.arg(1), "no flags");
            assertEquals(-1, call.argFromStep(2));
            assertTrue(call.what().contains(program.size() + " instructions"), call.what());
            MemorySegment prog = PlanSteps.at(call.arg(2), sock_fprog.sizeof());
            assertEquals(program.size(), Short.toUnsignedInt(sock_fprog.len(prog)));
            MemorySegment filter = sock_fprog.filter(prog).reinterpret(program.size() * sock_filter.sizeof());
            assertArrayEquals(program.instructions(), instructions(filter, program.size()));
        }
    }

    @Test
    void theInstalledFilterStillAnswersAsThePolicy() {
        // Read back from the plan's memory and run: what the kernel would get, not what Java holds.
        SeccompProgram program = SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(SeccompPolicy.defaultPolicy()));
        try (Arena arena = Arena.ofConfined()) {
            StepList steps = new StepList(arena);
            SeccompSteps.install(steps, program);
            MemorySegment prog = PlanSteps.at(PlanSteps.of(steps).getFirst().arg(2), sock_fprog.sizeof());
            int n = Short.toUnsignedInt(sock_fprog.len(prog));
            long[][] read = instructions(sock_fprog.filter(prog).reinterpret(n * sock_filter.sizeof()), n);
            Abi abi = Abi.current();
            BpfInterpreter bpf = new BpfInterpreter(abi);
            bpf.validate(read);
            assertEquals(
                    Linux.SECCOMP_RET_ERRNO | Linux.EPERM,
                    bpf.run(read, abi.syscall("mount"), abi.auditArch(), new long[6]));
            assertEquals(Linux.SECCOMP_RET_ALLOW, bpf.run(read, abi.syscall("read"), abi.auditArch(), new long[6]));
        }
    }

    @Test
    void aFilterForAnotherArchitectureIsRefusedNamingBoth() {
        String other = Abi.current().arch().equals("x86_64") ? "aarch64" : "x86_64";
        SeccompProgram foreign =
                SeccompCompiler.compile(SeccompPolicies.rulesOf(SeccompPolicy.strict()), Abi.of(other));
        try (Arena arena = Arena.ofConfined()) {
            StepList steps = new StepList(arena);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> SeccompSteps.install(steps, foreign));
            assertTrue(
                    e.getMessage().contains(other)
                            && e.getMessage().contains(Abi.current().arch()),
                    e.getMessage());
            assertEquals(0, steps.size(), "nothing is added");
        }
    }
}
