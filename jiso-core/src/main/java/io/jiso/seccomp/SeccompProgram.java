package io.jiso.seccomp;

import java.util.Arrays;

/**
 * A compiled seccomp filter: classic BPF instructions for one architecture,
 * each {code, jt, jf, k} as in struct sock_filter.
 */
public final class SeccompProgram {
    private final String arch;
    private final long[][] instructions;

    SeccompProgram(String arch, long[][] instructions) {
        this.arch = arch;
        this.instructions = instructions;
    }

    /** The kernel name of the architecture it was compiled for ({@code x86_64}, {@code aarch64}). */
    public String arch() {
        return arch;
    }

    public int size() {
        return instructions.length;
    }

    /** Instruction i as {code, jt, jf, k}; a copy. */
    public long[] instruction(int i) {
        return instructions[i].clone();
    }

    /** All instructions; a copy. */
    public long[][] instructions() {
        long[][] copy = new long[instructions.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = instructions[i].clone();
        }
        return copy;
    }

    @Override
    public String toString() {
        return "SeccompProgram[" + arch + ", " + instructions.length + " instructions]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompProgram p && p.arch.equals(arch) && Arrays.deepEquals(p.instructions, instructions);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(instructions);
    }
}
