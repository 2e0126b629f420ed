package io.jiso.spawn;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.jiso_parent_write;
import io.jiso.nativegen.libc.jiso_plan;
import io.jiso.nativegen.libc.jiso_result;
import io.jiso.plan.StepList;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A child's steps plus what the stage needs around them (clone flags, the
 * cgroup to start in, parent-side writes), encoded as struct jiso_plan and
 * handed to jiso_spawn.
 */
final class Plan {
    /** JISO_PLAN_VERSION of jiso_plan.h. */
    private static final int VERSION = Linux.JISO_PLAN_VERSION;

    final StepList steps;
    /** The execve steps of the program's PATH search, to explain their failure; null if none. */
    ProgramSearch programSearch;

    long cloneFlags;
    int cgroupFd = -1;
    private final List<ParentWrite> parentWrites = new ArrayList<>();
    private final List<MemorySegment> outputs = new ArrayList<>();

    /** How many bytes of a parent program's output a failure report keeps. */
    private static final int OUTPUT_BYTES = 2048;

    /**
     * Done by the parent after clone3, before the child runs a step: a write to
     * the child's procFile, or a program run with the child's pid as its first
     * argument (argv non-null; output receives what it says).
     */
    record ParentWrite(String procFile, String data, List<String> argv, String description) {}

    /** What jiso_spawn said. failedStep is a step index or a JISO_FAIL_* value. */
    record Outcome(int pid, int pidfd, int failedStep, int errno, int detail, int waitStatus) {
        boolean succeeded() {
            return failedStep == StageFailure.NONE;
        }
    }

    Plan(SegmentAllocator memory) {
        this.steps = new StepList(memory);
    }

    /** Write data to /proc/&lt;child&gt;/procFile, e.g. uid_map. */
    void writeProcFile(String procFile, String data) {
        parentWrites.add(new ParentWrite(procFile, data, null, "write " + procFile + " of the child"));
    }

    /** Run program (an absolute path) with the child's pid and then arguments, e.g. newuidmap; it must exit 0. */
    void runWithChildPid(String program, List<String> arguments) {
        List<String> argv = new ArrayList<>(List.of(program, "<child pid>"));
        argv.addAll(arguments);
        parentWrites.add(new ParentWrite(null, null, argv, "run " + String.join(" ", argv)));
    }

    /** The parent's writes and program runs, in order. */
    List<ParentWrite> parentWrites() {
        return List.copyOf(parentWrites);
    }

    String describeParentWrite(int index) {
        return parentWrites.get(index).description();
    }

    /** What parent write index, a program, wrote to stdout and stderr (after run). */
    String parentProgramOutput(int index) {
        MemorySegment output = outputs.get(index);
        return output == null ? "" : output.getString(0).strip();
    }

    /** The /proc file a parent write goes to, or null for a program run. */
    String parentWriteFile(int index) {
        return parentWrites.get(index).procFile();
    }

    Outcome run(SpawnMemory memory) {
        MemorySegment plan = memory.allocate(jiso_plan.layout());
        int count = steps.size();
        jiso_plan.version(plan, VERSION);
        jiso_plan.step_count(plan, count);
        jiso_plan.clone_flags(plan, cloneFlags);
        jiso_plan.cgroup_fd(plan, cgroupFd);
        jiso_plan.steps(plan, steps.encode());
        jiso_plan.results(plan, memory.allocate(ValueLayout.JAVA_LONG, count));
        jiso_plan.parent_write_count(plan, parentWrites.size());
        if (!parentWrites.isEmpty()) {
            MemorySegment writes = jiso_parent_write.allocateArray(parentWrites.size(), memory);
            for (int i = 0; i < parentWrites.size(); i++) {
                ParentWrite w = parentWrites.get(i);
                MemorySegment e = jiso_parent_write.asSlice(writes, i);
                outputs.add(null);
                if (w.argv() != null) {
                    jiso_parent_write.argv(e, steps.cStrings(w.argv()));
                    jiso_parent_write.pid_arg(e, 1);
                    MemorySegment output = memory.allocate(OUTPUT_BYTES);
                    jiso_parent_write.output(e, output);
                    jiso_parent_write.output_size(e, OUTPUT_BYTES);
                    outputs.set(i, output);
                } else if (w.procFile() != null) {
                    jiso_parent_write.proc_file(e, memory.allocateFrom(w.procFile()));
                    MemorySegment data = memory.allocateFrom(w.data());
                    jiso_parent_write.data(e, data);
                    jiso_parent_write.length(e, data.byteSize() - 1);
                }
            }
            jiso_plan.parent_writes(plan, writes);
        }
        jiso_plan.stack(plan, memory.stack);
        jiso_plan.stack_size(plan, memory.stack.byteSize());
        MemorySegment result = memory.allocate(jiso_result.layout());
        try {
            int ignored = (int) NativeStage.SPAWN.invokeExact(plan, result);
        } catch (Throwable t) {
            throw new IllegalStateException("jiso_spawn failed to run", t);
        }
        return new Outcome(
                jiso_result.pid(result),
                jiso_result.pidfd(result),
                jiso_result.failed_step(result),
                jiso_result.error(result),
                jiso_result.failed_detail(result),
                jiso_result.wait_status(result));
    }
}
