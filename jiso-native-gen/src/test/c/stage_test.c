/*
 * stage_test.c: tests of libjiso.so (jiso_spawn) and jiso-init against the
 * running kernel. As root, or as a user allowed unprivileged user namespaces:
 * then a plan that makes namespaces makes a user namespace first, as jiso
 * does for a JVM that is not root. Usage:
 *   stage_test <path of jiso-init>
 *   stage_test --emulator=<qemu-user binary> <path of jiso-init>
 * The second form runs under a user-mode emulator (qemu-aarch64 on an x86_64
 * host): jiso-init is then executed through the emulator, and if the emulator
 * refuses jiso_spawn's clone3 (see probe_emulator) only the tests that need no
 * spawn run, and the rest is reported as skipped with the emulator's errno.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "jiso_plan.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int failures, passes;
static const char *init_path;
static const char *emulator; /* NULL, or the qemu-user binary this test runs under */

#define CHECK(cond, ...)                                            \
    do {                                                            \
        if (!(cond)) {                                              \
            fprintf(stderr, "  FAILED %s:%d: %s: ", __func__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                           \
            fputc('\n', stderr);                                    \
            ok = 0;                                                 \
        }                                                           \
    } while (0)

#define MAXSTEPS 16
#define STACK_SIZE (64 * 1024)

struct tplan {
    struct jiso_plan p;
    struct jiso_step s[MAXSTEPS];
    int64_t r[MAXSTEPS];
    struct jiso_parent_write w[4];
    _Alignas(16) unsigned char stack[STACK_SIZE];
};

static const uint64_t no_signals = 0;
static char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
/* "0 <our uid> 1": the one mapping an unprivileged process may write */
static char caller_as_root[32];

static void add_write(struct tplan *t, const char *proc_file, const char *data);

static void tinit(struct tplan *t, uint64_t flags)
{
    const uint64_t namespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
                                CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;
    memset(t, 0, offsetof(struct tplan, stack));
    t->p.version = JISO_PLAN_VERSION;
    t->p.clone_flags = flags;
    t->p.cgroup_fd = -1;
    t->p.steps = t->s;
    t->p.results = t->r;
    t->p.parent_writes = t->w;
    t->p.stack = t->stack;
    t->p.stack_size = sizeof t->stack;
    for (int i = 0; i < MAXSTEPS; i++)
        t->r[i] = 0x5a5a;
    /* Without root only the owner of a user namespace may make the others. */
    if (getuid() != 0 && (flags & namespaces) && !(flags & CLONE_NEWUSER)) {
        t->p.clone_flags |= CLONE_NEWUSER;
        add_write(t, "uid_map", caller_as_root);
    }
}

/* Adds a step; returns its index. */
#define STEP(t, nr, ...) add_step((t), (nr), (int64_t[6]){__VA_ARGS__})
static int add_step(struct tplan *t, int64_t nr, const int64_t *a)
{
    int i = (int)t->p.step_count++;
    t->s[i].nr = nr;
    memcpy(t->s[i].arg, a, sizeof t->s[i].arg);
    return i;
}
#define ADDR(p) ((int64_t)(uintptr_t)(p))
#define UNBLOCK(t) STEP(t, SYS_rt_sigprocmask, SIG_SETMASK, ADDR(&no_signals), 0, 8)
#define EXEC(t, argv) STEP(t, SYS_execve, ADDR((argv)[0]), ADDR(argv), ADDR(envp))

static void add_write(struct tplan *t, const char *proc_file, const char *data)
{
    struct jiso_parent_write *w = &t->w[t->p.parent_write_count++];
    w->proc_file = proc_file;
    w->data = data;
    w->length = data ? (int64_t)strlen(data) : 0;
}

/* Waits (at most 10 s) for the child and returns its wait status; closes the pidfd. */
static int reap(int pidfd)
{
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    if (poll(&pfd, 1, 10000) != 1) {
        fprintf(stderr, "  child hangs, killing it\n");
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    }
    siginfo_t si = {0};
    if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) != 0) {
        perror("waitid");
        close(pidfd);
        return -1;
    }
    close(pidfd);
    /* back to a wait status */
    return si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8 : si.si_status & 0x7f;
}
static int EXITED_WITH(int st, int code) { return WIFEXITED(st) && WEXITSTATUS(st) == code; }

/* Runs a plan; returns jiso_spawn's value. */
static int spawn(struct tplan *t, struct jiso_result *res)
{
    memset(res, 0x77, sizeof *res);
    return jiso_spawn(&t->p, res);
}

static void report(const char *name, int ok)
{
    if (ok)
        passes++;
    else
        failures++;
    printf("%s - %s\n", ok ? "ok" : "not ok", name);
    fflush(stdout);
}

static char *const argv_true[] = {"/bin/true", NULL};

/* ---- tests -------------------------------------------------------------- */

static void test_plain(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    tinit(&t, 0);
    UNBLOCK(&t);
    EXEC(&t, argv_true);
    int rc = spawn(&t, &res);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(res.failed_step == JISO_FAIL_NONE && res.error == 0, "%d %d", res.failed_step, res.error);
    CHECK(res.pid > 0 && res.pidfd >= 0, "pid %d pidfd %d", res.pid, res.pidfd);
    CHECK(t.r[0] == 0, "unblock result %lld", (long long)t.r[0]);
    if (res.pidfd >= 0) {
        int st = reap(res.pidfd);
        CHECK(EXITED_WITH(st, 0), "status %#x", st);
    }
    report("plain plan: unblock + execve /bin/true, exit 0", ok);
}

static void test_missing_exec(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv[] = {"/nonexistent/jiso", NULL};
    tinit(&t, 0);
    UNBLOCK(&t);
    EXEC(&t, argv);
    int rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == 1 && res.error == ENOENT, "rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    CHECK(res.pid > 0 && res.pidfd >= 0, "pid %d", res.pid);
    if (res.pidfd >= 0) {
        int st = reap(res.pidfd);
        CHECK(EXITED_WITH(st, 127), "status %#x", st);
    }
    report("execve of a missing path reports (step 1, ENOENT), exit 127", ok);
}

static void test_tolerated(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    tinit(&t, 0);
    STEP(&t, SYS_mkdirat, AT_FDCWD, ADDR("/tmp"), 0755);
    t.s[0].tolerated_errnos = 1ull << EEXIST;
    EXEC(&t, argv_true);
    int rc = spawn(&t, &res);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t.r[0] == -EEXIST, "result %lld", (long long)t.r[0]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "exit");

    t.s[0].tolerated_errnos = 1ull << ENOENT; /* not this one */
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == 0 && res.error == EEXIST, "rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");
    report("tolerated EEXIST goes on; an untolerated one fails", ok);
}

