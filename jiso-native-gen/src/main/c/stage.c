/*
 * stage.c: jiso's spawn stage (libjiso.so). Creates a child with clone3 and
 * runs the plan Java wrote (see jiso_plan.h) in it until an execve succeeds.
 *
 * The child is created with CLONE_VM: it shares the JVM's memory (no page
 * tables to copy, so spawning costs the same with a 100 MB or a 100 GB heap)
 * and runs on a stack the caller provides. That has rules, and every function
 * whose comment starts with CHILD follows them:
 *   - only raw system calls through raw_syscall6(): libc's wrappers write
 *     errno, and errno lives in the TLS of the JVM thread that called us (the
 *     child has no TLS of its own);
 *   - no malloc, stdio, locks or anything else with state in the JVM: the
 *     other JVM threads keep running and may hold any lock;
 *   - all signals stay blocked and every handler is reset first: a JVM signal
 *     handler must never run in the child.
 * The file is compiled with -fno-stack-protector (the canary is read through
 * the TLS too).
 *
 * How the parent knows that the child is done with our memory: the child is
 * created with CLONE_CHILD_CLEARTID on a word in the parent's frame. The
 * kernel clears that word and wakes futex waiters when the child execs or
 * exits (mm_release), i.e. exactly when the child stops using our memory;
 * pthread_join relies on the same mechanism. A failing child writes its
 * report into shared memory before it exits. No pipe is held by the child
 * while it runs the plan, so a plan that dup3()s onto or closes "unknown"
 * descriptors cannot break the stage, and another thread's child that
 * inherited a copy of our descriptors cannot delay us.
 *
 * While the child waits at the handshake, the parent does the plan's parent
 * work: writes to the child's /proc files, and programs such as newuidmap
 * that take the child's pid. Such a program is started the way the child is
 * (vfork-style clone3, raw calls until its execve), so that none of the JVM's
 * descriptors reaches it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <linux/sched.h>

#include "jiso_plan.h"
#include "raw_syscall.h"

#define JISO_EXPORT __attribute__((visibility("default")))
/* Child code stays out of line: easy to check in a disassembly that it
 * calls nothing outside this file. */
#define CHILD_NORETURN __attribute__((noinline, noreturn))

#define MIN_STACK (32 * 1024)
#define CHILD_FAILED 127
/* How often JISO_OP_AWAIT_CREATOR checks that its creator is still there. */
#define AWAIT_CHECK_NS (100 * 1000 * 1000)

/* The plan's clone_flags must not break the stage's own mechanics: the child
 * must have its own fd table, fs info, signal handlers and thread group, and
 * the stage alone sets the vfork/tid/pidfd/cgroup bits. The exit signal has
 * its own field in clone3; there the CSIGNAL bits are invalid, except 0x80,
 * which clone3 reuses for CLONE_NEWTIME. */
#define FORBIDDEN_FLAGS                                                  \
    ((uint64_t)(CSIGNAL & ~CLONE_NEWTIME) | CLONE_FS | CLONE_FILES |    \
     CLONE_SIGHAND | CLONE_VFORK | CLONE_PARENT | CLONE_THREAD |        \
     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |        \
     CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_INTO_CGROUP)

/* State shared by the parent thread and the children (CLONE_VM); it lives in
 * jiso_spawn's frame, which outlives every child's use of our memory. */
struct ctx {
    const struct jiso_plan *plan;
    int hs_read, hs_write;      /* handshake pipe, -1 without parent work */
    /* 1 while the first child / a JISO_OP_SPAWN child uses our memory; the
     * kernel clears them (CLONE_CHILD_CLEARTID). Futex words: 32 bits. */
    volatile int32_t live;
    volatile int32_t live_spawned;
    /* The report. After a JISO_OP_SPAWN the creator and the spawned process
     * run their steps at the same time and either may fail: the first to
     * claim the report writes it, and sets failed once it is written. The
     * parent reads it only after both left our memory. */
    volatile int32_t claimed;
    /* Where a JISO_OP_SPAWN child starts: its first step and its creator's
     * pid (both are in the same pid namespace). Here rather than in the
     * creator's frame, which the creator reuses as it goes on. */
    uint32_t spawned_first_step;
    long spawned_creator;
    volatile int32_t failed;
    int32_t fail_step;
    int32_t fail_errno;
};

