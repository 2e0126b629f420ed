package io.jiso.cgroup;

import static io.jiso.nativegen.Macros.bpfInsn;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.bpf_attr;
import io.jiso.nativegen.libc.bpf_cgroup_dev_ctx;
import io.jiso.plan.SetupFailure;
import io.jiso.sys.Sys;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cgroup v2 device controller is a program: jiso compiles device rules to
 * a BPF_PROG_TYPE_CGROUP_DEVICE program, loads it once per rule list, and
 * attaches it to each leaf. Anything no rule allows (opening, or creating with
 * mknod) fails with EPERM, also for root and whatever the mount flags say.
 * The v1 way is a list: {@link DeviceAllowList}.
 */
public final class DeviceFilter {
    private DeviceFilter() {}

    private static final int LDX_MEM_W = Linux.BPF_LDX | Linux.BPF_MEM | Linux.BPF_W;
    private static final int ALU64 = Linux.BPF_ALU64;
    private static final int MOV_REG = ALU64 | Linux.BPF_MOV | Linux.BPF_X;
    private static final int MOV_IMM = ALU64 | Linux.BPF_MOV | Linux.BPF_K;
    private static final int AND_IMM = ALU64 | Linux.BPF_AND | Linux.BPF_K;
    private static final int RSH_IMM = ALU64 | Linux.BPF_RSH | Linux.BPF_K;
    private static final int JNE_IMM = Linux.BPF_JMP | Linux.BPF_JNE | Linux.BPF_K;
    private static final int EXIT = Linux.BPF_JMP | Linux.BPF_EXIT;
    private static final int DEV_BLOCK = Linux.BPF_DEVCG_DEV_BLOCK;
    private static final int DEV_CHAR = Linux.BPF_DEVCG_DEV_CHAR;
    private static final int ACC_MKNOD = Linux.BPF_DEVCG_ACC_MKNOD;
    private static final int ACC_READ = Linux.BPF_DEVCG_ACC_READ;
    private static final int ACC_WRITE = Linux.BPF_DEVCG_ACC_WRITE;
    private static final long ACCESS_TYPE = offset("access_type");
    private static final long MAJOR = offset("major");
    private static final long MINOR = offset("minor");
    // Registers: r1 is the context; r2 type, r3 access, r4 major, r5 minor; r0 the verdict.
    private static final int R0 = 0, R1 = 1, TYPE = 2, ACCESS = 3, MAJOR_REG = 4, MINOR_REG = 5, SCRATCH = 6;

    private static final Map<List<AllowedDevice>, Integer> LOADED = new ConcurrentHashMap<>();

    private static long offset(String field) {
        return bpf_cgroup_dev_ctx.layout().byteOffset(PathElement.groupElement(field));
    }

    /** The program for these rules: allow (1) if one matches, else deny (0). */
    static long[] compile(List<AllowedDevice> rules) {
        List<Long> p = new ArrayList<>();
        p.add(bpfInsn(LDX_MEM_W, TYPE, R1, (int) ACCESS_TYPE, 0));
        p.add(bpfInsn(MOV_REG, ACCESS, TYPE, 0, 0));
        p.add(bpfInsn(AND_IMM, TYPE, 0, 0, 0xFFFF)); // low half: the device type
        p.add(bpfInsn(RSH_IMM, ACCESS, 0, 0, 16)); // high half: the access asked for
        p.add(bpfInsn(LDX_MEM_W, MAJOR_REG, R1, (int) MAJOR, 0));
        p.add(bpfInsn(LDX_MEM_W, MINOR_REG, R1, (int) MINOR, 0));
        for (AllowedDevice r : rules) {
            List<long[]> checks = new ArrayList<>(); // {code, dst, imm} of "skip this rule unless"
            if (r.type() != 'a') {
                checks.add(new long[] {JNE_IMM, TYPE, r.type() == 'c' ? DEV_CHAR : DEV_BLOCK});
            }
            if (r.major() != AllowedDevice.ANY) {
                checks.add(new long[] {JNE_IMM, MAJOR_REG, r.major()});
            }
            if (r.minor() != AllowedDevice.ANY) {
                checks.add(new long[] {JNE_IMM, MINOR_REG, r.minor()});
            }
            // The access asked for must be within the rule's: (asked & ~allowed) == 0.
            int denied = ~accessBits(r.access()) & (ACC_MKNOD | ACC_READ | ACC_WRITE);
            // A jump's offset counts from the next instruction; a failed check skips to the next rule.
            int size = checks.size() + (denied != 0 ? 3 : 0) + 2;
            int at = 0;
            for (long[] c : checks) {
                p.add(bpfInsn((int) c[0], (int) c[1], 0, size - at - 1, (int) c[2]));
                at++;
            }
            if (denied != 0) {
                p.add(bpfInsn(MOV_REG, SCRATCH, ACCESS, 0, 0));
                p.add(bpfInsn(AND_IMM, SCRATCH, 0, 0, denied));
                p.add(bpfInsn(JNE_IMM, SCRATCH, 0, size - (at + 2) - 1, 0));
            }
            p.add(bpfInsn(MOV_IMM, R0, 0, 0, 1));
            p.add(bpfInsn(EXIT, 0, 0, 0, 0));
        }
        p.add(bpfInsn(MOV_IMM, R0, 0, 0, 0));
        p.add(bpfInsn(EXIT, 0, 0, 0, 0));
        return p.stream().mapToLong(Long::longValue).toArray();
    }

    private static int accessBits(String access) {
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= c == 'r' ? ACC_READ : c == 'w' ? ACC_WRITE : ACC_MKNOD;
        }
        return bits;
    }

    /** Attaches the program for rules to a v2 cgroup directory (loaded on first use, then kept). */
    public static void attach(int cgroupDirFd, List<AllowedDevice> rules) throws SetupFailure {
        List<AllowedDevice> key = List.copyOf(rules);
        Integer prog = LOADED.get(key);
        if (prog == null) {
            prog = load(key);
            Integer raced = LOADED.putIfAbsent(key, prog);
            if (raced != null) {
                Sys.close(prog);
                prog = raced;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(bpf_attr.layout());
            bpf_attr.target_fd(attr, cgroupDirFd);
            bpf_attr.attach_bpf_fd(attr, prog);
            bpf_attr.attach_type(attr, Linux.BPF_CGROUP_DEVICE);
            Sys.bpf(Linux.BPF_PROG_ATTACH, attr, "attach the device filter to the cgroup leaf");
        }
    }

    private static int load(List<AllowedDevice> rules) throws SetupFailure {
        long[] insns = compile(rules);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocateFrom(ValueLayout.JAVA_LONG, insns);
            MemorySegment attr = arena.allocate(bpf_attr.layout());
            bpf_attr.prog_type(attr, Linux.BPF_PROG_TYPE_CGROUP_DEVICE);
            bpf_attr.insn_cnt(attr, insns.length);
            bpf_attr.insns(attr, code.address());
            bpf_attr.license(attr, arena.allocateFrom("GPL").address());
            return (int) Sys.bpf(Linux.BPF_PROG_LOAD, attr, "load the device filter (" + rules.size() + " rules)");
        }
    }
}