static void test_result_args(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv[] = {"/bin/sh", "-c",
                                 "[ \"$(readlink /proc/$$/fd/100)\" = /dev/null ]", NULL};
    tinit(&t, 0);
    int open_step = STEP(&t, SYS_openat, AT_FDCWD, ADDR("/dev/null"), O_RDONLY | O_CLOEXEC);
    int dup_step = STEP(&t, SYS_dup3, open_step, 100, 0);
    t.s[dup_step].result_args = 1u << 0;
    UNBLOCK(&t);
    EXEC(&t, argv);
    int rc = spawn(&t, &res);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t.r[open_step] >= 0 && t.r[dup_step] == 100, "open %lld dup %lld",
          (long long)t.r[open_step], (long long)t.r[dup_step]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "fd 100 is not /dev/null in the child");

    /* an index that is not a step */
    tinit(&t, 0);
    STEP(&t, SYS_getpid);
    STEP(&t, SYS_close, 7);
    t.s[1].result_args = 1u << 0;
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == 1 && res.error == EINVAL, "rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");
    report("result_args: openat then dup3 of its result; bad index -> EINVAL", ok);
}

static void test_uts_pid(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv[] = {"/bin/sh", "-c", "[ \"$(uname -n)\" = jiso-test ] && [ $$ = 1 ]",
                                 NULL};
    tinit(&t, CLONE_NEWUTS | CLONE_NEWPID);
    STEP(&t, SYS_sethostname, ADDR("jiso-test"), 9);
    STEP(&t, SYS_getpid);
    UNBLOCK(&t);
    EXEC(&t, argv);
    int rc = spawn(&t, &res);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t.r[1] == 1, "getpid in the child: %lld", (long long)t.r[1]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "hostname or pid wrong in the child");
    char host[256];
    gethostname(host, sizeof host);
    CHECK(strcmp(host, "jiso-test") != 0, "host name leaked");
    report("CLONE_NEWUTS|CLONE_NEWPID with sethostname", ok);
}

/* Reads everything from fd into buf (NUL-terminated). */
static void read_all(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && ((r = read(fd, buf + n, size - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
        if (r > 0)
            n += (size_t)r;
    buf[n] = 0;
}

static void test_spawn_op(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv_sh[] = {"/bin/sh", "-c", "echo $$", NULL};
    static char *const argv_sleep[] = {"/bin/sleep", "0", NULL};
    static char *const argv_missing[] = {"/nonexistent/jiso", NULL};
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        abort();

    tinit(&t, CLONE_NEWPID);
    int sp = STEP(&t, JISO_OP_SPAWN, 0);
    /* the new process: */
    STEP(&t, SYS_dup3, out[1], 1, 0);
    UNBLOCK(&t);
    EXEC(&t, argv_sh);
    /* the creator continues here: */
    t.s[sp].arg[0] = STEP(&t, SYS_wait4, sp, 0, 0, 0);
    t.s[t.s[sp].arg[0]].result_args = 1u << 0;
    UNBLOCK(&t);
    EXEC(&t, argv_sleep);
    int rc = spawn(&t, &res);
    close(out[1]);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t.r[sp] == 2, "spawn result %lld", (long long)t.r[sp]);
    CHECK(t.r[4] == 2, "wait4 result %lld", (long long)t.r[4]);
    char buf[64];
    read_all(out[0], buf, sizeof buf);
    close(out[0]);
    CHECK(strcmp(buf, "2\n") == 0, "output '%s'", buf);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "creator exit");

    /* the new process fails: its report is the result, and the creator,
     * which went on at once, executed its program */
    tinit(&t, CLONE_NEWPID);
    sp = STEP(&t, JISO_OP_SPAWN, 0);
    EXEC(&t, argv_missing);
    t.s[sp].arg[0] = EXEC(&t, argv_sleep);
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == 1 && res.error == ENOENT, "rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    CHECK(t.r[sp] == 2, "spawn result %lld", (long long)t.r[sp]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "creator exit");

    /* a spawned process must not spawn again */
    tinit(&t, 0);
    sp = STEP(&t, JISO_OP_SPAWN, 0);
    STEP(&t, JISO_OP_SPAWN, 3);
    EXEC(&t, argv_true);
    t.s[sp].arg[0] = EXEC(&t, argv_true);
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == 1 && res.error == EINVAL, "rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "creator exit");
    report("JISO_OP_SPAWN under CLONE_NEWPID (prints 2); failing spawned; nested", ok);
}

static void test_userns(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv[] = {"/bin/sh", "-c", "[ \"$(id -u)\" = 0 ]", NULL};
    char uid_map[64], gid_map[64];
    snprintf(uid_map, sizeof uid_map, "0 %d 1", (int)getuid());
    snprintf(gid_map, sizeof gid_map, "0 %d 1", (int)getgid());
    tinit(&t, CLONE_NEWUSER);
    add_write(&t, "setgroups", "deny");
    add_write(&t, "uid_map", uid_map);
    add_write(&t, "gid_map", gid_map);
    STEP(&t, SYS_getuid);
    STEP(&t, SYS_getgid);
    UNBLOCK(&t);
    EXEC(&t, argv);
    int rc = spawn(&t, &res);
    CHECK(rc == 0, "rc %d step %d errno %d detail %d", rc, res.failed_step, res.error,
          res.failed_detail);
    CHECK(t.r[0] == 0 && t.r[1] == 0, "uid %lld gid %lld", (long long)t.r[0], (long long)t.r[1]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "id -u is not 0");

    /* a failing parent write: the child gives up, the write's failure is reported */
    tinit(&t, CLONE_NEWUSER);
    add_write(&t, "setgroups", "deny");
    add_write(&t, "no_such_file", "x");
    STEP(&t, SYS_getuid);
    EXEC(&t, argv_true);
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == JISO_FAIL_PARENT_WRITE && res.failed_detail == 1 &&
              res.error == ENOENT,
          "rc %d step %d errno %d detail %d", rc, res.failed_step, res.error, res.failed_detail);
    CHECK(t.r[0] == 0x5a5a, "the child ran a step: %lld", (long long)t.r[0]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");

    /* a parent write with neither a program nor a /proc file: EINVAL */
    tinit(&t, 0);
    add_write(&t, NULL, "x");
    EXEC(&t, argv_true);
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == JISO_FAIL_PARENT_WRITE && res.failed_detail == 0 &&
              res.error == EINVAL,
          "rc %d step %d errno %d detail %d", rc, res.failed_step, res.error, res.failed_detail);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");
    report("CLONE_NEWUSER with parent writes (setgroups, uid_map, gid_map); failures", ok);
}

static void test_all_namespaces(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv[] = {"/bin/sh", "-c",
                                 "[ \"$(id -u)\" = 0 ] && [ $$ = 1 ] && "
                                 "awk '$1 == \"monotonic\" && $2 == 1000 { f = 1 } END { exit !f }' /proc/self/timens_offsets",
                                 NULL};
    char uid_map[64];
    snprintf(uid_map, sizeof uid_map, "0 %d 1", (int)getuid());
    tinit(&t, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
                  CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME);
    add_write(&t, "uid_map", uid_map);
    /* CLONE_VM: the child enters the new time namespace at execve */
    add_write(&t, "timens_offsets", "monotonic 1000 0");
    UNBLOCK(&t);
    EXEC(&t, argv);
    int rc = spawn(&t, &res);
    CHECK(rc == 0, "rc %d step %d errno %d detail %d", rc, res.failed_step, res.error,
          res.failed_detail);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "not in the namespaces");
    report("all eight namespaces in clone_flags (incl. CLONE_NEWTIME = 0x80)", ok);
}

