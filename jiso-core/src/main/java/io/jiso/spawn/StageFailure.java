package io.jiso.spawn;

import io.jiso.nativegen.Abi;

/** The JISO_FAIL_* values of jiso_plan.h: failures outside the plan's steps. */
final class StageFailure {
    private StageFailure() {
    }

    private static final Abi ABI = Abi.current();
    static final int NONE = ABI.intConstant("JISO_FAIL_NONE");
    static final int CLONE = ABI.intConstant("JISO_FAIL_CLONE");
    static final int PARENT_WRITE = ABI.intConstant("JISO_FAIL_PARENT_WRITE");
    static final int HANDSHAKE = ABI.intConstant("JISO_FAIL_HANDSHAKE");
    static final int NO_EXEC = ABI.intConstant("JISO_FAIL_NO_EXEC");
    static final int PIPE = ABI.intConstant("JISO_FAIL_PIPE");
    static final int BAD_PLAN = ABI.intConstant("JISO_FAIL_BAD_PLAN");
    static final int PARENT_RUN = ABI.intConstant("JISO_FAIL_PARENT_RUN");
}
