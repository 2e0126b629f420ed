package io.jiso.capability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.__user_cap_data_struct;
import io.jiso.nativegen.libc.__user_cap_header_struct;
import io.jiso.plan.PlanSteps;
import io.jiso.plan.PlanSteps.Decoded;
import io.jiso.plan.StepList;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The privilege drop as data: the arguments of every prctl, capset and
 * set*id step, and the structures capset reads (CapabilityStepsTest checks
 * their order; PrivilegeKernelTest what a child ends up with).
 */
class CapabilityDropPlanTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private List<Decoded> plan(PrivilegeSpec spec, boolean canSetGroups, boolean canSetPcap) {
        StepList steps = new StepList(arena);
        CapabilitySteps.dropPrivileges(steps, spec, canSetGroups, canSetPcap);
        return PlanSteps.of(steps);
    }

    private static Predicate<Decoded> prctl(int option) {
        return s -> s.nr() == Linux.__NR_prctl && s.arg(0) == option;
    }

    private static List<Decoded> where(List<Decoded> steps, Predicate<Decoded> p) {
        return steps.stream().filter(p).toList();
    }

    private static Decoded only(List<Decoded> steps, long nr) {
        List<Decoded> found = where(steps, s -> s.nr() == nr);
        assertEquals(1, found.size(), "one step of syscall " + nr);
        return found.getFirst();
    }

    @Test
    void everyCapabilityButTheKeptOnesLeavesTheBoundingSetToleratingNumbersTheKernelLacks() {
        PrivilegeSpec spec = PrivilegeSpec.unprivileged()
                .keeping(Set.of(KernelCapability.CAP_NET_BIND_SERVICE, KernelCapability.CAP_KILL));
        List<Decoded> drops = where(plan(spec, true, true), prctl(Linux.PR_CAPBSET_DROP));
        TreeSet<Long> dropped = new TreeSet<>();
        for (Decoded d : drops) {
            assertTrue(d.tolerates(Linux.EINVAL), d.what());
            dropped.add(d.arg(1));
        }
        assertEquals(drops.size(), dropped.size(), "each number once");
        long last = dropped.last();
        assertTrue(last >= Linux.CAP_LAST_CAP, "up to the kernel's last capability at least: " + last);
        for (long cap = 0; cap <= last; cap++) {
            boolean kept = cap == Linux.CAP_NET_BIND_SERVICE || cap == Linux.CAP_KILL;
            assertEquals(!kept, dropped.contains(cap), "capability " + cap);
        }
    }

    @Test
    void capsetPutsTheKeptSetInPermittedEffectiveAndInheritableOfBothWords() {
        PrivilegeSpec spec = PrivilegeSpec.unprivileged()
                .keeping(Set.of(
                        KernelCapability.CAP_DAC_OVERRIDE, KernelCapability.CAP_SYS_ADMIN, KernelCapability.CAP_BPF));
        Decoded capset = only(plan(spec, true, true), Linux.__NR_capset);
        MemorySegment header = PlanSteps.at(capset.arg(0), __user_cap_header_struct.sizeof());
        assertEquals(Linux._LINUX_CAPABILITY_VERSION_3, __user_cap_header_struct.version(header));
        assertEquals(0, __user_cap_header_struct.pid(header), "the calling process");
        MemorySegment data = PlanSteps.at(capset.arg(1), 2 * __user_cap_data_struct.sizeof());
        int low = 1 << Linux.CAP_DAC_OVERRIDE | 1 << Linux.CAP_SYS_ADMIN;
        int high = 1 << (Linux.CAP_BPF - 32);
        int[] expected = {low, high};
        for (int word = 0; word < 2; word++) {
            MemorySegment d = __user_cap_data_struct.asSlice(data, word);
            assertArrayEquals(
                    new int[] {expected[word], expected[word], expected[word]},
                    new int[] {
                        __user_cap_data_struct.permitted(d),
                        __user_cap_data_struct.effective(d),
                        __user_cap_data_struct.inheritable(d)
                    },
                    "word " + word);
        }
    }

    @Test
    void identityStepsSetAllThreeIdsAndTheGroupsAsGiven() {
        PrivilegeSpec spec = PrivilegeSpec.unprivileged().withIdentity(1234, 5678, List.of(5678L, 27L, 100_000L));
        List<Decoded> p = plan(spec, true, true);
        Decoded gid = only(p, Linux.__NR_setresgid);
        assertArrayEquals(new long[] {5678, 5678, 5678}, new long[] {gid.arg(0), gid.arg(1), gid.arg(2)});
        Decoded uid = only(p, Linux.__NR_setresuid);
        assertArrayEquals(new long[] {1234, 1234, 1234}, new long[] {uid.arg(0), uid.arg(1), uid.arg(2)});
        Decoded groups = only(p, Linux.__NR_setgroups);
        assertEquals(3, groups.arg(0));
        assertArrayEquals(
                new int[] {5678, 27, 100_000}, PlanSteps.at(groups.arg(1), 12).toArray(ValueLayout.JAVA_INT));
        Decoded none = only(plan(PrivilegeSpec.unprivileged(), true, true), Linux.__NR_setgroups);
        assertEquals(0, none.arg(0), "no groups: the inherited ones are cleared, not kept");
    }

    @Test
    void theHighestIdsGoToTheKernelAsUnsigned32BitValues() {
        PrivilegeSpec spec =
                PrivilegeSpec.unprivileged().withIdentity(0xFFFF_FFFEL, 0xFFFF_FFFEL, List.of(0xFFFF_FFFEL));
        List<Decoded> p = plan(spec, true, true);
        assertEquals(0xFFFF_FFFEL, only(p, Linux.__NR_setresuid).arg(0));
        assertEquals(-2, PlanSteps.at(only(p, Linux.__NR_setgroups).arg(1), 4).get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void keptCapabilitiesAreRaisedInTheAmbientSetAfterItIsCleared() {
        PrivilegeSpec spec =
                PrivilegeSpec.root().keeping(Set.of(KernelCapability.CAP_CHOWN, KernelCapability.CAP_NET_RAW));
        List<Decoded> ambient = where(plan(spec, true, true), prctl(Linux.PR_CAP_AMBIENT));
        assertEquals(3, ambient.size());
        assertEquals(Linux.PR_CAP_AMBIENT_CLEAR_ALL, ambient.get(0).arg(1));
        Set<Long> raised = new TreeSet<>();
        for (Decoded e : ambient.subList(1, 3)) {
            assertEquals(Linux.PR_CAP_AMBIENT_RAISE, e.arg(1));
            raised.add(e.arg(2));
        }
        assertEquals(Set.of((long) Linux.CAP_CHOWN, (long) Linux.CAP_NET_RAW), raised);
        assertEquals(
                1,
                where(plan(PrivilegeSpec.root(), true, true), prctl(Linux.PR_CAP_AMBIENT))
                        .size(),
                "nothing kept: only the clear");
    }

    @Test
    void whatCannotBeDoneIsLeftOutAndWhatIsAskedIsWritten() {
        PrivilegeSpec spec = PrivilegeSpec.unprivileged();
        List<Decoded> full = plan(spec, true, true);
        assertEquals(
                CapabilitySteps.securebits(spec),
                where(full, prctl(Linux.PR_SET_SECUREBITS)).getFirst().arg(1));
        assertEquals(1, where(full, prctl(Linux.PR_SET_NO_NEW_PRIVS)).getFirst().arg(1));
        List<Decoded> noPcap = plan(spec, true, false);
        assertEquals(List.of(), where(noPcap, prctl(Linux.PR_CAPBSET_DROP)), "no CAP_SETPCAP: bounding set left");
        assertEquals(List.of(), where(noPcap, prctl(Linux.PR_SET_SECUREBITS)));
        assertEquals(1, where(noPcap, s -> s.nr() == Linux.__NR_capset).size());
        List<Decoded> noGroups = plan(spec, false, true);
        assertEquals(List.of(), where(noGroups, s -> s.nr() == Linux.__NR_setgroups), "setgroups denied: left");
        assertEquals(1, where(noGroups, s -> s.nr() == Linux.__NR_setresgid).size());
        PrivilegeSpec withoutNnp =
                new PrivilegeSpec(PrivilegeSpec.NOBODY, PrivilegeSpec.NOBODY, List.of(), Set.of(), false);
        assertEquals(List.of(), where(plan(withoutNnp, true, true), prctl(Linux.PR_SET_NO_NEW_PRIVS)));
    }
}