/* Plans jiso_spawn refuses before it creates anything: no clone3 needed. */
static void test_plan_validation(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    int rc;
#define BAD(setup)                                                                    \
    tinit(&t, 0);                                                                     \
    EXEC(&t, argv_true);                                                              \
    setup;                                                                            \
    rc = spawn(&t, &res);                                                             \
    CHECK(rc == -1 && res.failed_step == JISO_FAIL_BAD_PLAN && res.pid == -1 &&       \
              res.pidfd == -1,                                                        \
          "%s: rc %d step %d", #setup, rc, res.failed_step)
    BAD(t.p.version = JISO_PLAN_VERSION + 1);
    BAD(t.p.step_count = 0);
    BAD(t.p.stack_size = 32 * 1024 - 16);
    BAD(t.p.stack = NULL);
    BAD(t.p.clone_flags = CLONE_FILES);
    BAD(t.p.clone_flags = CLONE_VFORK);
    BAD(t.p.clone_flags = SIGCHLD);
    BAD((t.p.parent_write_count = 1, t.p.parent_writes = NULL));
    report("plan validation: version, step count, stack, forbidden clone flags, parent writes", ok);
}

static void test_bad_plans(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    int rc;

    /* no execve */
    tinit(&t, 0);
    STEP(&t, SYS_getpid);
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == JISO_FAIL_NO_EXEC && res.error == 0, "step %d",
          res.failed_step);
    CHECK(t.r[0] > 0, "getpid %lld", (long long)t.r[0]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");

    /* clone3 fails: CLONE_INTO_CGROUP with a descriptor that is not open */
    tinit(&t, 0);
    EXEC(&t, argv_true);
    t.p.cgroup_fd = 1000;
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == JISO_FAIL_CLONE && res.error == EBADF && res.pid == -1 &&
              res.pidfd == -1,
          "rc %d step %d errno %d pid %d", rc, res.failed_step, res.error, res.pid);

    /* the minimal stack works */
    tinit(&t, CLONE_NEWPID);
    t.p.stack_size = 32 * 1024;
    int sp = STEP(&t, JISO_OP_SPAWN, 0);
    EXEC(&t, argv_true);
    t.s[sp].arg[0] = EXEC(&t, argv_true);
    rc = spawn(&t, &res);
    CHECK(rc == 0, "32 KiB stack: rc %d step %d errno %d", rc, res.failed_step, res.error);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "exit");
    report("no execve, clone3 failure, minimal stack", ok);
}

static void must_not_run(int sig)
{
    (void)sig;
    abort();
}

static void test_signals(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv[] = {"/bin/sh", "-c", "kill -TERM $$; exit 0", NULL};
    struct sigaction ign = {.sa_handler = SIG_IGN}, handler = {.sa_handler = must_not_run},
                     old_term, old_usr1;
    /* something the child must not see: an ignored SIGTERM, a handler for SIGUSR1 */
    sigaction(SIGTERM, &ign, &old_term);
    sigaction(SIGUSR1, &handler, &old_usr1);
    unsigned long seen[4] = {0x55, 0x55, 0x55, 0x55}; /* the kernel's struct sigaction */
    uint64_t mask_seen = 0;

    tinit(&t, 0);
    STEP(&t, SYS_rt_sigaction, SIGUSR1, 0, ADDR(seen), 8); /* writes our memory: shared */
    STEP(&t, SYS_rt_sigprocmask, SIG_BLOCK, 0, ADDR(&mask_seen), 8);
    UNBLOCK(&t);
    EXEC(&t, argv);
    int rc = spawn(&t, &res);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGUSR1, &old_usr1, NULL);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(seen[0] == (unsigned long)SIG_DFL, "SIGUSR1 handler in the child %#lx", seen[0]);
    /* all blocked but SIGKILL and SIGSTOP, which cannot be */
    CHECK(mask_seen == ~(1ull << (SIGKILL - 1) | 1ull << (SIGSTOP - 1)), "mask in the child %#llx",
          (unsigned long long)mask_seen);
    if (res.pidfd >= 0) {
        int st = reap(res.pidfd);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x (SIGTERM still ignored?)", st);
    }
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK(!sigismember(&cur, SIGTERM) && !sigismember(&cur, SIGUSR1), "caller's mask changed");
    report("child: all signals blocked, handlers reset (SIG_IGN and handler -> SIG_DFL)", ok);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
static double now(void);

