/*
 * jiso_linux.h: the umbrella header jextract reads. Everything jiso's Java
 * code needs from libc and the Linux UAPI headers comes through here; the
 * symbol lists beside this file (*.txt) say which declarations are kept.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <linux/sockios.h>

#include "jiso_plan.h"

/* struct epoll_event is packed on x86_64 and not on aarch64, and the
 * generated structures must be the same on every architecture: jiso reads it
 * through these per-architecture values instead. */
enum jiso_epoll_event_layout {
    JISO_EPOLL_EVENT_SIZE = sizeof(struct epoll_event),
    JISO_EPOLL_EVENT_DATA = __builtin_offsetof(struct epoll_event, data),
};
