/*
 * init.c: jiso-init, PID 1 of a sandbox's pid namespace.
 *
 *   jiso-init <main-pid> <status-fd>
 *
 * Reaps every process that ends up as its child, forwards every signal it
 * receives to <main-pid>, and when <main-pid> has been reaped writes its raw
 * 4-byte wait status to <status-fd> (unless -1) and exits with its exit code,
 * or 128 + the signal that killed it. Exits 127 on bad arguments or if the
 * main process is not (or no longer) its child. Prints nothing.
 *
 * All signals are blocked and taken with rt_sigtimedwait: a pid namespace's
 * init ignores signals it has no handler for, but blocked signals are queued.
 * The raw syscall takes the full set, which glibc's sigwaitinfo would trim.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long parse(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < -1 || v > INT32_MAX)
        _exit(127);
    return v;
}

static void finish(int status, int status_fd)
{
    if (status_fd >= 0) {
        ssize_t r;
        do
            r = write(status_fd, &status, sizeof status);
        while (r < 0 && errno == EINTR);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status)
          : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127);
}

static void reap(pid_t main_pid, int status_fd)
{
    for (;;) {
        int status;
        pid_t p = waitpid(-1, &status, WNOHANG);
        if (p == main_pid)
            finish(status, status_fd);
        if (p == 0)
            return;
        if (p < 0 && errno != EINTR)
            _exit(127); /* ECHILD: the main process was never ours */
    }
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 127;
    long main_pid = parse(argv[1]);
    int status_fd = (int)parse(argv[2]);
    if (main_pid <= 0)
        return 127;

    uint64_t all = ~(uint64_t)0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof all);
    signal(SIGCHLD, SIG_DFL); /* SIG_IGN would reap behind our back */

    reap((pid_t)main_pid, status_fd); /* its SIGCHLD may be pending already */
    for (;;) {
        siginfo_t info;
        long sig = syscall(SYS_rt_sigtimedwait, &all, &info, NULL, sizeof all);
        if (sig == SIGCHLD)
            reap((pid_t)main_pid, status_fd);
        else if (sig > 0)
            kill((pid_t)main_pid, (int)sig);
    }
}