static void test_waits(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static const struct timespec pause = {0, 150 * 1000 * 1000};

    /* The child closes every descriptor it has, then takes its time: the
     * caller must still wait until it has executed. */
    tinit(&t, 0);
    STEP(&t, SYS_close_range, 0, ~0u, 0);
    STEP(&t, SYS_nanosleep, ADDR(&pause), 0);
    int last = STEP(&t, SYS_getpid);
    EXEC(&t, argv_true);
    double t0 = now(), c0 = cpu_now();
    int rc = spawn(&t, &res);
    double t1 = now(), c1 = cpu_now();
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t1 - t0 >= 0.15, "returned after %.3f s", t1 - t0);
    CHECK(t.r[last] == res.pid, "last step's result %lld", (long long)t.r[last]);
    CHECK(c1 - c0 < 0.05, "the caller spun: %.3f s CPU", c1 - c0);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "exit");

    /* The spawned process kills its creator (which went on to sleep) and
     * goes on: the caller must wait for it too. It is reparented to us. */
    static char *const argv_long_sleep[] = {"/bin/sleep", "1000", NULL};
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    tinit(&t, 0);
    int sp = STEP(&t, JISO_OP_SPAWN, 0);
    int ppid = STEP(&t, SYS_getppid);
    STEP(&t, SYS_kill, ppid, SIGKILL);
    t.s[ppid + 1].result_args = 1u << 0;
    STEP(&t, SYS_nanosleep, ADDR(&pause), 0);
    last = STEP(&t, SYS_getpid);
    EXEC(&t, argv_true);
    t.s[sp].arg[0] = EXEC(&t, argv_long_sleep);
    t0 = now();
    rc = spawn(&t, &res);
    t1 = now();
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t.r[ppid] == res.pid, "creator %lld, pid %d", (long long)t.r[ppid], res.pid);
    CHECK(t1 - t0 >= 0.15, "returned after %.3f s", t1 - t0);
    CHECK(t.r[last] > 0 && t.r[last] != 0x5a5a, "last step's result %lld", (long long)t.r[last]);
    if (res.pidfd >= 0) {
        int st = reap(res.pidfd);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "creator status %#x", st);
    }
    if (t.r[last] > 0 && t.r[last] != 0x5a5a) {
        int st = -1;
        CHECK(waitpid((pid_t)t.r[last], &st, 0) == (pid_t)t.r[last] && EXITED_WITH(st, 0),
              "spawned status %#x", st);
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    report("caller waits for the child to leave its memory (fds closed; creator killed)", ok);
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One spawn of kind k (mixing success and failure paths); 1 if it went as expected. */
static int one_spawn(int k)
{
    struct tplan *t = malloc(sizeof *t);
    struct jiso_result res;
    static char *const argv_missing[] = {"/nonexistent/jiso", NULL};
    char map[32];
    int expect_rc = 0, expect_code = 0, good;
    tinit(t, 0);
    switch (k % 5) {
    case 0:
    case 1:
        EXEC(t, argv_true);
        break;
    case 2:
        EXEC(t, argv_missing);
        expect_rc = -1, expect_code = 127;
        break;
    case 3:
        t->p.clone_flags = CLONE_NEWUSER;
        snprintf(map, sizeof map, "0 %d 1", (int)getuid());
        add_write(t, "uid_map", map);
        EXEC(t, argv_true);
        break;
    default:
        t->p.clone_flags = CLONE_NEWUSER;
        add_write(t, "no_such_file", "x");
        EXEC(t, argv_true);
        expect_rc = -1, expect_code = 127;
        break;
    }
    int rc = spawn(t, &res);
    good = rc == expect_rc && res.pidfd >= 0;
    if (res.pidfd >= 0)
        good &= EXITED_WITH(reap(res.pidfd), expect_code);
    if (!good)
        fprintf(stderr, "  kind %d: rc %d step %d errno %d\n", k % 5, rc, res.failed_step,
                res.error);
    free(t);
    return good;
}

static void test_fd_leak(void)
{
    int ok = 1, bad = 0;
    struct tplan t;
    struct jiso_result res;
    int before = count_fds();
    double t0 = now();
    for (int i = 0; i < 1000; i++)
        bad += !one_spawn(i);
    double t1 = now();
    /* the paths without a child */
    for (int i = 0; i < 100; i++) {
        tinit(&t, 0);
        EXEC(&t, argv_true);
        add_write(&t, "uid_map", "x");
        t.p.cgroup_fd = 1000;
        spawn(&t, &res);
        t.p.version = 0;
        spawn(&t, &res);
    }
    int after = count_fds();
    CHECK(bad == 0, "%d spawns went wrong", bad);
    CHECK(before == after, "fds before %d after %d", before, after);
    printf("# 1000 spawns+reaps (mixed paths) in %.2f s, %.0f us each\n", t1 - t0,
           (t1 - t0) * 1e3);
    report("no fd leaks over 1000 spawns (success, exec failure, parent writes, write failure)", ok);
}

/* Adds a parent write that runs argv with the child's pid as argv[pid_arg]. */
static void add_run(struct tplan *t, char *const *argv, int pid_arg, char *output, size_t size)
{
    struct jiso_parent_write *w = &t->w[t->p.parent_write_count++];
    w->argv = argv;
    w->pid_arg = pid_arg;
    w->output = output;
    w->output_size = (int64_t)size;
}

/* A plan whose parent work is a /proc write (index 0; raising oom_score_adj
 * needs no privilege) and then argv (index 1), and whose child then calls
 * getpid (result 0) and executes true. */
static int spawn_running(struct tplan *t, char *const *argv, char *out, size_t size,
                         struct jiso_result *res)
{
    tinit(t, 0);
    add_write(t, "oom_score_adj", "1000");
    add_run(t, argv, 4, out, size);
    STEP(t, SYS_getpid);
    EXEC(t, argv_true);
    return spawn(t, res);
}

static void test_parent_run(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    char out[256], expected[64], script[160];
    /* A descriptor of ours without close-on-exec: the program must not get it. */
    int leaky = dup(1);
    snprintf(script, sizeof script, "echo pid=$1; echo to-stderr >&2; [ -e /proc/$$/fd/%d ] &&"
             " echo fd-leaked; readlink /proc/$$/fd/0", leaky);
    char *const argv_ok[] = {"/bin/sh", "-c", script, "sh", "<pid>", NULL};

    int rc = spawn_running(&t, argv_ok, out, sizeof out, &res);
    CHECK(rc == 0, "rc %d step %d errno %d detail %d status %d", rc, res.failed_step, res.error,
          res.failed_detail, res.wait_status);
    CHECK(res.wait_status == -1, "wait_status %d", res.wait_status);
    snprintf(expected, sizeof expected, "pid=%d\nto-stderr\n/dev/null\n", res.pid);
    CHECK(strcmp(out, expected) == 0, "output '%s', expected '%s'", out, expected);
    CHECK(t.r[0] > 0, "the child did not go on: %lld", (long long)t.r[0]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "exit");
    close(leaky);
    report("parent run: child's pid in argv, stdout+stderr captured, stdin /dev/null, no other fd", ok);

    /* exit 3: the spawn fails with the status and the output; the child runs no step */
    ok = 1;
    static char *const argv_fail[] = {"/bin/sh", "-c", "echo \"$1 is not allowed\" >&2; exit 3",
                                      "sh", "<pid>", NULL};
    rc = spawn_running(&t, argv_fail, out, sizeof out, &res);
    CHECK(rc == -1 && res.failed_step == JISO_FAIL_PARENT_RUN && res.failed_detail == 1 &&
              res.error == 0 && EXITED_WITH(res.wait_status, 3),
          "rc %d step %d errno %d detail %d status %#x", rc, res.failed_step, res.error,
          res.failed_detail, res.wait_status);
    snprintf(expected, sizeof expected, "%d is not allowed\n", res.pid);
    CHECK(strcmp(out, expected) == 0, "output '%s'", out);
    CHECK(t.r[0] == 0x5a5a, "the child ran a step: %lld", (long long)t.r[0]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");
    report("parent run exiting 3: JISO_FAIL_PARENT_RUN, its wait status and stderr; child gives up", ok);
}

static void test_parent_run_refused(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    int before = count_fds();
    static char *const argv_missing[] = {"/nonexistent/newuidmap", "<pid>", NULL};
    static char *const argv_relative[] = {"sh", "<pid>", NULL};
    static char *const argv_sh[] = {"/bin/sh", "-c", "true", "sh", "<pid>", NULL};
    struct {
        char *const *argv;
        int pid_arg, error;
    } bad[] = {{argv_missing, 1, ENOENT}, {argv_relative, 1, EINVAL}, {argv_sh, 0, EINVAL},
               {argv_sh, 5, EINVAL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tinit(&t, 0);
        add_run(&t, bad[i].argv, bad[i].pid_arg, NULL, 0);
        EXEC(&t, argv_true);
        int rc = spawn(&t, &res);
        CHECK(rc == -1 && res.failed_step == JISO_FAIL_PARENT_RUN && res.failed_detail == 0 &&
                  res.error == bad[i].error && res.wait_status == -1,
              "case %zu: rc %d step %d errno %d status %d", i, rc, res.failed_step, res.error,
              res.wait_status);
        if (res.pidfd >= 0)
            CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");
    }
    report("parent run of a missing program: ENOENT; relative path or bad pid_arg: EINVAL", ok);

    /* more output than the buffer and the pipe hold: kept truncated, the rest drained */
    ok = 1;
    static char *const argv_much[] = {"/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x",
                                      "sh", "<pid>", NULL};
    char small[8];
    int rc = spawn_running(&t, argv_much, small, sizeof small, &res);
    CHECK(rc == 0, "rc %d step %d status %#x", rc, res.failed_step, res.wait_status);
    CHECK(strcmp(small, "xxxxxxx") == 0, "output '%s'", small);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "exit");
    CHECK(count_fds() == before, "fds before %d after %d", before, count_fds());
    report("parent run with 300 KB of output: 7 bytes kept, NUL-terminated; no fd left", ok);
}

static void *thread_spawns(void *arg)
{
    long bad = 0;
    for (int i = 0; i < 200; i++)
        bad += !one_spawn(i + (int)(intptr_t)arg);
    return (void *)bad;
}

static void test_threads(void)
{
    int ok = 1;
    pthread_t th[4];
    long bad = 0;
    double t0 = now();
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, thread_spawns, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    CHECK(bad == 0, "%ld spawns went wrong", bad);
    printf("# 4 threads x 200 spawns in %.2f s\n", now() - t0);
    report("4 threads spawning concurrently", ok);
}

/* ---- jiso-init ------------------------------------------------------------ */

/* Plan: PID 1 of a new pid namespace spawns `sh -c script` (pid 2) and execs
 * jiso-init 2 <fd 10 = status pipe>; ready_w (or -1) becomes fd 9 of sh. */
static int spawn_under_init(struct tplan *t, const char *script, int status_w, int ready_w,
                            struct jiso_result *res)
{
    static char *argv_sh[4] = {"/bin/sh", "-c", NULL, NULL};
    static char *argv_init[4] = {NULL, "2", "10", NULL};
    argv_sh[2] = (char *)script;
    argv_init[0] = (char *)init_path;
    tinit(t, CLONE_NEWPID);
    int sp = STEP(t, JISO_OP_SPAWN, 0);
    if (ready_w >= 0)
        STEP(t, SYS_dup3, ready_w, 9, 0);
    UNBLOCK(t);
    EXEC(t, argv_sh);
    /* the creator: fd 10 without O_CLOEXEC, signals stay blocked for init */
    t->s[sp].arg[0] = STEP(t, SYS_dup3, status_w, 10, 0);
    EXEC(t, argv_init);
    return spawn(t, res);
}

static void test_init(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    int status[2], ready[2];

    /* exit code and raw status */
    if (pipe2(status, O_CLOEXEC) != 0)
        abort();
    int rc = spawn_under_init(&t, "sleep 0.2; exit 3", status[1], -1, &res);
    close(status[1]);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t.r[0] == 2, "main pid %lld", (long long)t.r[0]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 3), "init's exit code");
    struct { int32_t status, killed_for; int64_t wall_ns, output_bytes; } rep = {-1, -1, -1, 0};
    CHECK(read(status[0], &rep, sizeof rep) == sizeof rep && EXITED_WITH(rep.status, 3), "raw status %#x", rep.status);
    CHECK(rep.killed_for == 0 && rep.output_bytes == -1, "killed_for %d, output %lld", rep.killed_for,
          (long long)rep.output_bytes);
    CHECK(rep.wall_ns >= 150000000 && rep.wall_ns < 5000000000LL, "wall %lld ns", (long long)rep.wall_ns);
    CHECK(read(status[0], &rep, sizeof rep) == 0, "more than one report");
    close(status[0]);
    report("jiso-init: main exits 3 -> init exits 3, its report on the pipe (status, wall time)", ok);

    /* SIGTERM to init's pidfd reaches the main */
    ok = 1;
    if (pipe2(status, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0)
        abort();
    rc = spawn_under_init(&t,
                          "trap 'exit 7' TERM; echo r >&9; exec 9>&-; "
                          "while :; do sleep 0.05; done",
                          status[1], ready[1], &res);
    close(status[1]);
    close(ready[1]);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    char c;
    CHECK(read(ready[0], &c, 1) == 1, "main not ready");
    close(ready[0]);
    if (res.pidfd >= 0) {
        CHECK(syscall(SYS_pidfd_send_signal, res.pidfd, SIGTERM, NULL, 0) == 0, "%m");
        CHECK(EXITED_WITH(reap(res.pidfd), 7), "init's exit code");
    }
    int raw = -1;
    CHECK(read(status[0], &raw, 4) == 4 && EXITED_WITH(raw, 7), "raw status %#x", raw);
    close(status[0]);
    report("jiso-init: SIGTERM to init's pidfd is forwarded (trap exits 7)", ok);

    /* main killed by a signal */
    ok = 1;
    if (pipe2(status, O_CLOEXEC) != 0)
        abort();
    rc = spawn_under_init(&t, "kill -KILL $$", status[1], -1, &res);
    close(status[1]);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 128 + SIGKILL), "init's exit code");
    raw = -1;
    CHECK(read(status[0], &raw, 4) == 4 && WIFSIGNALED(raw) && WTERMSIG(raw) == SIGKILL,
          "raw status %#x", raw);
    close(status[0]);
    report("jiso-init: main killed by SIGKILL -> init exits 137", ok);

    /* status fd -1, and a main that is not its child */
    ok = 1;
    static char *argv_bad[] = {NULL, "5", "-1", NULL};
    argv_bad[0] = (char *)init_path;
    tinit(&t, CLONE_NEWPID);
    EXEC(&t, argv_bad);
    rc = spawn(&t, &res);
    CHECK(rc == 0, "rc %d", rc);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "init's exit code");
    report("jiso-init: main pid that is not its child -> 127", ok);

    /* hold: alive until its stdin reaches end of file, then exits 0 */
    ok = 1;
    int hold[2];
    if (pipe2(hold, O_CLOEXEC) != 0)
        abort();
    static char *argv_hold[] = {NULL, "hold", NULL};
    argv_hold[0] = (char *)init_path;
    tinit(&t, 0);
    STEP(&t, SYS_dup3, hold[0], 0, 0);
    EXEC(&t, argv_hold);
    rc = spawn(&t, &res);
    close(hold[0]);
    CHECK(rc == 0, "rc %d", rc);
    if (res.pidfd >= 0) {
        struct pollfd p = {.fd = res.pidfd, .events = POLLIN};
        CHECK(poll(&p, 1, 100) == 0, "hold exited before end of file");
        close(hold[1]);
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "hold's exit code");
    }
    report("jiso-init hold: runs until its stdin is closed, then exits 0", ok);

    /* lifeline: init exits 137 when the process behind its pidfd exits, taking the main with it */
    ok = 1;
    pid_t jvm = fork();
    if (jvm == 0) {
        pause();
        _exit(0);
    }
    int lifeline = (int)syscall(SYS_pidfd_open, jvm, 0);
    if (pipe2(status, O_CLOEXEC) != 0 || lifeline < 0)
        abort();
    static char *argv_sleep[] = {"/bin/sleep", "1000", NULL};
    static char *argv_watch[] = {NULL, "2", "10", "11", NULL};
    argv_watch[0] = (char *)init_path;
    tinit(&t, CLONE_NEWPID);
    int sp = STEP(&t, JISO_OP_SPAWN, 0);
    UNBLOCK(&t);
    EXEC(&t, argv_sleep);
    t.s[sp].arg[0] = STEP(&t, SYS_dup3, status[1], 10, 0);
    STEP(&t, SYS_dup3, lifeline, 11, 0);
    EXEC(&t, argv_watch);
    rc = spawn(&t, &res);
    close(status[1]);
    close(lifeline);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    if (res.pidfd >= 0) {
        struct pollfd p = {.fd = res.pidfd, .events = POLLIN};
        CHECK(poll(&p, 1, 100) == 0, "init exited while the lifeline lived");
        kill(jvm, SIGKILL);
        waitpid(jvm, NULL, 0);
        CHECK(EXITED_WITH(reap(res.pidfd), 128 + SIGKILL), "init's exit code");
    }
    CHECK(read(status[0], &raw, 4) == 0, "no status: the main was killed with the namespace");
    close(status[0]);
    report("jiso-init: exits 137 when its lifeline pidfd's process exits", ok);
}

