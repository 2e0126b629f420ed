/*
 * init_limits_test.c: when jiso-init's CPU check (init_limits.h) schedules the
 * next one. Includes the header, feeds it a v2 cpu.stat from a memfd and reads
 * back the timer it armed. Touches no cgroup and kills nothing: every case
 * leaves budget, so kill_all (kill(-1) from outside a pid namespace) is never
 * reached. The test process takes init's scheduling policy (SCHED_FIFO where
 * it may). Usage: init_limits_test
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "init_limits.h"

static int failures, passes;

static void report(const char *name, int ok)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", name);
    ok ? passes++ : failures++;
}

/* Whether this process may make itself SCHED_FIFO (CAP_SYS_NICE), asked of a child. */
static int may_be_fifo(void)
{
    pid_t child = fork();
    if (child == 0) {
        struct sched_param one = {.sched_priority = 1};
        _exit(sched_setscheduler(0, SCHED_FIFO, &one) == 0 ? 0 : 1);
    }
    int status;
    return child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Sets the counter to <used_us>, runs one check, and returns when the next one is due, in us from now. */
static long next_check_us(struct limits *l, int counter, long used_us)
{
    char text[128];
    int n = snprintf(text, sizeof text, "usage_usec %ld\nuser_usec %ld\nsystem_usec 0\n", used_us, used_us);
    if (ftruncate(counter, 0) != 0 || pwrite(counter, text, n, 0) != n)
        return -1;
    check_time(l);
    struct itimerspec t;
    if (timerfd_gettime(l->timer, &t) != 0)
        return -1;
    return t.it_value.tv_sec * 1000000L + t.it_value.tv_nsec / 1000;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int counter = memfd_create("cpu.stat", 0);
    struct limits fair = {0};
    limits_init(&fair);
    if (limits_arg(&fair, "w=1000000") != 0 || limits_start(&fair) != 0) {
        printf("not ok - setting up a wall limit\n");
        return 1;
    }
    report("without f=1, init stays SCHED_OTHER", (sched_getscheduler(0) & ~SCHED_RESET_ON_FORK) == SCHED_OTHER);
    report("f= takes 1 only", limits_arg(&fair, "f=0") != 0 && limits_arg(&fair, "f=1,1") != 0);

    struct limits l = {0};
    limits_init(&l);
    char arg[64];
    snprintf(arg, sizeof arg, "c=%d,2,1000000,2", counter); /* 1 s of CPU, 2 CPUs */
    if (counter < 0 || limits_arg(&l, arg) != 0 || limits_arg(&l, "f=1") != 0 || limits_start(&l) != 0 || next_check_us(&l, counter, 0) < 0) {
        printf("not ok - setting up a CPU limit\n");
        return 1;
    }
    long lag = TICK_LAG_US * 2;

    int fifo = may_be_fifo();
    printf("# SCHED_FIFO %s here\n", fifo ? "allowed" : "refused");
    report("with f=1, init is SCHED_FIFO exactly where it may be",
           (sched_getscheduler(0) & ~SCHED_RESET_ON_FORK) == (fifo ? SCHED_FIFO : SCHED_OTHER));

    /* Far from the limit: half of what is left, less the lag, per CPU. */
    long due = next_check_us(&l, counter, 0);
    report("1 s left on 2 CPUs: the next check within (1 s - lag) / 2",
           due <= (1000000 - lag) / 2 && due > (1000000 - lag) / 2 - 2000);

    /* A read that may lag: 30 ms left by the counter can be 10 ms in truth,
     * which 2 CPUs use up in 5 ms; a check after 15 ms would be 20 ms late. */
    due = next_check_us(&l, counter, 1000000 - 30000);
    report("30 ms left by a lagging read on 2 CPUs: the next check within 5 ms", due <= 5000 && due > 3000);

    /* Just past the lag: the lag leaves nothing, so the next check is the shortest. */
    due = next_check_us(&l, counter, 1000000 - lag - 100);
    report("just over the lag left: the next check after the shortest interval",
           due <= MIN_CHECK_NS / 1000 && due > 0);

    /* Within the lag, the read is brought up to now and taken as it is. */
    due = next_check_us(&l, counter, 1000000 - 8000);
    report("8 ms left within the lag on 2 CPUs: the next check within 4 ms", due <= 4000 && due > 3000);

    report("no kill on the way", l.killed_for == KILLED_NONE);
    printf("# %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
