package io.jiso.plan;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.libc.jiso_step;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support: a step list read back as data, from the struct jiso_step
 * array the stage would run (StepList.encode), so that a test of one
 * concern's steps asserts what the child will do, without running it.
 */
public final class PlanSteps {
    private PlanSteps() {}

    private static final Map<Long, String> NAMES = new HashMap<>();

    static {
        Abi.current().syscalls().forEach((name, nr) -> NAMES.put((long) nr, name));
    }

    /**
     * One encoded step: the system call's name ("mount", or "op N" for a
     * stage operation) and number, its six arguments, which of them are results of
     * earlier steps (bit i: argument i), the errnos it tolerates (bit n:
     * errno n) and its description.
     */
    public record Decoded(
            int index, String call, long nr, long[] args, int resultArgs, long toleratedErrnos, String what) {
        public long arg(int i) {
            return args[i];
        }

        /** The index of the earlier step whose result is argument i, or -1 if it is a plain value. */
        public int argFromStep(int i) {
            return (resultArgs & (1 << i)) != 0 ? (int) args[i] : -1;
        }

        /** Whether argument i is the result of step earlier (an fd it opened). */
        public boolean argFrom(int i, Decoded earlier) {
            return (resultArgs & (1 << i)) != 0 && args[i] == earlier.index;
        }

        /** Whether argument i is a plain value (not an earlier step's result). */
        public boolean plain(int i) {
            return (resultArgs & (1 << i)) == 0;
        }

        /** The NUL-terminated string argument i points to. */
        public String string(int i) {
            return PlanSteps.string(args[i]);
        }

        public boolean tolerates(int errno) {
            return (toleratedErrnos & (1L << errno)) != 0;
        }

        @Override
        public String toString() {
            return index + " " + call + " # " + what;
        }
    }

    /** The steps of list, in order. */
    public static List<Decoded> of(StepList list) {
        MemorySegment array = list.encode();
        List<Decoded> steps = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            MemorySegment s = jiso_step.asSlice(array, i);
            long[] args = new long[StepList.MAX_ARGS];
            for (int a = 0; a < args.length; a++) {
                args[a] = jiso_step.arg(s, a);
            }
            long nr = jiso_step.nr(s);
            steps.add(new Decoded(
                    i,
                    NAMES.getOrDefault(nr, "op " + nr),
                    nr,
                    args,
                    jiso_step.result_args(s),
                    jiso_step.tolerated_errnos(s),
                    list.describe(i)));
        }
        return steps;
    }

    /** The system calls' names, in order. */
    public static List<String> calls(List<Decoded> steps) {
        return steps.stream().map(Decoded::call).toList();
    }

    /** The descriptions, in order. */
    public static List<String> descriptions(List<Decoded> steps) {
        return steps.stream().map(Decoded::what).toList();
    }

    /** The first step whose description is what. */
    public static Decoded described(List<Decoded> steps, String what) {
        return steps.stream()
                .filter(s -> s.what().equals(what))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no step \"" + what + "\" in " + descriptions(steps)));
    }

    /** The index of the first step whose description is what, or -1. */
    public static int indexOf(List<Decoded> steps, String what) {
        for (Decoded s : steps) {
            if (s.what().equals(what)) {
                return s.index();
            }
        }
        return -1;
    }

    /** The C string at address (NULL: null). */
    public static String string(long address) {
        return address == 0
                ? null
                : MemorySegment.ofAddress(address)
                        .reinterpret(Integer.MAX_VALUE)
                        .getString(0);
    }

    /** length bytes at address, as UTF-8 text. */
    public static String bytes(long address, long length) {
        return new String(
                MemorySegment.ofAddress(address).reinterpret(length).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.UTF_8);
    }

    /** Memory of size bytes at address (a structure a step points to). */
    public static MemorySegment at(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }
}
