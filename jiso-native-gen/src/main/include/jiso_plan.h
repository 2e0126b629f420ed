/*
 * jiso_plan.h: the one contract between jiso's Java code and its native spawn
 * stage. Java encodes a plan (a list of raw system calls, each with six
 * arguments) in memory; the stage creates the child with clone3 and runs the
 * plan there, step by step, until an execve succeeds. The stage knows nothing
 * about mounts, namespaces or policies: every decision is made in Java.
 *
 * jextract reads this header too, so both sides share one layout.
 */
#ifndef JISO_PLAN_H
#define JISO_PLAN_H

#include <stdint.h>

#define JISO_PLAN_VERSION 4

/*
 * Stage operations that are not plain system calls. They use negative
 * numbers so they can never collide with a syscall number.
 *
 * JISO_OP_SPAWN: create a second process (CLONE_VM, exit signal SIGCHLD, on
 *   the upper half of the stack). The new process goes on with the next step;
 *   the creator goes on at once at step arg[0], so the two run their steps at
 *   the same time. The result is the new process's pid (as the creator sees
 *   it). Whichever fails first writes the report. Neither process may spawn
 *   again while the new one lives (it runs on the upper half of the stack).
 *   Used to run the target under a minimal init that is PID 1 of a new pid
 *   namespace.
 *
 * JISO_OP_AWAIT_CREATOR: only in a process made by JISO_OP_SPAWN. Waits
 *   until the creator's new program (after the creator's execve) sends this
 *   process SIGCONT (si_code SI_USER, from the creator's pid); a SIGCONT
 *   from anyone else is dropped. So the spawned
 *   process runs none of its own code while its creator still shares the
 *   caller's memory or is half-way through its execve: jiso-init sends it as
 *   its first act, and the main process starts only once PID 1 is jiso-init.
 *   Fails with ESRCH if the creator exits without sending it (noticed within
 *   100 ms, if the plan did not make the process die with its creator).
 *   Result: 0.
 */
#define JISO_OP_SPAWN (-1)
#define JISO_OP_AWAIT_CREATOR (-2)

/* Pseudo step indices in jiso_result.failed_step for failures outside the plan. */
#define JISO_FAIL_NONE          (-1) /* the child executed its program */
#define JISO_FAIL_CLONE         (-2) /* clone3 failed in the parent; no child exists */
#define JISO_FAIL_PARENT_WRITE  (-3) /* a jiso_parent_write failed; failed_detail = its index */
#define JISO_FAIL_HANDSHAKE     (-4) /* the child did not get the parent's go-ahead */
#define JISO_FAIL_NO_EXEC       (-5) /* the plan ended without a successful execve */
#define JISO_FAIL_PIPE          (-6) /* the stage could not create its pipes */
#define JISO_FAIL_BAD_PLAN      (-7) /* version, count or stack size is wrong */
#define JISO_FAIL_PARENT_RUN    (-8) /* a jiso_parent_write's program failed; failed_detail = its
                                        index, wait_status = how it ended, or -1 and error = why
                                        it could not run */

struct jiso_step {
    int64_t nr;           /* syscall number, or a JISO_OP_* */
    int64_t arg[6];
    /* Bit i set: arg[i] is the index of an earlier step, and that step's
     * result is passed instead (e.g. the fd an openat returned). */
    uint32_t result_args;
    uint32_t reserved;
    /* Bit e set (e < 64): failing with errno e is tolerated; the step's
     * result is then -e and the plan goes on (e.g. EEXIST for mkdir). */
    uint64_t tolerated_errnos;
};

/*
 * Work the parent does after clone3 and before the child starts its plan,
 * e.g. writing uid_map for a new user namespace, or running newuidmap for
 * it. The child waits for it. Two kinds: argv if set, else proc_file.
 */
struct jiso_parent_write {
    /* argv NULL: write data to /proc/<child pid>/<proc_file>. */
    const char *proc_file;
    /* argv non-NULL: argv[pid_arg] (1 <= pid_arg < argc) is replaced by the
     * child's pid in decimal. */
    int32_t pid_arg;
    const char *data;
    int64_t length;
    /* Non-NULL: run argv[0] (an absolute path) with this NULL-terminated argv,
     * an empty environment, stdin on /dev/null, no other fds, and wait for it.
     * Anything but exit status 0 fails the spawn (JISO_FAIL_PARENT_RUN). Used
     * for setuid helpers such as newuidmap, which take the child's pid. */
    char *const *argv;
    /* argv non-NULL and output non-NULL: what the program wrote to stdout and
     * stderr, at most output_size - 1 bytes, NUL-terminated. */
    char *output;
    int64_t output_size;
};

struct jiso_plan {
    uint32_t version;              /* JISO_PLAN_VERSION */
    uint32_t step_count;
    uint64_t clone_flags;          /* CLONE_NEW* flags and friends for clone3 */
    int32_t cgroup_fd;             /* >= 0: CLONE_INTO_CGROUP this directory */
    uint32_t parent_write_count;
    struct jiso_step *steps;
    int64_t *results;              /* step_count slots, filled by the child */
    struct jiso_parent_write *parent_writes;
    void *stack;                   /* memory for the child stacks (16-byte aligned) */
    int64_t stack_size;            /* at least 32 KiB; split in two halves */
};

struct jiso_result {
    int32_t pid;                   /* the child's pid in the caller's namespace, or -1 */
    int32_t pidfd;                 /* a pidfd for the child (CLONE_PIDFD), or -1 */
    int32_t failed_step;           /* a step index, or a JISO_FAIL_* */
    int32_t error;                 /* the errno of the failure, 0 if none */
    int32_t failed_detail;         /* e.g. which parent write failed */
    int32_t wait_status;           /* JISO_FAIL_PARENT_RUN: the program's wait status; else -1 */
};

/*
 * Runs a plan. Returns 0 when the child executed its program, -1 otherwise;
 * either way *result says what happened. When a child was created (pid >= 0)
 * the caller owns pidfd and must reap the child, also after a failure.
 * Thread-safe; the calling thread is blocked until the child has executed or
 * exited. Signals are blocked in the caller only around clone3.
 */
int jiso_spawn(const struct jiso_plan *plan, struct jiso_result *result);

#endif
