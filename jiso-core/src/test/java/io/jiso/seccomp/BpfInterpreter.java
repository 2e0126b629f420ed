package io.jiso.seccomp;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.libc.seccomp_data;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic BPF interpreter for seccomp programs, written from the kernel's
 * rules (net/core/filter.c, kernel/seccomp.c) and independent of the
 * compiler: it runs a program on one seccomp_data and returns the 32-bit
 * verdict. It also checks what the kernel would refuse at install time:
 * unknown opcodes, loads outside seccomp_data or unaligned, jumps out of the
 * program, a program not ending in a return, more than BPF_MAXINSNS.
 */
final class BpfInterpreter {
    private final Abi abi;
    private final int ld;
    private final int and;
    private final int ja;
    private final int jeq;
    private final int jgt;
    private final int jge;
    private final int jset;
    private final int ret;
    /** Instructions executed by the last run, to check the dispatch is short. */
    int executed;

    BpfInterpreter(Abi abi) {
        this.abi = abi;
        ld = c("BPF_LD") | c("BPF_W") | c("BPF_ABS");
        and = c("BPF_ALU") | c("BPF_AND") | c("BPF_K");
        ja = c("BPF_JMP") | c("BPF_JA");
        jeq = c("BPF_JMP") | c("BPF_JEQ") | c("BPF_K");
        jgt = c("BPF_JMP") | c("BPF_JGT") | c("BPF_K");
        jge = c("BPF_JMP") | c("BPF_JGE") | c("BPF_K");
        jset = c("BPF_JMP") | c("BPF_JSET") | c("BPF_K");
        ret = c("BPF_RET") | c("BPF_K");
    }

    private int c(String name) {
        return abi.intConstant(name);
    }

    /** What the kernel would check when the filter is installed. */
    void validate(long[][] prog) {
        if (prog.length == 0 || prog.length > c("BPF_MAXINSNS")) {
            throw new AssertionError("bad length " + prog.length);
        }
        for (int pc = 0; pc < prog.length; pc++) {
            long[] in = prog[pc];
            int code = (int) in[0];
            if (in[1] < 0 || in[1] > 255 || in[2] < 0 || in[2] > 255 || in[3] < 0 || in[3] > 0xFFFF_FFFFL) {
                throw new AssertionError(pc + ": field out of range");
            }
            if (code == ld) {
                if (in[3] % 4 != 0 || in[3] + 4 > seccomp_data.sizeof()) {
                    throw new AssertionError(pc + ": load outside seccomp_data: " + in[3]);
                }
            } else if (code == ja) {
                if (pc + 1 + in[3] >= prog.length) {
                    throw new AssertionError(pc + ": ja out of the program");
                }
            } else if (code == jeq || code == jgt || code == jge || code == jset) {
                if (pc + 1 + Math.max(in[1], in[2]) >= prog.length) {
                    throw new AssertionError(pc + ": jump out of the program");
                }
            } else if (code != and && code != ret) {
                throw new AssertionError(pc + ": opcode the compiler should not emit: " + code);
            }
        }
        if ((int) prog[prog.length - 1][0] != ret) {
            throw new AssertionError("the program does not end in a return");
        }
    }

    int run(long[][] prog, int nr, int arch, long[] args) {
        ByteBuffer data = ByteBuffer.allocate((int) seccomp_data.sizeof()).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt((int) seccomp_data.nr$offset(), nr);
        data.putInt((int) seccomp_data.arch$offset(), arch);
        data.putLong((int) seccomp_data.instruction_pointer$offset(), 0x4000_1000L);
        for (int i = 0; i < 6; i++) {
            data.putLong((int) seccomp_data.args$offset() + 8 * i, i < args.length ? args[i] : 0);
        }
        int a = 0;
        executed = 0;
        int pc = 0;
        while (true) {
            long[] in = prog[pc];
            int code = (int) in[0];
            int k = (int) in[3];
            executed++;
            if (code == ret) {
                return k;
            } else if (code == ld) {
                a = data.getInt(k);
                pc++;
            } else if (code == and) {
                a &= k;
                pc++;
            } else if (code == ja) {
                pc += 1 + k;
            } else {
                boolean taken;
                if (code == jeq) {
                    taken = a == k;
                } else if (code == jgt) {
                    taken = Integer.compareUnsigned(a, k) > 0;
                } else if (code == jge) {
                    taken = Integer.compareUnsigned(a, k) >= 0;
                } else if (code == jset) {
                    taken = (a & k) != 0;
                } else {
                    throw new AssertionError(pc + ": unknown opcode " + code);
                }
                pc += 1 + (int) (taken ? in[1] : in[2]);
            }
        }
    }
}
