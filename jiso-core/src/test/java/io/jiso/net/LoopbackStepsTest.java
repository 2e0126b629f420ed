package io.jiso.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.ifreq;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bringing lo up, as plan data: a socket, one SIOCSIFFLAGS on it, and its close. */
class LoopbackStepsTest {
    @Test
    void loIsSetUpAndRunningThroughTheSocketTheFirstStepOpens() {
        try (Arena arena = Arena.ofConfined()) {
            StepList list = new StepList(arena);
            LoopbackSteps.up(list);
            List<Decoded> s = PlanSteps.of(list);
            assertEquals(List.of("socket", "ioctl", "close"), PlanSteps.calls(s));
            Decoded socket = s.get(0);
            assertEquals(Linux.AF_INET, socket.args()[0]);
            assertEquals(
                    Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC,
                    socket.args()[1],
                    "close-on-exec: the program never inherits it");
            Decoded ioctl = s.get(1);
            assertTrue(ioctl.argFrom(0, socket));
            assertEquals(Linux.SIOCSIFFLAGS, ioctl.args()[1]);
            MemorySegment request = PlanSteps.at(ioctl.args()[2], ifreq.sizeof());
            assertEquals("lo", request.getString(0));
            long flagsAt = ifreq.layout().byteOffset(PathElement.groupElement("ifr_ifru"));
            assertEquals(Linux.IFF_UP | Linux.IFF_RUNNING, request.get(ValueLayout.JAVA_SHORT, flagsAt));
            assertTrue(s.get(2).argFrom(0, socket));
        }
    }

    @Test
    void theRequestNamesOnlyLo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = LoopbackSteps.upRequest(arena);
            assertEquals(ifreq.sizeof(), request.byteSize());
            // IFNAMSIZ bytes of name: "lo" and zeros, or the kernel would look up another interface
            for (int i = 2; i < Linux.IFNAMSIZ; i++) {
                assertEquals(0, request.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
        }
    }
}
