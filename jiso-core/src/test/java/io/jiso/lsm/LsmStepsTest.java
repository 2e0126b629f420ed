package io.jiso.lsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The request for an LSM label on exec as data: which attribute file is
 * opened, the exact bytes of the one write(2), and that the fd flows from the
 * open to the write and the close (LsmLabelTest applies a label in a child).
 */
class LsmStepsTest {

    private record Written(String file, int openFlags, byte[] bytes, List<Decoded> steps) {}

    private static Written plan(Consumer<StepList> add) {
        try (Arena arena = Arena.ofConfined()) {
            StepList steps = new StepList(arena);
            add.accept(steps);
            List<Decoded> e = PlanSteps.of(steps);
            assertEquals(
                    List.of((long) Linux.__NR_openat, (long) Linux.__NR_write, (long) Linux.__NR_close),
                    e.stream().map(Decoded::nr).toList());
            Decoded open = e.get(0);
            Decoded write = e.get(1);
            Decoded close = e.get(2);
            assertEquals(0, write.argFromStep(0), "write to the fd the open returned");
            assertEquals(0, close.argFromStep(0), "and close it");
            byte[] bytes = PlanSteps.at(write.arg(1), write.arg(2)).toArray(ValueLayout.JAVA_BYTE);
            return new Written(PlanSteps.string(open.arg(1)), (int) open.arg(2), bytes, e);
        }
    }

    @Test
    void appArmorGetsExecAndTheProfileInOneWriteWithoutTheNul() {
        Written w = plan(s -> LsmSteps.appArmorOnExec(s, "jiso-judge"));
        assertEquals("exec jiso-judge", new String(w.bytes(), StandardCharsets.UTF_8));
        assertEquals(Linux.O_WRONLY | Linux.O_CLOEXEC, w.openFlags());
        String expected = Files.exists(Path.of("/proc/self/attr/apparmor/exec"))
                ? "/proc/self/attr/apparmor/exec"
                : "/proc/self/attr/exec";
        assertEquals(expected, w.file(), "AppArmor's own file where the kernel has it (stacked LSMs)");
        assertTrue(
                w.steps().get(1).what().contains("jiso-judge"), w.steps().get(1).what());
    }

    @Test
    void selinuxGetsTheContextAsIsInTheSharedAttribute() {
        String context = "system_u:system_r:container_t:s0:c1,c2";
        Written w = plan(s -> LsmSteps.selinuxOnExec(s, context));
        assertEquals("/proc/self/attr/exec", w.file());
        assertEquals(context, new String(w.bytes(), StandardCharsets.UTF_8));
        assertTrue(w.steps().stream().allMatch(s -> s.what().contains(context)), "every step names the label");
    }

    @Test
    void theLengthIsInBytesNotCharacters() {
        Written w = plan(s -> LsmSteps.appArmorOnExec(s, "prüfung-€"));
        assertEquals("exec prüfung-€", new String(w.bytes(), StandardCharsets.UTF_8));
        assertEquals("exec prüfung-€".getBytes(StandardCharsets.UTF_8).length, w.bytes().length);
    }
}
