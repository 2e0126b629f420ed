package io.jiso.plan;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.jiso_step;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The child's plan as it is being written: raw system calls in order, each
 * with a description for error messages. Memory the child reads (strings,
 * structures) is allocated from the same allocator as the plan and stays
 * valid until the spawn returns; the child shares the JVM's memory
 * (CLONE_VM), so an address is passed as is.
 *
 * <p>Every package that contributes child-side steps (mount, namespace,
 * capability, seccomp...) writes them here; io.jiso.spawn.ChildSteps says in
 * which order. This package is below them all: it knows no concern.
 */
public final class StepList {
    /** Arguments per step, as in struct jiso_step. */
    public static final int MAX_ARGS = 6;

    private static final int OP_SPAWN = Linux.JISO_OP_SPAWN;
    private static final int OP_AWAIT_CREATOR = Linux.JISO_OP_AWAIT_CREATOR;

    private final SegmentAllocator memory;
    private final List<long[]> calls = new ArrayList<>();
    private final List<String> descriptions = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();

    public StepList(SegmentAllocator memory) {
        this.memory = memory;
    }

    /** Where strings and structures for the child are allocated. */
    public SegmentAllocator memory() {
        return memory;
    }

    /** A NUL-terminated copy of s that the child can read. */
    public MemorySegment cString(String s) {
        return memory.allocateFrom(s);
    }

    /** The address of a NUL-terminated copy of s, for a step argument. */
    public long cStringAddress(String s) {
        return cString(s).address();
    }

    /** A NULL-terminated array of C strings (an argv or envp) that the child can read. */
    public MemorySegment cStrings(List<String> strings) {
        MemorySegment array = memory.allocate(ValueLayout.ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, cString(strings.get(i)));
        }
        return array;
    }

    /** Zeroed memory for one structure of the given layout. */
    public MemorySegment allocate(MemoryLayout layout) {
        return memory.allocate(layout);
    }

    /**
     * Adds a system call. {@code what} is the step in words ("mount proc on
     * /proc"); a failure is reported as "what: ERRNO".
     */
    public Step call(String what, int syscallNumber, long... args) {
        if (args.length > MAX_ARGS) {
            throw new IllegalArgumentException("a step takes at most 6 arguments: " + what);
        }
        long[] encoded = new long[1 + MAX_ARGS];
        encoded[0] = syscallNumber;
        System.arraycopy(args, 0, encoded, 1, args.length);
        return add(what, encoded);
    }

    /**
     * JISO_OP_SPAWN: from here on two processes run the plan. The new one (the
     * main process) goes on with the next step; the creator goes on at once
     * where {@link Step#continueAtNext} says, so their steps overlap.
     */
    public Step spawn(String what) {
        long[] encoded = new long[1 + MAX_ARGS];
        encoded[0] = OP_SPAWN;
        return add(what, encoded);
    }

    /**
     * JISO_OP_AWAIT_CREATOR, in the spawned process: waits for the SIGCONT the
     * creator's next program (jiso-init) sends first thing.
     */
    public void awaitCreator(String what) {
        long[] encoded = new long[1 + MAX_ARGS];
        encoded[0] = OP_AWAIT_CREATOR;
        add(what, encoded);
    }

    private Step add(String what, long[] encoded) {
        Step s = new Step(steps.size(), encoded);
        calls.add(encoded);
        descriptions.add(what);
        steps.add(s);
        return s;
    }

    public int size() {
        return steps.size();
    }

    /** The description of step i, for error messages. */
    public String describe(int index) {
        return descriptions.get(index);
    }

    /** Writes the steps as struct jiso_step[] into memory the stage reads. */
    public MemorySegment encode() {
        MemorySegment array = memory.allocate(jiso_step.layout(), steps.size());
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            MemorySegment e = jiso_step.asSlice(array, i);
            jiso_step.nr(e, s.encoded[0]);
            for (int a = 0; a < MAX_ARGS; a++) {
                jiso_step.arg(e, a, s.encoded[1 + a]);
            }
            jiso_step.result_args(e, s.resultArgs);
            jiso_step.tolerated_errnos(e, s.toleratedErrnos);
        }
        return array;
    }

    /** One step of the plan; adjust it right after adding it. */
    public final class Step {
        private final int index;
        private final long[] encoded;
        private int resultArgs;
        private long toleratedErrnos;

        private Step(int index, long[] encoded) {
            this.index = index;
            this.encoded = encoded;
        }

        public int index() {
            return index;
        }

        /** Failing with this errno is not a failure; the step's result is then -errno. */
        public Step tolerate(int errno) {
            if (errno <= 0 || errno >= 64) {
                throw new IllegalArgumentException("only errnos 1..63 can be tolerated: " + errno);
            }
            toleratedErrnos |= 1L << errno;
            return this;
        }

        /** Passes the result of an earlier step (e.g. the fd an openat returned) as argument arg. */
        public Step argFromStep(int arg, Step earlier) {
            if (earlier.index >= index || arg < 0 || arg >= MAX_ARGS) {
                throw new IllegalArgumentException(
                        "argument " + arg + " of step " + index + " cannot come from step " + earlier.index);
            }
            encoded[1 + arg] = earlier.index;
            resultArgs |= 1 << arg;
            return this;
        }

        /** For a JISO_OP_SPAWN step: the creator continues at the next step added after this call. */
        public void continueAtNext() {
            encoded[1] = steps.size();
        }
    }
}
