package io.jiso.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.DeviceRule;
import io.jiso.nativegen.Linux;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cgroup v2 device program as data: run by a small eBPF interpreter of
 * the instructions it uses, over the context the kernel passes
 * (struct bpf_cgroup_dev_ctx: access_type = access << 16 | type, major,
 * minor), so every rule's meaning is checked without loading it
 * (CgroupDeviceListTest and the kernel tests load and attach it).
 */
class DeviceFilterProgramTest {
    private static final int CHAR = Linux.BPF_DEVCG_DEV_CHAR;
    private static final int BLOCK = Linux.BPF_DEVCG_DEV_BLOCK;
    private static final int READ = Linux.BPF_DEVCG_ACC_READ;
    private static final int WRITE = Linux.BPF_DEVCG_ACC_WRITE;
    private static final int MKNOD = Linux.BPF_DEVCG_ACC_MKNOD;

    /**
     * Runs program on one access; true if it allows it. Only what a device
     * program may do is accepted: loads from the context in r1, 64-bit ALU
     * on registers set before, forward jumps inside the program, an exit
     * with r0 set.
     */
    static boolean allows(long[] program, int type, int access, long major, long minor) {
        long[] ctx = {(long) access << 16 | type, major, minor};
        Long[] r = new Long[11];
        r[1] = -1L; // the context pointer: only loads from it are allowed
        for (int pc = 0, steps = 0; ; pc++, steps++) {
            if (pc < 0 || pc >= program.length || steps > program.length) {
                throw new AssertionError("pc " + pc + " outside the program, or a loop");
            }
            long insn = program[pc];
            int code = (int) (insn & 0xFF);
            int dst = (int) (insn >> 8 & 0xF);
            int src = (int) (insn >> 12 & 0xF);
            int off = (short) (insn >> 16);
            long imm = (int) (insn >> 32);
            int cls = code & 0x07;
            if (code == (Linux.BPF_LDX | Linux.BPF_MEM | Linux.BPF_W)) {
                if (src != 1 || off % 4 != 0 || off < 0 || off / 4 >= ctx.length) {
                    throw new AssertionError("load from r" + src + "+" + off);
                }
                r[dst] = ctx[off / 4] & 0xFFFF_FFFFL;
            } else if (cls == Linux.BPF_ALU64) {
                int op = code & 0xF0;
                boolean fromReg = (code & Linux.BPF_X) != 0;
                long operand = fromReg ? read(r, src) : imm;
                if (op == Linux.BPF_MOV) {
                    r[dst] = operand;
                } else if (op == Linux.BPF_AND) {
                    r[dst] = read(r, dst) & operand;
                } else if (op == Linux.BPF_RSH) {
                    r[dst] = read(r, dst) >>> operand;
                } else {
                    throw new AssertionError("ALU op " + op);
                }
            } else if (code == (Linux.BPF_JMP | Linux.BPF_JNE | Linux.BPF_K)) {
                if (off < 0) {
                    throw new AssertionError("a backward jump at " + pc);
                }
                if (read(r, dst) != imm) {
                    pc += off;
                }
            } else if (code == (Linux.BPF_JMP | Linux.BPF_EXIT)) {
                long verdict = read(r, 0);
                if (verdict != 0 && verdict != 1) {
                    throw new AssertionError("verdict " + verdict);
                }
                return verdict == 1;
            } else {
                throw new AssertionError("instruction " + Integer.toHexString(code) + " at " + pc);
            }
        }
    }

    private static long read(Long[] r, int reg) {
        if (r[reg] == null || reg == 1) {
            throw new AssertionError("r" + reg + " read before it was set");
        }
        return r[reg];
    }

    private static long[] program(String... rules) {
        return DeviceFilter.compile(List.of(rules).stream()
                .map(DeviceRule::parse)
                .map(r -> new AllowedDevice(r.type(), r.major(), r.minor(), r.access()))
                .toList());
    }

    @Test
    void withoutRulesNothingIsAllowed() {
        long[] p = program();
        assertFalse(allows(p, CHAR, READ, 1, 3));
        assertFalse(allows(p, BLOCK, MKNOD, 8, 0));
    }

    @Test
    void theMinimalDevIsUsableAndNothingElse() {
        long[] p = DeviceFilter.compile(AllowedDevice.MINIMAL);
        for (long[] dev :
                new long[][] {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, 0}, {136, 4095}}) {
            assertTrue(allows(p, CHAR, READ | WRITE, dev[0], dev[1]), dev[0] + ":" + dev[1]);
            assertTrue(allows(p, CHAR, MKNOD, dev[0], dev[1]), dev[0] + ":" + dev[1]);
        }
        assertFalse(allows(p, CHAR, READ, 1, 1), "/dev/mem");
        assertFalse(allows(p, CHAR, READ, 1, 4), "/dev/port");
        assertFalse(allows(p, CHAR, READ, 5, 1), "/dev/console");
        assertFalse(allows(p, BLOCK, READ, 1, 3), "the same numbers as a block device are another device");
        assertFalse(allows(p, BLOCK, READ | WRITE, 8, 0), "a disk");
        assertFalse(allows(p, CHAR, READ, 137, 0));
    }

    @Test
    void anAccessIsAllowedOnlyIfEveryPartOfItIs() {
        long[] p = program("c 1:3 r");
        assertTrue(allows(p, CHAR, READ, 1, 3));
        assertFalse(allows(p, CHAR, WRITE, 1, 3));
        assertFalse(allows(p, CHAR, READ | WRITE, 1, 3), "read and write together needs both");
        assertFalse(allows(p, CHAR, MKNOD, 1, 3));
        long[] rm = program("c 1:3 rm");
        assertTrue(allows(rm, CHAR, MKNOD, 1, 3));
        assertTrue(allows(rm, CHAR, READ, 1, 3));
        assertFalse(allows(rm, CHAR, READ | WRITE, 1, 3));
    }

    @Test
    void bothTypesAndAnyNumberMatchWhatTheySay() {
        long[] p = program("a 8:* rw", "b *:* m");
        assertTrue(allows(p, CHAR, READ, 8, 1));
        assertTrue(allows(p, BLOCK, WRITE, 8, 16));
        assertFalse(allows(p, CHAR, MKNOD, 8, 1), "a: both types, not every access");
        assertTrue(allows(p, BLOCK, MKNOD, 259, 7), "any block device may be made");
        assertFalse(allows(p, BLOCK, READ, 259, 7), "but not opened");
        assertFalse(allows(p, CHAR, MKNOD, 259, 7));
    }

    @Test
    void aRuleThatDoesNotMatchFallsThroughToTheNext() {
        long[] p = program("c 1:3 r", "c 1:5 w", "c 10:200 rwm");
        assertTrue(allows(p, CHAR, WRITE, 1, 5));
        assertTrue(allows(p, CHAR, READ | WRITE | MKNOD, 10, 200), "/dev/net/tun, the last rule");
        assertFalse(allows(p, CHAR, WRITE, 1, 3));
        assertFalse(allows(p, CHAR, READ, 10, 201));
    }

    @Test
    void everyRuleIsOneBlockEndingInAllowAndTheProgramEndsInDeny() {
        long[] none = program();
        assertEquals(6 + 2, none.length, "the context loads, then deny");
        long[] full = program("c 1:3 rwm");
        assertEquals(none.length + 3 + 2, full.length, "three checks and allow: no access check for rwm");
        long[] read = program("c 1:3 r");
        assertEquals(full.length + 3, read.length, "the access check");
        long[] any = program("a *:* r");
        assertEquals(none.length + 3 + 2, any.length, "no type or number check for a, *, *");
    }
}
