/*
 * init_limits.h: the limits jiso-init enforces for a judged run, included by
 * init.c only. Optional arguments after the lifeline, each "key=n,n,...":
 *
 *   c=<fd>,<kind>,<limit-us>,<cpus>  CPU time of the whole sandbox: <fd> is the
 *        leaf's counter, read with pread (kind 2: the v2 cpu.stat, its
 *        usage_usec line; kind 1: the v1 cpuacct.usage, nanoseconds). Checked
 *        when the remaining budget divided by <cpus> (the CPUs the sandbox may
 *        use) has passed, at least every MIN_CHECK_NS, so a run that sleeps
 *        costs a read now and then and one about to run out is watched closely.
 *        The kernel adds a running thread's time to its cgroup at the
 *        scheduler tick (4 ms at HZ=250), or when another task is queued on
 *        its CPU: so the counter lags by up to a tick per busy CPU. A check
 *        takes that lag off what is left before it schedules the next one;
 *        once the budget left is within the lag, init queues itself on each
 *        CPU it may use (the sandbox's: init is in its leaf) before it reads,
 *        which brings the counter up to now; on at most MAX_VISITED_CPUS CPUs.
 *   w=<limit-us>  wall time from init's start, which is within microseconds
 *        of the main program's execve.
 *   f=1  init may make itself SCHED_FIFO while it watches a time limit (see
 *        run_first): the JVM says so where a real-time task in the leaf gets
 *        in nobody's way.
 *   o=<limit>,<in>,<out>[,<in2>,<out2>]  output: the main process's stdout (and
 *        stderr) are pipes whose read end <in> init relays to <out>, counting;
 *        past <limit> bytes in all, nothing more is relayed.
 *
 * Over a limit, init kills every other process of its pid namespace
 * (kill(-1, SIGKILL) from PID 1), remembers why (the first reason only) and
 * reports it with the main process's status. Everything is checked from one
 * timerfd in init's ppoll, so it does not depend on the JVM being responsive.
 */
#ifndef JISO_INIT_LIMITS_H
#define JISO_INIT_LIMITS_H

#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <linux/fcntl.h>
#include <sys/syscall.h>
#include <linux/time_types.h>
#include <linux/timerfd.h>

#include "raw_syscall.h"

#define LIM_CALL(nr, a, b, c, d) raw_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* Why init killed the sandbox; the JVM reads the same numbers (InitReport). */
enum { KILLED_NONE = 0, KILLED_CPU = 1, KILLED_WALL = 2, KILLED_OUTPUT = 3 };

/* The shortest interval between two CPU checks: what a run about to reach its
 * limit can overshoot by, per CPU, beyond the kernel's own accounting lag. */
#define MIN_CHECK_NS 500000L
/* After the main process's end: how long the relay may wait for the JVM to
 * take what is still buffered, in all. */
#define DRAIN_NS 100000000L
#define RELAY_BUF 4096
#define PRIO_PROCESS_ 0 /* <sys/resource.h> wants libc */
/* The budget left per CPU below which the CPU counter may lag behind: a
 * scheduler tick at HZ=100, the slowest. */
#define TICK_LAG_US 10000L
/* More CPUs than this and init does not visit them: each visit is a
 * migration, whose CPU time the sandbox is charged. */
#define MAX_VISITED_CPUS 16
#define CPU_MASK_WORDS 16 /* 1024 CPUs */

/* The kernel's struct sched_attr, first version (<linux/sched/types.h> wants libc's headers). */
struct sched_attr_ {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};
#define SCHED_ATTR_SIZE_VER0_ 48
_Static_assert(sizeof(struct sched_attr_) == SCHED_ATTR_SIZE_VER0_, "struct sched_attr, first version");
#define SCHED_FIFO_ 1
#define SCHED_FLAG_RESET_ON_FORK_ 1
#define SHORTEST_SLICE_NS 100000 /* a fair task's sched_runtime: its slice, from 0.1 ms */

struct relay {
    int in, out;
    int eof;
    int len, off;
    char buf[RELAY_BUF];
};

/* What init sends the JVM on its status pipe, in one write. */
struct report {
    int32_t status;
    int32_t killed_for;
    int64_t wall_ns;
    int64_t output_bytes; /* -1: not relayed, so not counted */
};