/* ---- JISO_OP_AWAIT_CREATOR -------------------------------------------------- */

#define AWAIT(t) STEP(t, JISO_OP_AWAIT_CREATOR)
#define CLOCK(t, ts) STEP(t, SYS_clock_gettime, CLOCK_MONOTONIC, ADDR(ts))
static double secs(const struct timespec *ts) { return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9; }

/* PID 1 mounts a /proc of its pid namespace; the main process's first steps
 * after its await read /proc/1/cmdline and /proc/1/comm into our memory; PID 1
 * executes jiso-init. 200 times: the main must always see jiso-init, never the
 * creator still sharing our memory (our cmdline) or half-way through execve. */
static void test_await_sees_init(void)
{
    int ok = 1, wrong = 0;
    static char *argv_init[] = {NULL, "2", "-1", NULL};
    argv_init[0] = (char *)init_path;
    char expected[4200];
    int expected_len = snprintf(expected, sizeof expected, "%s%c2%c-1", init_path, 0, 0) + 1;
    for (int n = 0; n < 200; n++) {
        struct tplan t;
        struct jiso_result res;
        static char cmdline[4200], comm[64];
        memset(cmdline, 0, sizeof cmdline);
        memset(comm, 0, sizeof comm);
        tinit(&t, CLONE_NEWNS | CLONE_NEWPID);
        STEP(&t, SYS_mount, 0, ADDR("/"), 0, MS_REC | MS_PRIVATE, 0);
        STEP(&t, SYS_mount, ADDR("proc"), ADDR("/proc"), ADDR("proc"), MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
        int sp = STEP(&t, JISO_OP_SPAWN, 0);
        AWAIT(&t);
        int fd = STEP(&t, SYS_openat, AT_FDCWD, ADDR("/proc/1/cmdline"), O_RDONLY | O_CLOEXEC);
        int len = STEP(&t, SYS_read, fd, ADDR(cmdline), sizeof cmdline - 1);
        t.s[len].result_args = 1u << 0;
        fd = STEP(&t, SYS_openat, AT_FDCWD, ADDR("/proc/1/comm"), O_RDONLY | O_CLOEXEC);
        STEP(&t, SYS_read, fd, ADDR(comm), sizeof comm - 1);
        t.s[fd + 1].result_args = 1u << 0;
        EXEC(&t, argv_true);
        t.s[sp].arg[0] = EXEC(&t, argv_init);
        int rc = spawn(&t, &res);
        if (res.pidfd >= 0)
            CHECK(EXITED_WITH(reap(res.pidfd), 0), "init's exit");
        CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
        if (rc != 0)
            break;
        if ((t.r[len] != expected_len || memcmp(cmdline, expected, (size_t)expected_len) != 0 ||
             strcmp(comm, "jiso-init\n") != 0) &&
            wrong++ == 0) {
            for (int i = 0; i < t.r[len] && i < (int)sizeof cmdline; i++)
                cmdline[i] = cmdline[i] ? cmdline[i] : ' ';
            fprintf(stderr, "  PID 1 seen as '%s' (%lld bytes), comm '%s'\n", cmdline, (long long)t.r[len], comm);
        }
    }
    CHECK(wrong == 0, "%d of 200 main processes saw PID 1 before it was jiso-init", wrong);
    report("await: the main process's first read of /proc/1 always shows jiso-init (200 runs)", ok);
}

struct foreign_cont {
    volatile int64_t *pid_slot;
    int sent;
};

/* Sends SIGCONT to the spawned process from us (not its creator) as soon as
 * its pid shows up in the plan's results, a few times. */
static void *send_foreign_cont(void *arg)
{
    struct foreign_cont *f = arg;
    for (int i = 0; i < 2000 && *f->pid_slot == 0x5a5a; i++)
        usleep(1000);
    for (int i = 0; i < 5 && *f->pid_slot != 0x5a5a; i++) {
        f->sent += kill((pid_t)*f->pid_slot, SIGCONT) == 0;
        usleep(20000);
    }
    return NULL;
}

/* The spawned process passes its AWAIT only after the creator's program has
 * sent SIGCONT (here after 0.3 s), not on a SIGCONT from anyone else; the
 * creator goes on at once, while the spawned process still runs its steps
 * (here a 0.15 s sleep before the AWAIT). */
static void test_await_order(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv_creator[] = {
        "/bin/sh", "-c",
        "sleep 0.3; for p in $(cat /proc/$$/task/$$/children); do kill -CONT $p 2>/dev/null; done; wait",
        NULL};
    static const struct timespec steps_take = {0, 150 * 1000 * 1000};
    struct timespec before_await = {0}, after_await = {0}, creator_goes_on = {0}, start;
    tinit(&t, 0);
    int sp = STEP(&t, JISO_OP_SPAWN, 0);
    int own_pid = STEP(&t, SYS_getpid);
    STEP(&t, SYS_nanosleep, ADDR(&steps_take), 0);
    CLOCK(&t, &before_await);
    int await = AWAIT(&t);
    CLOCK(&t, &after_await);
    UNBLOCK(&t);
    EXEC(&t, argv_true);
    t.s[sp].arg[0] = CLOCK(&t, &creator_goes_on);
    EXEC(&t, argv_creator);
    struct foreign_cont f = {.pid_slot = &t.r[own_pid]};
    pthread_t th;
    pthread_create(&th, NULL, send_foreign_cont, &f);
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = spawn(&t, &res);
    pthread_join(th, NULL);
    CHECK(rc == 0, "rc %d step %d errno %d", rc, res.failed_step, res.error);
    CHECK(t.r[await] == 0, "await result %lld", (long long)t.r[await]);
    CHECK(f.sent > 0, "no foreign SIGCONT could be sent");
    CHECK(secs(&creator_goes_on) > 0 && secs(&creator_goes_on) + 0.1 < secs(&before_await),
          "the creator went on (%.6f) only when the spawned process reached the await (%.6f)",
          secs(&creator_goes_on), secs(&before_await));
    CHECK(secs(&after_await) - secs(&start) >= 0.3,
          "passed the await %.3f s after the start: before the creator's SIGCONT",
          secs(&after_await) - secs(&start));
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 0), "creator's exit");
    report("await: the creator goes on at once; only the creator's program releases the spawned", ok);
}