/* ---- raw system calls (raw_syscall6 is in raw_syscall.h) ------------------ */

#if defined(__x86_64__)

/*
 * clone3; the child calls fn(arg) on the stack given in *ca and then exits.
 * The child never returns into this frame: it would be the parent's frame,
 * on the parent's stack. fn and arg are kept in r12/r13, which the syscall
 * preserves and the child inherits.
 */
static long clone3_run(struct clone_args *ca, void (*fn)(void *), void *arg)
{
    register long rax __asm__("rax") = SYS_clone3;
    register long rdi __asm__("rdi") = (long)ca;
    register long rsi __asm__("rsi") = sizeof *ca;
    register long r12 __asm__("r12") = (long)fn;
    register long r13 __asm__("r13") = (long)arg;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        /* child: rsp = top of the new stack, 16-byte aligned */
        "xor %%ebp, %%ebp\n\t"
        "mov %%r13, %%rdi\n\t"
        "call *%%r12\n\t"
        "mov %[exit_nr], %%eax\n\t"
        "mov %[status], %%edi\n\t"
        "syscall\n\t"
        "hlt\n"
        "1:"
        : "+r"(rax)
        : "r"(rdi), "r"(rsi), "r"(r12), "r"(r13),
          [exit_nr] "i"(SYS_exit), [status] "i"(CHILD_FAILED)
        : "rcx", "r11", "memory");
    return rax;
}

#elif defined(__aarch64__)

/* As above; fn and arg are kept in the callee-saved x19/x20. */
static long clone3_run(struct clone_args *ca, void (*fn)(void *), void *arg)
{
    register long x8 __asm__("x8") = SYS_clone3;
    register long x0 __asm__("x0") = (long)ca;
    register long x1 __asm__("x1") = sizeof *ca;
    register long x19 __asm__("x19") = (long)fn;
    register long x20 __asm__("x20") = (long)arg;
    __asm__ volatile(
        "svc #0\n\t"
        "cbnz x0, 1f\n\t"
        /* child: sp = top of the new stack, 16-byte aligned */
        "mov x29, xzr\n\t"
        "mov x30, xzr\n\t"
        "mov x0, x20\n\t"
        "blr x19\n\t"
        "mov x8, %[exit_nr]\n\t"
        "mov x0, %[status]\n\t"
        "svc #0\n\t"
        "brk #0\n"
        "1:"
        : "+r"(x0)
        : "r"(x8), "r"(x1), "r"(x19), "r"(x20),
          [exit_nr] "i"(SYS_exit), [status] "i"(CHILD_FAILED)
        : "memory");
    return x0;
}

#else
#error "jiso's stage supports x86_64 and aarch64 only"
#endif

#define SYS4(nr, a, b, c, d) \
    raw_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* A raw result in -4095..-1 is -errno. */
static inline int is_error(long r) { return (unsigned long)r > -4096UL; }

/* ---- the child ------------------------------------------------------------ */

/* CHILD: report (step, errno) to the parent and exit 127. */
static CHILD_NORETURN void child_fail(struct ctx *c, int32_t step, int32_t err)
{
    if (__atomic_exchange_n(&c->claimed, 1, __ATOMIC_ACQ_REL) == 0) {
        c->fail_step = step;
        c->fail_errno = err;
        __atomic_store_n(&c->failed, 1, __ATOMIC_RELEASE);
    }
    for (;;)
        SYS4(SYS_exit, CHILD_FAILED, 0, 0, 0);
}

/* CHILD: every signal handler back to SIG_DFL: they are the JVM's. The kernel
 * struct sigaction is {handler, flags, restorer, mask} on both architectures;
 * all zero means SIG_DFL. */
static void reset_signal_handlers(void)
{
    static const unsigned long dfl[4];
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            SYS4(SYS_rt_sigaction, sig, dfl, 0, 8); /* EINVAL etc. ignored */
}