struct limits {
    int cpu_fd, cpu_kind;
    int64_t cpu_limit_us, cpus;
    int64_t wall_limit_ns; /* -1: none */
    int realtime;          /* f=1 */
    int64_t out_limit;     /* -1: no relay */
    int64_t out_bytes;
    int nrelay;
    struct relay relay[2];
    int timer;
    int64_t start_ns;
    int killed_for;
    /* The CPUs init may run on (sched_getaffinity), and how many. */
    uint64_t cpu_mask[CPU_MASK_WORDS];
    int cpu_count;
};

static int64_t now_ns(void)
{
    struct __kernel_timespec t;
    LIM_CALL(SYS_clock_gettime, CLOCK_MONOTONIC, &t, 0, 0);
    return (int64_t)t.tv_sec * 1000000000L + t.tv_nsec;
}

/* "n,n,..." into out[0..max); the count parsed, -1 if malformed. */
static int parse_list(const char *s, int64_t *out, int max)
{
    int n = 0;
    while (*s && n < max) {
        int neg = *s == '-';
        int64_t v = 0;
        s += neg;
        if (*s < '0' || *s > '9')
            return -1;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (v > INT64_MAX / 10 - 10)
                return -1;
            v = v * 10 + (*s - '0');
        }
        out[n++] = neg ? -v : v;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return *s ? -1 : n;
}

/* One "key=..." argument; 0 if understood. */
static int limits_arg(struct limits *l, const char *arg)
{
    int64_t v[5];
    if (arg[0] == 0 || arg[1] != '=')
        return -1;
    int n = parse_list(arg + 2, v, 5);
    switch (arg[0]) {
    case 'c':
        if (n != 4 || v[0] < 0 || v[2] < 0 || v[3] < 1)
            return -1;
        l->cpu_fd = (int)v[0];
        l->cpu_kind = (int)v[1];
        l->cpu_limit_us = v[2];
        l->cpus = v[3];
        return 0;
    case 'w':
        if (n != 1 || v[0] < 0)
            return -1;
        l->wall_limit_ns = v[0] * 1000;
        return 0;
    case 'f':
        if (n != 1 || v[0] != 1)
            return -1;
        l->realtime = 1;
        return 0;
    case 'o':
        if ((n != 3 && n != 5) || v[0] < 0)
            return -1;
        l->out_limit = v[0];
        l->nrelay = (n - 1) / 2;
        for (int i = 0; i < l->nrelay; i++) {
            l->relay[i].in = (int)v[1 + 2 * i];
            l->relay[i].out = (int)v[2 + 2 * i];
        }
        return 0;
    }
    return -1;
}

static void limits_init(struct limits *l)
{
    l->cpu_fd = -1;
    l->wall_limit_ns = -1;
    l->out_limit = -1;
    l->timer = -1;
    l->start_ns = now_ns();
}

/*
 * Brings the sandbox's CPU counter up to now: queueing init on a CPU has the
 * kernel account the time of the thread running there (enqueue_entity's
 * update_curr, in the leaf's run queue, which both share). So init moves
 * itself to each of its CPUs in turn, then back to all of them.
 */
static void account_running_threads(const struct limits *l)
{
    if (l->cpu_count < 2 || l->cpu_count > MAX_VISITED_CPUS)
        return; /* one CPU: init's own wake-up has queued it there */
    for (int w = 0; w < CPU_MASK_WORDS; w++)
        for (int b = 0; b < 64; b++) {
            if (!(l->cpu_mask[w] >> b & 1))
                continue;
            uint64_t one[CPU_MASK_WORDS];
            for (int i = 0; i < CPU_MASK_WORDS; i++) /* no memset without libc */
                ((volatile uint64_t *)one)[i] = 0;
            one[w] = 1ull << b;
            LIM_CALL(SYS_sched_setaffinity, 0, sizeof one, one, 0);
        }
    LIM_CALL(SYS_sched_setaffinity, 0, sizeof l->cpu_mask, l->cpu_mask, 0);
}