/* Failures on either side are reported and nothing hangs. */
static void test_await_failures(void)
{
    int ok = 1;
    struct tplan t;
    struct jiso_result res;
    static char *const argv_missing[] = {"/nonexistent/jiso", NULL};
    static char *argv_init[] = {NULL, "2", "-1", NULL};
    argv_init[0] = (char *)init_path;
    double t0;

    /* the spawned process fails before its await while the creator goes on
     * and becomes jiso-init: the spawned's failure is reported; jiso-init
     * reaps it and exits 127 */
    tinit(&t, CLONE_NEWPID);
    int sp = STEP(&t, JISO_OP_SPAWN, 0);
    int bad = STEP(&t, SYS_close, 1000);
    AWAIT(&t);
    EXEC(&t, argv_true);
    int cont = STEP(&t, SYS_getpid);
    t.s[sp].arg[0] = cont;
    EXEC(&t, argv_init);
    int rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == bad && res.error == EBADF, "before: rc %d step %d errno %d", rc,
          res.failed_step, res.error);
    CHECK(t.r[cont] > 0 && t.r[cont] != 0x5a5a, "the creator did not go on: %lld", (long long)t.r[cont]);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "init's exit");

    /* the spawned process fails after its await: reported; jiso-init reaps it and exits 127 */
    tinit(&t, CLONE_NEWPID);
    sp = STEP(&t, JISO_OP_SPAWN, 0);
    AWAIT(&t);
    int exec_step = EXEC(&t, argv_missing);
    t.s[sp].arg[0] = EXEC(&t, argv_init);
    t0 = now();
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == exec_step && res.error == ENOENT, "after: rc %d step %d errno %d", rc,
          res.failed_step, res.error);
    CHECK(now() - t0 < 5, "took %.1f s", now() - t0);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "init's exit");

    /* the creator fails while the spawned process awaits, as PID 1: the
     * namespace ends, the creator's failure is reported */
    tinit(&t, CLONE_NEWPID);
    sp = STEP(&t, JISO_OP_SPAWN, 0);
    AWAIT(&t);
    EXEC(&t, argv_true);
    int creator_exec = EXEC(&t, argv_missing);
    t.s[sp].arg[0] = creator_exec;
    t0 = now();
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == creator_exec && res.error == ENOENT, "PID 1: rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    CHECK(now() - t0 < 5, "took %.1f s", now() - t0);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "creator's exit");

    /* the same without a pid namespace or a parent-death signal: the spawned
     * process notices the creator is gone (ESRCH, but the creator's report wins) */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    tinit(&t, 0);
    sp = STEP(&t, JISO_OP_SPAWN, 0);
    int own_pid = STEP(&t, SYS_getpid);
    AWAIT(&t);
    EXEC(&t, argv_true);
    creator_exec = EXEC(&t, argv_missing);
    t.s[sp].arg[0] = creator_exec;
    t0 = now();
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == creator_exec && res.error == ENOENT, "no pid ns: rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    CHECK(now() - t0 < 5, "took %.1f s", now() - t0);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "creator's exit");
    int st = -1;
    CHECK(t.r[own_pid] > 0 && waitpid((pid_t)t.r[own_pid], &st, 0) == (pid_t)t.r[own_pid] &&
              EXITED_WITH(st, 127),
          "spawned status %#x", st);
    prctl(PR_SET_CHILD_SUBREAPER, 0);

    /* an await outside a spawned process; a second spawn while the spawned one lives */
    tinit(&t, 0);
    AWAIT(&t);
    EXEC(&t, argv_true);
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == 0 && res.error == EINVAL, "await in the first child: rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");
    tinit(&t, CLONE_NEWPID);
    sp = STEP(&t, JISO_OP_SPAWN, 0);
    AWAIT(&t);
    EXEC(&t, argv_true);
    int again = STEP(&t, JISO_OP_SPAWN, 0);
    t.s[sp].arg[0] = again;
    t.s[again].arg[0] = EXEC(&t, argv_true);
    rc = spawn(&t, &res);
    CHECK(rc == -1 && res.failed_step == again && res.error == EINVAL, "second spawn: rc %d step %d errno %d",
          rc, res.failed_step, res.error);
    if (res.pidfd >= 0)
        CHECK(EXITED_WITH(reap(res.pidfd), 127), "exit");
    report("await: failures before/after it, of the creator (with and without a pid ns), misuse; none hangs", ok);
}