static void spawned_main(void *arg);

/*
 * CHILD: JISO_OP_AWAIT_CREATOR at step i in the spawned process: wait for the
 * SIGCONT the creator's new program sends. All signals are blocked, so a
 * SIGCONT sent before we wait (the creator runs on at the same time) is
 * pending, not lost.
 */
static void await_creator(struct ctx *c, uint32_t i, long creator)
{
    const uint64_t cont = 1ull << (SIGCONT - 1);
    const struct timespec tick = {0, AWAIT_CHECK_NS};
    for (;;) {
        siginfo_t info;
        long r = SYS4(SYS_rt_sigtimedwait, &cont, &info, &tick, 8);
        if (r == SIGCONT && info.si_code == SI_USER && info.si_pid == creator)
            return;
        if (r == SIGCONT || r == -EAGAIN || r == -EINTR) {
            /* someone else's SIGCONT, or time to check: reparented means the
             * creator is gone (if it failed, its report is already there) */
            if (SYS4(SYS_getppid, 0, 0, 0, 0) != creator)
                child_fail(c, (int32_t)i, ESRCH);
            continue;
        }
        child_fail(c, (int32_t)i, (int32_t)-r);
    }
}

/* CHILD: run the steps from index i; `creator` is the pid of a JISO_OP_SPAWN
 * child's creator as it sees it, 0 in the first child. */
