package io.jiso;

import io.jiso.seccomp.SyscallRules;

/** For tests of the seccomp compiler, which takes a policy as the internals have it. */
public final class SeccompPolicies {
    private SeccompPolicies() {}

    /** The policy as {@code start()} hands it to the compiler. */
    public static SyscallRules rulesOf(SeccompPolicy policy) {
        return policy.syscallRules();
    }
}
