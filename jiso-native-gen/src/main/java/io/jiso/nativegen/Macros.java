package io.jiso.nativegen;

/**
 * Function-like macros of the Linux and libc headers, which jextract cannot
 * emit. Hand-written once, here, next to the generated bindings; each follows
 * the header it names.
 */
public final class Macros {
    private Macros() {}

    /** linux/filter.h BPF_STMT: a classic BPF instruction without jumps, as {code, jt, jf, k}. */
    public static long[] bpfStmt(int code, int k) {
        return new long[] {code & 0xFFFF, 0, 0, k & 0xFFFF_FFFFL};
    }

    /** linux/filter.h BPF_JUMP: a conditional classic BPF instruction. */
    public static long[] bpfJump(int code, int k, int jt, int jf) {
        if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
            throw new IllegalArgumentException("BPF jump offsets must be 0..255: jt=" + jt + " jf=" + jf);
        }
        return new long[] {code & 0xFFFF, jt, jf, k & 0xFFFF_FFFFL};
    }

    /**
     * linux/bpf.h struct bpf_insn, an eBPF instruction, as the 8 bytes the
     * kernel reads (little-endian): code, dst_reg in the low and src_reg in the
     * high nibble (bitfields, which jextract cannot emit), off, imm.
     */
    public static long bpfInsn(int code, int dst, int src, int off, int imm) {
        if (dst < 0 || dst > 10 || src < 0 || src > 10 || off != (short) off) {
            throw new IllegalArgumentException("bad eBPF instruction: dst=" + dst + " src=" + src + " off=" + off);
        }
        return (code & 0xFFL) | ((long) (dst | src << 4) << 8) | ((off & 0xFFFFL) << 16) | ((imm & 0xFFFF_FFFFL) << 32);
    }

    /** linux/capability.h CAP_TO_INDEX: which 32-bit word of a capability set holds cap. */
    public static int capToIndex(int cap) {
        return cap >> 5;
    }

    /** linux/capability.h CAP_TO_MASK: the bit of cap within its word. */
    public static int capToMask(int cap) {
        return 1 << (cap & 31);
    }

    /** sys/wait.h WIFEXITED. */
    public static boolean wifExited(int status) {
        return (status & 0x7f) == 0;
    }

    /** sys/wait.h WEXITSTATUS. */
    public static int wexitStatus(int status) {
        return (status >> 8) & 0xff;
    }

    /** sys/wait.h WIFSIGNALED. */
    public static boolean wifSignaled(int status) {
        return ((byte) ((status & 0x7f) + 1) >> 1) > 0;
    }

    /** sys/wait.h WTERMSIG. */
    public static int wtermSig(int status) {
        return status & 0x7f;
    }

    /** sys/sysmacros.h makedev, glibc's encoding of a device number. */
    public static long makedev(long major, long minor) {
        return ((major & 0x00000fffL) << 8)
                | ((major & 0xfffff000L) << 32)
                | (minor & 0x000000ffL)
                | ((minor & 0xffffff00L) << 12);
    }
}