/* ---- jiso-init without a spawn: forked and executed like any program ------ */

/* Executes jiso-init with these arguments (through the emulator, if any). */
static __attribute__((noreturn)) void exec_init(char *const *args)
{
    char *argv[8];
    int n = 0;
    if (emulator)
        argv[n++] = (char *)emulator;
    argv[n++] = (char *)init_path;
    while (*args && n < 7)
        argv[n++] = *args++;
    argv[n] = NULL;
    execve(argv[0], argv, envp);
    _exit(126);
}

static int wait_for(pid_t pid)
{
    int st = -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void on_term(int sig)
{
    (void)sig;
    _exit(7);
}

/* What the main process does in test_init_forked. */
enum main_kind { MAIN_EXITS_3, MAIN_TRAPS_TERM, MAIN_KILLS_ITSELF, MAIN_SLEEPS };

/* Forks a process that forks the main process and then becomes jiso-init
 * <main> 10 [11], with every signal blocked (as the stage leaves it), the
 * status pipe on fd 10 and, if lifeline >= 0, that pidfd on fd 11. The main
 * writes its pid to ready_w when it is ready. */
static pid_t fork_init_with_main(enum main_kind kind, int status_w, int lifeline, int ready_w)
{
    pid_t init = fork();
    if (init != 0)
        return init;
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    pid_t main_pid = fork();
    if (main_pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        signal(SIGTERM, kind == MAIN_TRAPS_TERM ? on_term : SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        pid_t self = getpid();
        if (write(ready_w, &self, sizeof self) != sizeof self)
            _exit(120);
        switch (kind) {
        case MAIN_EXITS_3:
            sleep_ms(200);
            _exit(3);
        case MAIN_KILLS_ITSELF:
            kill(getpid(), SIGKILL);
            _exit(121);
        case MAIN_TRAPS_TERM:
        case MAIN_SLEEPS:
            for (;;)
                pause();
        }
    }
    char pid_arg[16];
    snprintf(pid_arg, sizeof pid_arg, "%d", (int)main_pid);
    if (dup2(status_w, 10) != 10 || (lifeline >= 0 && dup2(lifeline, 11) != 11))
        _exit(122);
    char *args[] = {pid_arg, "10", lifeline >= 0 ? "11" : NULL, NULL};
    exec_init(args);
}

static void test_init_arguments(void)
{
    int ok = 1;
    static char *const bad[][5] = {
        {NULL},                       /* no argument */
        {"holdx", NULL},              /* one argument that is not "hold" */
        {"2", "10", "11", "12", NULL}, /* four */
        {"0", "-1", NULL},            /* main pid 0 */
        {"-1", "-1", NULL},           /* main pid -1 */
        {"x2", "-1", NULL},           /* not a number */
        {"", "-1", NULL},             /* empty */
        {"2", "-2", NULL},            /* below -1 */
        {"99999999999", "-1", NULL},  /* beyond an int */
        {"5", "-1", NULL},            /* a pid that is not its child */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pid_t p = fork();
        if (p == 0)
            exec_init(bad[i]);
        int st = wait_for(p);
        CHECK(EXITED_WITH(st, 127), "case %zu (%s %s): status %#x", i, bad[i][0] ? bad[i][0] : "",
              bad[i][0] && bad[i][1] ? bad[i][1] : "", st);
    }
    report("jiso-init: bad arguments and a main that is not its child -> 127", ok);

    ok = 1;
    int hold[2];
    if (pipe2(hold, O_CLOEXEC) != 0)
        abort();
    pid_t p = fork();
    if (p == 0) {
        if (dup2(hold[0], 0) != 0)
            _exit(122);
        char *args[] = {"hold", NULL};
        exec_init(args);
    }
    close(hold[0]);
    sleep_ms(emulator ? 500 : 100);
    CHECK(waitpid(p, NULL, WNOHANG) == 0, "hold exited before end of file");
    close(hold[1]);
    int st = wait_for(p);
    CHECK(EXITED_WITH(st, 0), "hold's status %#x", st);
    report("jiso-init hold (forked): runs until its stdin is closed, then exits 0", ok);
}

/* jiso-init as a plain parent (no pid namespace): reaping, the status pipe,
 * signal forwarding, the lifeline. */
static void test_init_forked(void)
{
    static const struct {
        enum main_kind kind;
        const char *name;
    } cases[] = {
        {MAIN_EXITS_3, "jiso-init (forked): main exits 3 -> init exits 3, raw status on the pipe"},
        {MAIN_TRAPS_TERM, "jiso-init (forked): SIGTERM to init is forwarded (main exits 7)"},
        {MAIN_KILLS_ITSELF, "jiso-init (forked): main killed by SIGKILL -> init exits 137"},
        {MAIN_SLEEPS, "jiso-init (forked): exits 137 when its lifeline pidfd's process exits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int ok = 1;
        enum main_kind kind = cases[i].kind;
        int status[2], ready[2];
        if (pipe2(status, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0)
            abort();
        pid_t jvm = -1;
        int lifeline = -1;
        if (kind == MAIN_SLEEPS) {
            jvm = fork();
            if (jvm == 0) {
                for (;;)
                    pause();
            }
            lifeline = (int)syscall(SYS_pidfd_open, jvm, 0);
            CHECK(lifeline >= 0, "pidfd_open: %m");
        }
        pid_t init = fork_init_with_main(kind, status[1], lifeline, ready[1]);
        close(status[1]);
        close(ready[1]);
        if (lifeline >= 0)
            close(lifeline);
        pid_t main_pid = -1;
        CHECK(read(ready[0], &main_pid, sizeof main_pid) == sizeof main_pid, "main not ready");
        close(ready[0]);
        int raw = -1, st;
        switch (kind) {
        case MAIN_EXITS_3:
            st = wait_for(init);
            CHECK(EXITED_WITH(st, 3), "init's status %#x", st);
            {
                /* one report: the raw status first, then what init_limits.h adds, and nothing more */
                int32_t report[6];
                CHECK(read(status[0], report, sizeof report) == sizeof report && EXITED_WITH(report[0], 3),
                      "raw status %#x", report[0]);
                CHECK(read(status[0], &raw, 4) == 0, "more than one report");
            }
            break;
        case MAIN_TRAPS_TERM:
            sleep_ms(emulator ? 500 : 50); /* init waits in ppoll, or the signal stays pending */
            CHECK(kill(init, SIGTERM) == 0, "%m");
            st = wait_for(init);
            CHECK(EXITED_WITH(st, 7), "init's status %#x", st);
            CHECK(read(status[0], &raw, 4) == 4 && EXITED_WITH(raw, 7), "raw status %#x", raw);
            break;
        case MAIN_KILLS_ITSELF:
            st = wait_for(init);
            CHECK(EXITED_WITH(st, 128 + SIGKILL), "init's status %#x", st);
            CHECK(read(status[0], &raw, 4) == 4 && WIFSIGNALED(raw) && WTERMSIG(raw) == SIGKILL,
                  "raw status %#x", raw);
            break;
        case MAIN_SLEEPS:
            sleep_ms(emulator ? 500 : 100);
            CHECK(waitpid(init, NULL, WNOHANG) == 0, "init exited while the lifeline lived");
            kill(jvm, SIGKILL);
            wait_for(jvm);
            st = wait_for(init);
            CHECK(EXITED_WITH(st, 128 + SIGKILL), "init's status %#x", st);
            break;
        }
        /* without a pid namespace a main can outlive init: it is ours to end */
        if (main_pid > 0)
            kill(main_pid, SIGKILL);
        close(status[0]);
        report(cases[i].name, ok);
    }
}

/* Under an emulator: does it run jiso_spawn (clone3 with CLONE_VM, without
 * CLONE_THREAD)? Prints what it answers to that, to clone(CLONE_VM) and to a
 * seccomp filter, and returns 0 if jiso_spawn cannot run there. */
static int child_of_clone(void *arg)
{
    (void)arg;
    _exit(0);
}

static int probe_emulator(void)
{
    struct tplan t;
    struct jiso_result res;
    tinit(&t, 0);
    UNBLOCK(&t);
    EXEC(&t, argv_true);
    int rc = spawn(&t, &res);
    if (rc == 0) {
        reap(res.pidfd);
        printf("# %s runs jiso_spawn: every test runs\n", emulator);
        return 1;
    }
    printf("# %s: jiso_spawn fails at step %d (JISO_FAIL_CLONE = %d) with %s: clone3 refused\n",
           emulator, res.failed_step, JISO_FAIL_CLONE, strerrorname_np(res.error));

    static _Alignas(16) char stack[64 * 1024];
    pid_t p = clone(child_of_clone, stack + sizeof stack, CLONE_VM | SIGCHLD, NULL);
    if (p > 0)
        wait_for(p);
    printf("# %s: clone(CLONE_VM | SIGCHLD) without CLONE_THREAD -> %s\n", emulator,
           p > 0 ? "a child" : strerrorname_np(errno));

    pid_t f = fork();
    if (f == 0) {
        struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        struct sock_fprog prog = {1, &allow};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
            _exit(200);
        _exit(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : errno);
    }
    int st = wait_for(f);
    int e = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    printf("# %s: prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, allow-all) -> %s\n", emulator,
           e == 0 ? "installed" : e > 0 && e < 200 ? strerrorname_np(e) : "no answer");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strncmp(argv[1], "--emulator=", 11) == 0)
        emulator = argv[1] + 11;
    else if (argc != 2) {
        fprintf(stderr, "usage: %s [--emulator=<qemu-user binary>] <jiso-init>\n", argv[0]);
        return 2;
    }
    init_path = argv[argc - 1];
    snprintf(caller_as_root, sizeof caller_as_root, "0 %d 1", (int)getuid());
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_plan_validation();
    test_init_arguments();
    test_init_forked();
    if (emulator && !probe_emulator()) {
        /* every test below spawns through jiso_spawn */
        printf("# SKIP the tests that spawn through jiso_spawn: the emulator refuses its clone3\n");
        printf("# %d passed, %d failed, the spawn tests skipped\n", passes, failures);
        return failures != 0;
    }
    test_plain();
    test_missing_exec();
    test_tolerated();
    test_result_args();
    test_uts_pid();
    test_spawn_op();
    test_userns();
    test_all_namespaces();
    test_bad_plans();
    test_signals();
    test_waits();
    test_fd_leak();
    test_parent_run();
    test_parent_run_refused();
    test_threads();
    test_init();
    test_await_sees_init();
    test_await_order();
    test_await_failures();
    printf("# %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