/* The sandbox's CPU time in microseconds, -1 if it cannot be read. */
static int64_t cpu_usage_us(const struct limits *l)
{
    char buf[512];
    long n = LIM_CALL(SYS_pread64, l->cpu_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    const char *s = buf;
    if (l->cpu_kind == 2) { /* "usage_usec N\n..." */
        static const char key[] = "usage_usec ";
        for (unsigned i = 0; i < sizeof key - 1; i++)
            if (s[i] != key[i])
                return -1;
        s += sizeof key - 1;
    }
    int64_t v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return l->cpu_kind == 2 ? v : v / 1000;
}

static void kill_all(struct limits *l, int why)
{
    if (!l->killed_for)
        l->killed_for = why;
    LIM_CALL(SYS_kill, -1, SIGKILL, 0, 0);
}

/* Arms the timer for the next check (absolute, CLOCK_MONOTONIC); nothing left to watch disarms it. */
static void arm(struct limits *l, int64_t at_ns)
{
    struct __kernel_itimerspec t = {{0, 0}, {0, 0}};
    if (at_ns > 0) {
        t.it_value.tv_sec = at_ns / 1000000000L;
        t.it_value.tv_nsec = at_ns % 1000000000L;
    }
    LIM_CALL(SYS_timerfd_settime, l->timer, TFD_TIMER_ABSTIME, &t, 0);
}

/* Checks the time limits now and arms the timer for the next check. */
static void check_time(struct limits *l)
{
    if (l->killed_for)
        return arm(l, 0);
    int64_t now = now_ns();
    int64_t next = 0;
    if (l->wall_limit_ns >= 0) {
        int64_t deadline = l->start_ns + l->wall_limit_ns;
        if (now >= deadline)
            return kill_all(l, KILLED_WALL), arm(l, 0);
        next = deadline;
    }
    if (l->cpu_fd >= 0) {
        /* What the counter may lag behind by: a read shows at most this much too little. */
        int64_t lag = TICK_LAG_US * l->cpus;
        int64_t used = cpu_usage_us(l);
        if (used >= 0 && l->cpu_limit_us - used < lag) {
            account_running_threads(l);
            used = cpu_usage_us(l);
            lag = 0;
        }
        if (used >= 0) {
            int64_t left = l->cpu_limit_us - used;
            if (left <= 0)
                return kill_all(l, KILLED_CPU), arm(l, 0);
            /* The next check comes before the budget can have run out, even
             * if this read lagged: else the sandbox overshoots by the lag. */
            int64_t wait = (left > lag ? left - lag : 0) * 1000 / l->cpus;
            int64_t at = now + (wait < MIN_CHECK_NS ? MIN_CHECK_NS : wait);
            if (!next || at < next)
                next = at;
        }
    }
    arm(l, next);
}

/*
 * The sandbox's busy threads, or anything else on a loaded machine, must not
 * keep a check waiting for a CPU. The fair scheduler lets a running thread
 * finish its slice before a woken task of any nice value gets its CPU: init
 * waited up to a tick for it (4 ms; 8 ms of CPU for 2 busy threads). A
 * real-time task does not wait: SCHED_FIFO at the lowest priority, with f=1
 * and CAP_SYS_NICE in the host's user namespace (reset on fork; init forks
 * nothing). Without it, what shortens the wait: the highest nice value init
 * may take and the shortest slice (Linux 6.12). init sleeps between checks,
 * so it takes almost nothing from anyone.
 */
static void run_first(const struct limits *l)
{
    LIM_CALL(SYS_setpriority, PRIO_PROCESS_, 0, -20, 0);
    struct sched_attr_ a;
    if (LIM_CALL(SYS_sched_getattr, 0, &a, SCHED_ATTR_SIZE_VER0_, 0) != 0)
        return;
    a.size = SCHED_ATTR_SIZE_VER0_;
    a.sched_runtime = SHORTEST_SLICE_NS;
    LIM_CALL(SYS_sched_setattr, 0, &a, 0, 0);
    if (!l->realtime)
        return;
    a.sched_policy = SCHED_FIFO_;
    a.sched_priority = 1;
    a.sched_flags = SCHED_FLAG_RESET_ON_FORK_;
    a.sched_runtime = 0;
    LIM_CALL(SYS_sched_setattr, 0, &a, 0, 0);
}

/* Sets up the timer if a time limit is asked for; -1 if it cannot be had. */
static int limits_start(struct limits *l)
{
    if (l->wall_limit_ns < 0 && l->cpu_fd < 0)
        return 0;
    run_first(l);
    long bytes = LIM_CALL(SYS_sched_getaffinity, 0, sizeof l->cpu_mask, l->cpu_mask, 0);
    for (long w = 0; w < bytes / 8; w++)
        for (uint64_t m = l->cpu_mask[w]; m; m &= m - 1)
            l->cpu_count++;
    long fd = LIM_CALL(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK, 0, 0);
    if (fd < 0)
        return -1;
    l->timer = (int)fd;
    check_time(l);
    return 0;
}

/* Takes what the relay's pipe holds into its buffer, counting; 0 at end of file. */
static void relay_read(struct limits *l, struct relay *r)
{
    long n = LIM_CALL(SYS_read, r->in, r->buf, RELAY_BUF, 0);
    if (n == -4 /* EINTR */ || n == -11 /* EAGAIN */)
        return;
    if (n <= 0) {
        r->eof = 1;
        return;
    }
    int64_t before = l->out_bytes;
    l->out_bytes += n;
    int64_t room = l->out_limit - before;
    r->off = 0;
    r->len = room <= 0 ? 0 : room < n ? (int)room : (int)n;
    if (l->out_bytes > l->out_limit)
        kill_all(l, KILLED_OUTPUT);
}

static void relay_write(struct relay *r)
{
    long n = LIM_CALL(SYS_write, r->out, r->buf + r->off, r->len - r->off, 0);
    if (n == -4 || n == -11)
        return;
    if (n < 0) { /* the reader is gone: what follows is dropped, as a closed pipe would */
        r->len = r->off = 0;
        return;
    }
    r->off += (int)n;
    if (r->off == r->len)
        r->len = r->off = 0;
}

/* Adds the fds to watch: the timer, each relay's pipe (buffer empty) or its destination (buffer full). */
static int limits_pollfds(struct limits *l, struct pollfd *p)
{
    int n = 0;
    if (l->timer >= 0)
        p[n++] = (struct pollfd){l->timer, POLLIN, 0};
    for (int i = 0; i < l->nrelay; i++) {
        struct relay *r = &l->relay[i];
        if (r->len)
            p[n++] = (struct pollfd){r->out, POLLOUT, 0};
        else if (!r->eof)
            p[n++] = (struct pollfd){r->in, POLLIN, 0};
    }
    return n;
}

/* Handles what ppoll reported for the fds limits_pollfds added. */
static void limits_ready(struct limits *l, const struct pollfd *p, int n)
{
    for (int i = 0; i < n; i++) {
        if (!p[i].revents)
            continue;
        if (p[i].fd == l->timer) {
            uint64_t expirations;
            LIM_CALL(SYS_read, l->timer, &expirations, sizeof expirations, 0);
            check_time(l);
            continue;
        }
        for (int j = 0; j < l->nrelay; j++) {
            struct relay *r = &l->relay[j];
            if (p[i].fd == r->out && r->len)
                relay_write(r);
            else if (p[i].fd == r->in && !r->len && !r->eof)
                relay_read(l, r);
        }
    }
}

/* After the main process's end: relays what its pipes still hold, waiting at most DRAIN_NS for the JVM. */
static void limits_drain(struct limits *l)
{
    int64_t until = now_ns() + DRAIN_NS;
    for (int i = 0; i < l->nrelay; i++)
        LIM_CALL(SYS_fcntl, l->relay[i].in, F_SETFL, O_NONBLOCK, 0); /* only init holds this end */
    for (;;) {
        struct pollfd p[2];
        int n = 0;
        for (int i = 0; i < l->nrelay; i++) {
            struct relay *r = &l->relay[i];
            if (!r->len && !r->eof)
                relay_read(l, r);
            if (!r->len && !r->eof) /* nothing left in the pipe now */
                r->eof = 1;
            if (r->len)
                p[n++] = (struct pollfd){r->out, POLLOUT, 0};
        }
        int64_t left = until - now_ns();
        if (!n || left <= 0)
            return;
        struct __kernel_timespec t = {left / 1000000000L, left % 1000000000L};
        if (LIM_CALL(SYS_ppoll, p, n, &t, 0) <= 0)
            continue;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < l->nrelay; j++)
                if (p[i].revents && p[i].fd == l->relay[j].out)
                    relay_write(&l->relay[j]);
    }
}

static void limits_report(struct limits *l, struct report *r)
{
    r->killed_for = l->killed_for;
    r->wall_ns = now_ns() - l->start_ns;
    r->output_bytes = l->nrelay ? l->out_bytes : -1;
}

#endif
