package io.jiso.plan;

import io.jiso.nativegen.libc.jiso_step;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: a StepList read back the way the native stage reads it, from
 * the encoded struct jiso_step array, so that a unit test can check the
 * system calls, arguments, result passing and tolerated errnos a concern's
 * steps will make, and the memory their pointers lead to, without running
 * them.
 */
public final class EncodedSteps {
    private EncodedSteps() {}

    /** One step as the stage sees it. */
    public record Encoded(int index, String what, long nr, long[] args, int resultArgs, long toleratedErrnos) {
        public long arg(int i) {
            return args[i];
        }

        /** The index of the earlier step whose result is argument i, or -1 if it is a plain value. */
        public int argFromStep(int i) {
            return (resultArgs & (1 << i)) != 0 ? (int) args[i] : -1;
        }

        public boolean tolerates(int errno) {
            return (toleratedErrnos & (1L << errno)) != 0;
        }
    }

    public static List<Encoded> of(StepList steps) {
        MemorySegment array = steps.encode();
        List<Encoded> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            MemorySegment s = jiso_step.asSlice(array, i);
            long[] args = new long[StepList.MAX_ARGS];
            for (int a = 0; a < args.length; a++) {
                args[a] = jiso_step.arg(s, a);
            }
            out.add(new Encoded(
                    i,
                    steps.describe(i),
                    jiso_step.nr(s),
                    args,
                    jiso_step.result_args(s),
                    jiso_step.tolerated_errnos(s)));
        }
        return out;
    }

    /** size bytes at address, which a step argument holds (the plan's memory is still open). */
    public static MemorySegment at(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    /** The NUL-terminated string at address. */
    public static String string(long address) {
        return MemorySegment.ofAddress(address).reinterpret(Integer.MAX_VALUE).getString(0);
    }
}
