package io.jiso.spawn;

import io.jiso.nativegen.Linux;

/** The JISO_FAIL_* values of jiso_plan.h: failures outside the plan's steps. */
final class StageFailure {
    private StageFailure() {}

    static final int NONE = Linux.JISO_FAIL_NONE;
    static final int CLONE = Linux.JISO_FAIL_CLONE;
    static final int PARENT_WRITE = Linux.JISO_FAIL_PARENT_WRITE;
    static final int HANDSHAKE = Linux.JISO_FAIL_HANDSHAKE;
    static final int NO_EXEC = Linux.JISO_FAIL_NO_EXEC;
    static final int PIPE = Linux.JISO_FAIL_PIPE;
    static final int BAD_PLAN = Linux.JISO_FAIL_BAD_PLAN;
    static final int PARENT_RUN = Linux.JISO_FAIL_PARENT_RUN;
}
