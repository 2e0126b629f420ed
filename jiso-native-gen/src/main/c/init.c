/*
 * init.c: jiso-init, PID 1 of a sandbox's pid namespace.
 *
 *   jiso-init <main-pid> <status-fd> [<lifeline-fd> [<limit>...]]
 *   jiso-init hold
 *
 * First sends SIGCONT to <main-pid>: jiso's main process waits for it before
 * its last steps (JISO_OP_AWAIT_CREATOR in jiso_plan.h), so that it runs none
 * of its own code before PID 1 is this program; to a process that does not
 * wait for it, SIGCONT does nothing.
 *
 * Reaps every process that ends up as its child, forwards every signal it
 * receives to <main-pid>, and when <main-pid> has been reaped writes a
 * struct report (init_limits.h: its raw wait status, whether init killed the
 * sandbox for a limit, the wall time since init started and the bytes of
 * output relayed) to <status-fd> (unless -1) in one write, and exits with its
 * exit code, or 128 + the signal that killed it. Exits 127 on bad arguments
 * or if the main process is not (or no longer) its child. Prints nothing.
 *
 * <limit> arguments (CPU time, wall time, output) are described in
 * init_limits.h.
 *
 * <lifeline-fd>, if given and not -1, is a pidfd of the JVM: when it turns
 * readable (the JVM has exited) init exits 137, and the kernel kills every
 * other process of the namespace with it. This ties the sandbox to the JVM
 * process rather than to the JVM thread that created it, which is what
 * PR_SET_PDEATHSIG would do.
 *
 * "hold" keeps a process in a namespace until the JVM has opened it: it
 * reads fd 0 until end of file (the JVM closes the pipe's other end) and
 * exits 0. jiso builds its root templates that way.
 *
 * All signals are blocked and read from a signalfd: a pid namespace's init
 * ignores signals it has no handler for, but blocked signals are queued.
 *
 * Freestanding (no libc, its own _start): every sandbox with a pid namespace
 * executes this, and a static glibc binary takes about three times as long
 * to start (measured: 430 us against 140 us for spawn to exit).
 */
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/signalfd.h>

#include "raw_syscall.h"
#include "init_limits.h"

#define CALL(nr, a, b, c, d) raw_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static __attribute__((noreturn)) void leave(int code)
{
    for (;;)
        CALL(SYS_exit_group, code, 0, 0, 0);
}

/* A decimal int >= -1, or leave(127). */
static long parse(const char *s)
{
    int negative = *s == '-';
    long v = 0;
    s += negative;
    if (!*s)
        leave(127);
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > INT32_MAX / 10)
            leave(127);
        v = v * 10 + (*s - '0');
    }
    v = negative ? -v : v;
    if (v < -1)
        leave(127);
    return v;
}

static int is_hold(const char *s)
{
    return s[0] == 'h' && s[1] == 'o' && s[2] == 'l' && s[3] == 'd' && s[4] == 0;
}

static __attribute__((noreturn)) void hold(void)
{
    char c;
    long r;
    do
        r = CALL(SYS_read, 0, &c, 1, 0);
    while (r > 0 || r == -4 /* EINTR */);
    leave(r == 0 ? 0 : 127);
}

static struct limits limits;

static __attribute__((noreturn)) void finish(int status, int status_fd)
{
    limits_drain(&limits);
    if (status_fd >= 0) {
        struct report report = {.status = status};
        limits_report(&limits, &report);
        long r;
        do
            r = CALL(SYS_write, status_fd, &report, sizeof report, 0);
        while (r == -4 /* EINTR */);
    }
    leave(WIFEXITED(status) ? WEXITSTATUS(status)
          : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127);
}

static void reap(long main_pid, int status_fd)
{
    for (;;) {
        int status;
        long p = CALL(SYS_wait4, -1, &status, WNOHANG, 0);
        if (p == main_pid)
            finish(status, status_fd);
        if (p == 0)
            return;
        if (p < 0 && p != -4 /* EINTR */)
            leave(127); /* ECHILD: the main process was never ours */
    }
}

/* The kernel's struct sigaction for rt_sigaction, not libc's. */
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

__attribute__((noreturn, used)) void jiso_init_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    if (argc == 2 && is_hold(argv[1]))
        hold();
    if (argc < 3)
        leave(127);
    long main_pid = parse(argv[1]);
    int status_fd = (int)parse(argv[2]);
    int lifeline = argc >= 4 ? (int)parse(argv[3]) : -1;
    if (main_pid <= 0)
        leave(127);
    limits_init(&limits);
    for (long i = 4; i < argc; i++)
        if (limits_arg(&limits, argv[i]))
            leave(127);
    CALL(SYS_kill, main_pid, SIGCONT, 0, 0);

    uint64_t all = ~(uint64_t)0;
    CALL(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, sizeof all);
    struct kernel_sigaction dfl = {0}; /* SIG_DFL: SIG_IGN would reap behind our back */
    CALL(SYS_rt_sigaction, SIGCHLD, &dfl, 0, sizeof dfl.mask);
    long signals = CALL(SYS_signalfd4, -1, &all, sizeof all, SFD_CLOEXEC);
    if (signals < 0)
        leave(127);

    if (limits_start(&limits))
        leave(127);

    reap(main_pid, status_fd); /* its SIGCHLD may be pending already */
    for (;;) {
        /* a negative fd is ignored by ppoll: without a lifeline only signals wake us */
        struct pollfd wait[2 + 3] = {{(int)signals, POLLIN, 0}, {lifeline, POLLIN, 0}};
        int extra = limits_pollfds(&limits, wait + 2);
        if (CALL(SYS_ppoll, wait, 2 + extra, 0, 0) < 0)
            continue; /* EINTR */
        if (wait[1].revents)
            leave(128 + SIGKILL); /* the JVM is gone: so is the sandbox */
        limits_ready(&limits, wait + 2, extra);
        if (!wait[0].revents)
            continue;
        struct signalfd_siginfo info;
        if (CALL(SYS_read, signals, &info, sizeof info, 0) != sizeof info)
            continue;
        if (info.ssi_signo == SIGCHLD)
            reap(main_pid, status_fd);
        else
            CALL(SYS_kill, main_pid, info.ssi_signo, 0, 0);
    }
}

/* The entry point: hand the initial stack pointer (argc, argv...) to C with
 * the stack aligned as the ABI wants. */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
        "  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call jiso_init_main\n  hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n"
        "  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  and sp, x0, #-16\n  bl jiso_init_main\n  brk #0\n");
#endif
