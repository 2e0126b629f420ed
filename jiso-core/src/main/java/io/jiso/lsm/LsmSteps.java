package io.jiso.lsm;

import static io.jiso.nativegen.Linux.O_CLOEXEC;
import static io.jiso.nativegen.Linux.O_WRONLY;
import static io.jiso.plan.Syscalls.AT_FDCWD;
import static io.jiso.plan.Syscalls.CLOSE;
import static io.jiso.plan.Syscalls.OPENAT;
import static io.jiso.plan.Syscalls.WRITE;

import io.jiso.plan.StepList;
import java.lang.foreign.MemorySegment;

/**
 * The main process's request for an LSM label on its execve: AppArmor's
 * "exec &lt;profile&gt;" (what aa_change_onexec writes) or an SELinux context,
 * written in one write(2) to the process's exec attribute. The kernel refuses
 * an unknown profile or a context the policy does not allow with the write's
 * errno, which the error then names.
 */
public final class LsmSteps {
    private LsmSteps() {}

    /** Confine the next program in this AppArmor profile. */
    public static void appArmorOnExec(StepList steps, String profile) {
        writeAttribute(
                steps,
                LsmSupport.appArmorExecFile(),
                "exec " + profile,
                "apply AppArmor profile " + profile + " on exec");
    }

    /** Run the next program with this SELinux context. */
    public static void selinuxOnExec(StepList steps, String label) {
        writeAttribute(steps, LsmSupport.SHARED_EXEC, label, "apply SELinux label " + label + " on exec");
    }

    private static void writeAttribute(StepList steps, String file, String content, String what) {
        StepList.Step open = steps.call(
                what + " (open " + file + ")", OPENAT, AT_FDCWD, steps.cStringAddress(file), O_WRONLY | O_CLOEXEC, 0);
        MemorySegment data = steps.cString(content);
        steps.call(what, WRITE, 0, data.address(), data.byteSize() - 1).argFromStep(0, open);
        steps.call(what + " (close " + file + ")", CLOSE, 0).argFromStep(0, open);
    }
}