static CHILD_NORETURN void run_steps(struct ctx *c, uint32_t i, long creator)
{
    const struct jiso_plan *p = c->plan;
    const uint32_t n = p->step_count;

    while (i < n) {
        const struct jiso_step *s = &p->steps[i];
        long a[6];
        for (int j = 0; j < 6; j++) {
            int64_t v = s->arg[j];
            if (s->result_args & (1u << j)) {
                if ((uint64_t)v >= n)
                    child_fail(c, (int32_t)i, EINVAL);
                v = p->results[v];
            }
            a[j] = (long)v;
        }

        if (s->nr == JISO_OP_SPAWN) {
            /* The new process shares memory and runs on the upper half of the
             * stack while we (on the lower half) go on. Nobody spawns again
             * while it lives: a second child would overwrite the upper half
             * under it. */
            if (creator != 0 || __atomic_load_n(&c->live_spawned, __ATOMIC_ACQUIRE) != 0 ||
                a[0] < 0 || (uint64_t)a[0] > n)
                child_fail(c, (int32_t)i, EINVAL);
            uintptr_t base = (uintptr_t)p->stack + (uint64_t)p->stack_size / 2;
            uintptr_t top = ((uintptr_t)p->stack + (uint64_t)p->stack_size) & ~(uintptr_t)15;
            c->spawned_first_step = i + 1;
            c->spawned_creator = SYS4(SYS_getpid, 0, 0, 0, 0);
            /* Not CLONE_VFORK: the creator goes on at once, its steps and
             * execve overlapping the new process's steps up to its
             * JISO_OP_AWAIT_CREATOR. */
            struct clone_args ca = {
                .flags = CLONE_VM | CLONE_CHILD_CLEARTID,
                .child_tid = (uintptr_t)&c->live_spawned,
                .exit_signal = SIGCHLD,
                .stack = base,
                .stack_size = top - base,
            };
            c->live_spawned = 1;
            long r = clone3_run(&ca, spawned_main, c);
            if (is_error(r)) {
                c->live_spawned = 0;
                child_fail(c, (int32_t)i, (int32_t)-r);
            }
            p->results[i] = r;
            i = (uint32_t)a[0];
            continue;
        }
        if (s->nr == JISO_OP_AWAIT_CREATOR) {
            if (creator == 0)
                child_fail(c, (int32_t)i, EINVAL);
            await_creator(c, i, creator);
            p->results[i] = 0;
            i++;
            continue;
        }
        if (s->nr < 0)
            child_fail(c, (int32_t)i, ENOSYS);

        long r = raw_syscall6((long)s->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (is_error(r)) {
            long e = -r;
            if (e >= 64 || !((s->tolerated_errnos >> e) & 1))
                child_fail(c, (int32_t)i, (int32_t)e);
        }
        p->results[i] = r;
        i++;
    }
    child_fail(c, JISO_FAIL_NO_EXEC, 0);
}

/* CHILD: entry of a JISO_OP_SPAWN child (see clone3_run). */
static CHILD_NORETURN void spawned_main(void *arg)
{
    struct ctx *c = arg;
    run_steps(c, c->spawned_first_step, c->spawned_creator);
}

/* CHILD: entry of the first child (see clone3_run). */
static CHILD_NORETURN void child_main(void *arg)
{
    struct ctx *c = arg;

    /* Signals are blocked (the parent blocked them all around clone3) and
     * stay blocked; the plan unblocks them right before execve. */
    reset_signal_handlers();

    if (c->hs_read >= 0) {
        /* Wait for the parent's work (uid_map, newuidmap...). */
        unsigned char go = 0;
        long r;
        SYS4(SYS_close, c->hs_write, 0, 0, 0);
        do
            r = SYS4(SYS_read, c->hs_read, &go, 1, 0);
        while (r == -EINTR);
        SYS4(SYS_close, c->hs_read, 0, 0, 0);
        if (r != 1 || go != 1)
            child_fail(c, JISO_FAIL_HANDSHAKE,
                       is_error(r) ? (int32_t)-r : r == 0 ? EPIPE : ECANCELED);
    }
    run_steps(c, 0, 0);
}

/* Shared with the child that becomes a parent-work program (see parent_run). */
struct program_start {
    char *const *argv;
    int out;                /* becomes its stdout and stderr; >= 3 */
    volatile int32_t error; /* why it could not execute; 0 if it did */
};

/*
 * CHILD: becomes the program of a jiso_parent_write: stdout and stderr into
 * the output pipe, stdin from /dev/null, no other fd (the JVM's fds are not
 * all close-on-exec, and the program may be setuid root), default signal
 * handling, an empty environment.
 */
static CHILD_NORETURN void program_main(void *arg)
{
    struct program_start *s = arg;
    static char *const no_env[] = {NULL};
    static const uint64_t no_signals = 0;

    reset_signal_handlers();
    long r = SYS4(SYS_dup3, s->out, 1, 0, 0);
    if (!is_error(r))
        r = SYS4(SYS_dup3, s->out, 2, 0, 0);
    if (!is_error(r))
        r = SYS4(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY, 0);
    if (!is_error(r) && r != 0)
        r = SYS4(SYS_dup3, r, 0, 0, 0);
    if (!is_error(r))
        r = SYS4(SYS_close_range, 3, ~0U, 0, 0);
    if (!is_error(r))
        r = SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &no_signals, 0, 8);
    if (!is_error(r))
        r = SYS4(SYS_execve, s->argv[0], s->argv, no_env, 0);
    s->error = (int32_t)-r;
    for (;;)
        SYS4(SYS_exit, CHILD_FAILED, 0, 0, 0);
}

/* ---- the parent (the JVM thread; libc is fine here) ------------------------ */

/* Waits until the kernel has cleared *word (the child left our memory). */
static void wait_cleared(volatile int32_t *word)
{
    int32_t v;
    while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != 0)
        /* Not FUTEX_PRIVATE: the kernel's wake-up at mm_release is shared. */
        raw_syscall6(SYS_futex, (long)word, FUTEX_WAIT, v, 0, 0, 0);
}

/* Writes data to /proc/<pid>/<proc_file>; returns 0 or an errno. */
static int parent_write(const struct jiso_parent_write *w, pid_t pid)
{
    char path[4096];
    if (w->proc_file == NULL)
        return EINVAL;
    int n = snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, w->proc_file);
    if (n < 0 || (size_t)n >= sizeof path)
        return ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t len = (size_t)w->length;
    ssize_t r;
    do
        r = write(fd, w->data, len);
    while (r < 0 && errno == EINTR);
    /* Files like uid_map take one write; a short one is a failure. */
    int err = r < 0 ? errno : (size_t)r != len ? EIO : 0;
    close(fd);
    return err;
}

