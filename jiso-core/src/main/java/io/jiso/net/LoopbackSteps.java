package io.jiso.net;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.ifreq;
import io.jiso.plan.StepList;
import io.jiso.plan.Syscalls;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;

/**
 * A new network namespace has only a loopback interface, and it is down:
 * bring it up the way {@code ip link set lo up} does, with SIOCSIFFLAGS on
 * any socket.
 */
public final class LoopbackSteps {
    private LoopbackSteps() {}

    private static final int SOCKET = Linux.__NR_socket;
    private static final int IOCTL = Linux.__NR_ioctl;
    static final int AF_INET = Linux.AF_INET;
    static final int SOCK_DGRAM = Linux.SOCK_DGRAM;
    static final int SOCK_CLOEXEC = Linux.SOCK_CLOEXEC;
    static final int SIOCSIFFLAGS = Linux.SIOCSIFFLAGS;
    private static final short IFF_UP_RUNNING = (short) (Linux.IFF_UP | Linux.IFF_RUNNING);
    private static final long FLAGS_OFFSET = ifreq.layout().byteOffset(PathElement.groupElement("ifr_ifru"));

    public static void up(StepList steps) {
        MemorySegment request = upRequest(steps.memory());
        var socket = steps.call("open a socket to configure lo", SOCKET, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        steps.call("bring lo up", IOCTL, 0, SIOCSIFFLAGS, request.address()).argFromStep(0, socket);
        steps.call("close the socket", Syscalls.CLOSE, 0).argFromStep(0, socket);
    }

    /** The SIOCSIFFLAGS request that sets lo up. */
    static MemorySegment upRequest(SegmentAllocator memory) {
        MemorySegment request = memory.allocate(ifreq.layout());
        request.setString(0, "lo");
        request.set(ValueLayout.JAVA_SHORT, FLAGS_OFFSET, IFF_UP_RUNNING);
        return request;
    }
}
