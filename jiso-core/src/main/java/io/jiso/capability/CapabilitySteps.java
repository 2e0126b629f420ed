package io.jiso.capability;

import static io.jiso.nativegen.Linux.EINVAL;
import static io.jiso.nativegen.Linux.PR_CAPBSET_DROP;
import static io.jiso.nativegen.Linux.PR_CAP_AMBIENT;
import static io.jiso.nativegen.Linux.PR_CAP_AMBIENT_CLEAR_ALL;
import static io.jiso.nativegen.Linux.PR_CAP_AMBIENT_RAISE;
import static io.jiso.nativegen.Linux.PR_SET_NO_NEW_PRIVS;
import static io.jiso.nativegen.Linux.PR_SET_SECUREBITS;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.Macros;
import io.jiso.nativegen.libc.__user_cap_data_struct;
import io.jiso.nativegen.libc.__user_cap_header_struct;
import io.jiso.plan.StepList;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Drops privileges in the child, in the one order that works:
 * <ol>
 * <li>bounding set: PR_CAPBSET_DROP every capability not kept, so that no
 * execve (setuid root, file capabilities) can bring one back. Needs
 * CAP_SETPCAP, so it goes first;</li>
 * <li>securebits, locked: NOROOT (uid 0 gains nothing at execve), setuid
 * fixups and keep-caps locked; KEEP_CAPS on while a non-root uid is taken
 * with capabilities to keep (this is PR_SET_KEEPCAPS, set in the same call);
 * ambient raising off and locked when nothing is kept. Needs CAP_SETPCAP;</li>
 * <li>identity (setgroups, setresgid, setresuid; IdentitySteps). Needs
 * CAP_SETUID/CAP_SETGID; leaving uid 0 clears the effective and ambient
 * sets and, without KEEP_CAPS, the permitted one;</li>
 * <li>capset: permitted = effective = inheritable = the kept set (the
 * effective set has to be raised again after the uid change);</li>
 * <li>ambient: cleared, then each kept capability raised (needs it in
 * permitted and inheritable, hence after capset), so that it survives the
 * execve of an ordinary program;</li>
 * <li>PR_SET_NO_NEW_PRIVS.</li>
 * </ol>
 * Everything that needs privileges (mounts, hostname, /proc writes, setns)
 * must come before; Landlock and then the seccomp filter come after.
 */
public final class CapabilitySteps {
    private CapabilitySteps() {}

    private static final int PRCTL = Linux.__NR_prctl;
    private static final int CAPSET = Linux.__NR_capset;
    private static final int VERSION_3 = Linux._LINUX_CAPABILITY_VERSION_3;
    private static final int WORDS = Linux._LINUX_CAPABILITY_U32S_3;

    /** Identity, capabilities and no_new_privs, in order (see the class comment), where CAP_SETPCAP is held. */
    public static void dropPrivileges(StepList steps, PrivilegeSpec spec, boolean canSetGroups) {
        dropPrivileges(steps, spec, canSetGroups, true);
    }

    /**
     * As above; without CAP_SETPCAP (canSetPcap false: a JVM that is not root,
     * and a child that shares its user namespace) the bounding set and the
     * securebits cannot be changed and are left as they are. no_new_privs, which
     * HeldCapabilities requires then, keeps execve from granting what they allow.
     */
    public static void dropPrivileges(StepList steps, PrivilegeSpec spec, boolean canSetGroups, boolean canSetPcap) {
        if (canSetPcap) {
            dropBoundingSet(steps, spec.keep());
            steps.call(
                    "set securebits " + Integer.toHexString(securebits(spec)),
                    PRCTL,
                    PR_SET_SECUREBITS,
                    securebits(spec));
        }
        IdentitySteps.change(steps, spec.uid(), spec.gid(), spec.groups(), canSetGroups);
        setCapabilities(steps, spec.keep());
        steps.call("clear the ambient capabilities", PRCTL, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
        for (KernelCapability c : spec.keep()) {
            steps.call("raise ambient " + c, PRCTL, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c.value());
        }
        if (spec.noNewPrivs()) {
            steps.call("set no_new_privs", PRCTL, PR_SET_NO_NEW_PRIVS, 1);
        }
    }

    /**
     * Every capability the running kernel has, not only those this enum
     * knows: a newer kernel's capabilities are dropped too. Its last one is
     * read once from /proc/sys/kernel/cap_last_cap; without that file, every
     * number a capset can express is tried, and those past the kernel's last
     * fail with EINVAL, which is fine.
     */
    private static void dropBoundingSet(StepList steps, Set<KernelCapability> keep) {
        boolean[] kept = new boolean[BOUNDING_DROPS.length];
        keep.stream().filter(c -> c.value() < kept.length).forEach(c -> kept[c.value()] = true);
        for (int cap = 0; cap < kept.length; cap++) {
            if (!kept[cap]) {
                steps.call(BOUNDING_DROPS[cap], PRCTL, PR_CAPBSET_DROP, cap).tolerate(EINVAL);
            }
        }
    }

    /** The bounding-set steps' descriptions, by capability number, up to the kernel's last. */
    private static final String[] BOUNDING_DROPS = IntStream.rangeClosed(0, lastCapability())
            .mapToObj(cap -> "drop capability " + cap + " from the bounding set")
            .toArray(String[]::new);

    private static int lastCapability() {
        try {
            // Not Files.readString: on this project's JDK 25 and kernel it returned "4" for this file,
            // which holds "40" (procfs reports size 0); Sys.readFile reads to the end.
            return Math.min(
                    32 * WORDS - 1,
                    Integer.parseInt(
                            Sys.readFile("/proc/sys/kernel/cap_last_cap").strip()));
        } catch (IOException | RuntimeException e) {
            return 32 * WORDS - 1;
        }
    }

    static int securebits(PrivilegeSpec spec) {
        int bits = Linux.SECBIT_NOROOT
                | Linux.SECBIT_NOROOT_LOCKED
                | Linux.SECBIT_NO_SETUID_FIXUP_LOCKED
                | Linux.SECBIT_KEEP_CAPS_LOCKED;
        if (!spec.keep().isEmpty() && spec.uid() != 0) {
            bits |= Linux.SECBIT_KEEP_CAPS; // cleared by the kernel at execve
        }
        if (spec.keep().isEmpty()) {
            bits |= Linux.SECBIT_NO_CAP_AMBIENT_RAISE | Linux.SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
        }
        return bits;
    }

    /** capset(version 3 header, two data words) with the kept set in permitted, effective and inheritable. */
    private static void setCapabilities(StepList steps, Set<KernelCapability> keep) {
        MemorySegment header = steps.allocate(__user_cap_header_struct.layout());
        __user_cap_header_struct.version(header, VERSION_3);
        __user_cap_header_struct.pid(header, 0);
        MemorySegment data = __user_cap_data_struct.allocateArray(WORDS, steps.memory());
        int[] words = masks(keep);
        for (int i = 0; i < WORDS; i++) {
            MemorySegment d = __user_cap_data_struct.asSlice(data, i);
            __user_cap_data_struct.permitted(d, words[i]);
            __user_cap_data_struct.effective(d, words[i]);
            __user_cap_data_struct.inheritable(d, words[i]);
        }
        steps.call("set capabilities to " + (keep.isEmpty() ? "none" : keep), CAPSET, header.address(), data.address());
    }

    /** The kept set as capset's 32-bit words. */
    static int[] masks(Set<KernelCapability> keep) {
        int[] words = new int[WORDS];
        for (KernelCapability c : keep) {
            words[Macros.capToIndex(c.value())] |= Macros.capToMask(c.value());
        }
        return words;
    }
}