/* Reads fd to its end into out (at most size - 1 bytes, NUL-terminated); the
 * rest is read and dropped, so that the writer never blocks on a full pipe. */
static void read_output(int fd, char *out, size_t size)
{
    size_t used = 0;
    char drop[512];
    for (;;) {
        int keep = out != NULL && used + 1 < size;
        char *to = keep ? out + used : drop;
        size_t room = keep ? size - 1 - used : sizeof drop;
        ssize_t r = read(fd, to, room);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (keep)
            used += (size_t)r;
    }
    if (out != NULL && size > 0)
        out[used] = '\0';
}

#define PROGRAM_STACK (32 * 1024)

/*
 * Runs w's program with the child's pid in argv[pid_arg] and waits for it.
 * Returns 0 if it exited 0. Otherwise *status is its wait status, or -1 with
 * *err saying why it could not run. It is started the way the child is, not
 * with posix_spawn: only glibc 2.34+ could close the JVM's other fds there.
 */
static int parent_run(const struct jiso_parent_write *w, pid_t child, int *err, int *status)
{
    *status = -1;
    int argc = 0;
    while (w->argv[argc] != NULL)
        argc++;
    if (argc == 0 || w->argv[0][0] != '/' || w->pid_arg < 1 || w->pid_arg >= argc) {
        *err = EINVAL;
        return -1;
    }
    size_t argv_size = ((size_t)argc + 1) * sizeof(char *);
    char **argv = malloc(argv_size);
    void *stack = malloc(PROGRAM_STACK);
    int out[2] = {-1, -1};
    if (argv == NULL || stack == NULL) {
        *err = ENOMEM;
        goto done;
    }
    memcpy(argv, w->argv, argv_size);
    char child_pid[16];
    snprintf(child_pid, sizeof child_pid, "%d", (int)child);
    argv[w->pid_arg] = child_pid;

    if (pipe2(out, O_CLOEXEC) != 0) {
        *err = errno;
        goto done;
    }
    if (out[1] < 3) { /* the program's 1 and 2 are dup3()ed from it */
        int moved = fcntl(out[1], F_DUPFD_CLOEXEC, 3);
        close(out[1]);
        out[1] = moved;
        if (moved < 0) {
            *err = errno;
            goto done;
        }
    }
    struct program_start start = {.argv = argv, .out = out[1]};
    uintptr_t base = (uintptr_t)stack;
    /* vfork-style: we are suspended until the program executes or exits. */
    struct clone_args ca = {
        .flags = CLONE_VM | CLONE_VFORK,
        .exit_signal = SIGCHLD,
        .stack = base,
        .stack_size = ((base + PROGRAM_STACK) & ~(uintptr_t)15) - base,
    };
    uint64_t all = ~(uint64_t)0, old;
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    long pid = clone3_run(&ca, program_main, &start);
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    close(out[1]);
    out[1] = -1;
    if (is_error(pid)) {
        *err = (int)-pid;
        goto done;
    }
    if (start.error == 0)
        read_output(out[0], w->output_size > 0 ? w->output : NULL,
                    w->output_size > 0 ? (size_t)w->output_size : 0);
    int st;
    pid_t r;
    do
        r = waitpid((pid_t)pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (start.error != 0)
        *err = start.error;
    else if (r < 0)
        *err = errno;
    else
        *status = st;
done:
    if (out[0] >= 0)
        close(out[0]);
    if (out[1] >= 0)
        close(out[1]);
    free(stack);
    free(argv);
    return *status == 0 ? 0 : -1;
}

/* Does the plan's parent work in order; on a failure fills in *result and returns -1. */
static int parent_work(const struct jiso_plan *p, pid_t pid, struct jiso_result *result)
{
    for (uint32_t i = 0; i < p->parent_write_count; i++) {
        const struct jiso_parent_write *w = &p->parent_writes[i];
        int err = 0, status = -1;
        if (w->argv != NULL) {
            if (parent_run(w, pid, &err, &status) == 0)
                continue;
            result->failed_step = JISO_FAIL_PARENT_RUN;
            result->wait_status = status;
        } else {
            err = parent_write(w, pid);
            if (err == 0)
                continue;
            result->failed_step = JISO_FAIL_PARENT_WRITE;
        }
        result->failed_detail = (int32_t)i;
        result->error = err;
        return -1;
    }
    return 0;
}

JISO_EXPORT int jiso_spawn(const struct jiso_plan *plan, struct jiso_result *result)
{
    result->pid = -1;
    result->pidfd = -1;
    result->failed_step = JISO_FAIL_NONE;
    result->error = 0;
    result->failed_detail = -1;
    result->wait_status = -1;

    if (plan == NULL || plan->version != JISO_PLAN_VERSION || plan->step_count == 0 ||
        plan->steps == NULL || plan->results == NULL || plan->stack == NULL ||
        plan->stack_size < MIN_STACK || (plan->clone_flags & FORBIDDEN_FLAGS) ||
        (plan->parent_write_count > 0 && plan->parent_writes == NULL)) {
        result->failed_step = JISO_FAIL_BAD_PLAN;
        result->error = EINVAL;
        return -1;
    }

    struct ctx c = {.plan = plan, .hs_read = -1, .hs_write = -1};
    if (plan->parent_write_count > 0) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) {
            result->failed_step = JISO_FAIL_PIPE;
            result->error = errno;
            return -1;
        }
        c.hs_read = fds[0];
        c.hs_write = fds[1];
    }

    /* The first child runs on the lower half of the stack. */
    uintptr_t base = (uintptr_t)plan->stack;
    uintptr_t top = (base + (uint64_t)plan->stack_size / 2) & ~(uintptr_t)15;
    int pidfd = -1;
    struct clone_args ca = {
        .flags = plan->clone_flags | CLONE_VM | CLONE_PIDFD | CLONE_CHILD_CLEARTID |
                 (plan->cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
        .pidfd = (uintptr_t)&pidfd,
        .child_tid = (uintptr_t)&c.live,
        .exit_signal = SIGCHLD,
        .stack = base,
        .stack_size = top - base,
        .cgroup = plan->cgroup_fd >= 0 ? (uint64_t)plan->cgroup_fd : 0,
    };

    /* The child inherits the signal mask: block everything (also the signals
     * glibc reserves, hence no pthread_sigmask) so that no handler runs in
     * the child before it has reset them. */
    uint64_t all = ~(uint64_t)0, old;
    c.live = 1;
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    long pid = clone3_run(&ca, child_main, &c);
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);

    if (is_error(pid)) {
        if (c.hs_read >= 0) {
            close(c.hs_read);
            close(c.hs_write);
        }
        result->failed_step = JISO_FAIL_CLONE;
        result->error = (int32_t)-pid;
        return -1;
    }
    result->pid = (int32_t)pid;
    result->pidfd = pidfd;

    if (c.hs_read >= 0) {
        /* Our copy of the read end stays open until the byte is written: the
         * pipe then always has a reader and a dead child cannot raise
         * SIGPIPE in the caller. */
        int failed = parent_work(plan, (pid_t)pid, result);
        /* 1 = go on, 0 = give up. A byte rather than just closing: another
         * thread's child may hold a copy of the write end, so EOF could come
         * late. */
        unsigned char b = failed == 0;
        ssize_t r;
        do
            r = write(c.hs_write, &b, 1);
        while (r < 0 && errno == EINTR);
        close(c.hs_write);
        close(c.hs_read);
    }

    /* Our frame (c) and the caller's stack and plan memory are in use until
     * the child executes or exits, and a JISO_OP_SPAWN child until it does:
     * it outlives its creator's use of them when it executes after a
     * JISO_OP_AWAIT_CREATOR, or when the creator was killed. */
    wait_cleared(&c.live);
    wait_cleared(&c.live_spawned);

    if (__atomic_load_n(&c.failed, __ATOMIC_ACQUIRE) &&
        result->failed_step == JISO_FAIL_NONE) {
        result->failed_step = c.fail_step;
        result->error = c.fail_errno;
    }
    return result->failed_step == JISO_FAIL_NONE ? 0 : -1;
}
