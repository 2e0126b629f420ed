package io.jiso.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jiso.SeccompPolicies;
import io.jiso.SeccompPolicy;
import io.jiso.SeccompPolicy.Action;
import io.jiso.nativegen.Abi;
import org.junit.jupiter.api.Test;

/** A compiled program is a value: it hands out copies, compares by content, and is compiled once per policy. */
class SeccompProgramTest {

    @Test
    void whatItHandsOutIsACopy() {
        SeccompProgram p = SeccompCompiler.compile(SeccompPolicies.rulesOf(SeccompPolicy.strict()), Abi.current());
        long[][] before = p.instructions();
        long[] first = p.instruction(0);
        first[3] = 12345;
        long[][] all = p.instructions();
        all[1][0] = 0;
        all[2] = new long[4];
        assertEquals(before[0][3], p.instruction(0)[3]);
        assertEquals(before[1][0], p.instructions()[1][0]);
        assertEquals(before[2][0], p.instruction(2)[0]);
    }

    @Test
    void programsAreEqualByArchitectureAndInstructions() {
        SeccompPolicy policy = SeccompPolicy.builder(Action.allow())
                .rule("mount", Action.errno(1))
                .build();
        SeccompProgram a = SeccompCompiler.compile(SeccompPolicies.rulesOf(policy), Abi.of("x86_64"));
        SeccompProgram b = SeccompCompiler.compile(
                SeccompPolicies.rulesOf(policy.toBuilder().build()), Abi.of("x86_64"));
        assertNotSame(a, b);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, SeccompCompiler.compile(SeccompPolicies.rulesOf(policy), Abi.of("aarch64")));
        assertNotEquals(
                a,
                SeccompCompiler.compile(
                        SeccompPolicies.rulesOf(policy.toBuilder()
                                .rule("mount", Action.errno(2))
                                .build()),
                        Abi.of("x86_64")));
        assertNotEquals(a, new SeccompProgram("aarch64", a.instructions()), "same code, other architecture");
        assertEquals("SeccompProgram[x86_64, " + a.size() + " instructions]", a.toString());
    }

    @Test
    void forCurrentArchCompilesEachPolicyObjectOnce() {
        SeccompPolicy policy = SeccompPolicy.builder(Action.allow())
                .rule("ptrace", Action.errno(1))
                .build();
        SeccompProgram first = SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(policy));
        assertSame(first, SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(policy)));
        assertEquals(Abi.current().arch(), first.arch());
        SeccompPolicy other = SeccompPolicy.builder(Action.allow())
                .rule("ptrace", Action.errno(2))
                .build();
        assertNotEquals(
                first,
                SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(other)),
                "a cache keyed by content would mix them up");
    }
}
