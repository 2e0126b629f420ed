package io.jiso.seccomp;

import static io.jiso.SeccompPolicy.arg;
import static io.jiso.SeccompPolicy.arg32;

import io.jiso.SeccompPolicy;
import io.jiso.SeccompPolicy.Action;
import io.jiso.nativegen.Abi;

/**
 * The two policies jiso ships. Both answer ENOSYS for syscalls newer than the
 * tables (so glibc falls back, e.g. from fchmodat2 to fchmodat) and for clone3,
 * whose flags sit in memory a filter cannot read, so that glibc falls back to
 * clone, whose flags it can.
 */
public final class BuiltinPolicies {
    private BuiltinPolicies() {
    }

    private static final Abi ABI = Abi.current();
    private static final Action EPERM = Action.errno(ABI.intConstant("EPERM"));
    private static final Action ENOSYS = Action.errno(ABI.intConstant("ENOSYS"));

    /** Flags that make clone create namespaces. CLONE_NEWTIME is left out: in clone it is part of CSIGNAL. */
    private static final long CLONE_NAMESPACES = flags("CLONE_NEWNS", "CLONE_NEWUTS", "CLONE_NEWIPC",
            "CLONE_NEWUSER", "CLONE_NEWPID", "CLONE_NEWNET", "CLONE_NEWCGROUP");
    private static final long UNSHARE_NAMESPACES = CLONE_NAMESPACES | flags("CLONE_NEWTIME");

    public static final SeccompPolicy DEFAULT = defaultPolicy();
    public static final SeccompPolicy STRICT = strict();

    private static SeccompPolicy defaultPolicy() {
        SeccompPolicy.Builder b = SeccompPolicy.builder(Action.allow());
        b.rules(EPERM,
                // kernel code and the kernel itself
                "init_module", "finit_module", "delete_module", "create_module", "get_kernel_syms",
                "query_module", "kexec_load", "kexec_file_load", "reboot", "uselib",
                // large, often-exploited kernel surface
                "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
                "io_uring_register", "keyctl", "add_key", "request_key", "lookup_dcookie", "nfsservctl",
                // file systems and handles that bypass the mount namespace
                "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
                "open_tree", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
                "swapon", "swapoff", "quotactl", "quotactl_fd", "acct", "sysfs", "ustat", "_sysctl",
                // other processes and namespaces
                "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "setns",
                // host-wide state
                "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "syslog", "vhangup",
                "iopl", "ioperm");
        b.rules(ENOSYS, "clone3")
                .rule("clone", EPERM)
                .rule("clone", Action.allow(), arg(0).maskedEq(CLONE_NAMESPACES, 0))
                .rule("unshare", EPERM)
                .rule("unshare", Action.allow(), arg(0).maskedEq(UNSHARE_NAMESPACES, 0));
        return personalityAndTerminal(b).build();
    }

    private static SeccompPolicy strict() {
        SeccompPolicy.Builder b = SeccompPolicy.builder(EPERM);
        b.allow(
                // files and directories
                "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
                "pwritev2", "open", "openat", "openat2", "creat", "close", "close_range", "lseek", "stat",
                "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat",
                "faccessat2", "readlink", "readlinkat", "getdents", "getdents64", "getcwd", "chdir",
                "fchdir", "dup", "dup2", "dup3", "fcntl", "flock", "fsync", "fdatasync", "ftruncate",
                "truncate", "fallocate", "fadvise64", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
                "rename", "renameat", "renameat2", "chmod", "fchmod", "fchmodat", "umask", "utimensat",
                "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
                "sendfile", "copy_file_range", "splice", "tee", "ioctl",
                "pipe", "pipe2", "select", "pselect6", "poll", "ppoll", "epoll_create", "epoll_create1",
                "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2",
                // memory
                "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync", "mincore",
                "membarrier", "memfd_create",
                // processes and threads (clone without namespaces, below)
                "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "fork", "vfork",
                "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
                "getresgid", "getgroups", "getpgrp", "getpgid", "setpgid", "getsid", "setsid", "prctl",
                "arch_prctl", "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "futex",
                "futex_waitv", "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
                "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min", "getcpu",
                "getpriority", "capget", "kill", "tkill", "tgkill", "restart_syscall",
                // signals
                "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
                "rt_sigpending", "sigaltstack", "pause", "alarm", "setitimer", "getitimer",
                "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
                "timerfd_create", "timerfd_settime", "timerfd_gettime", "signalfd", "signalfd4",
                // time, limits, system information
                "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
                "times", "getrusage", "getrlimit", "setrlimit", "prlimit64", "uname", "sysinfo",
                "getrandom");
        b.rules(ENOSYS, "clone3")
                .rule("clone", Action.allow(), arg(0).maskedEq(CLONE_NAMESPACES, 0));
        return personalityAndTerminal(b).build();
    }

    /** personality only with Docker's safe values; no faking terminal input (TIOCSTI, TIOCLINUX). */
    private static SeccompPolicy.Builder personalityAndTerminal(SeccompPolicy.Builder b) {
        long linux32 = ABI.longConstant("PER_LINUX32");
        long uname26 = ABI.longConstant("UNAME26");
        b.rule("personality", EPERM);
        for (long persona : new long[] {ABI.longConstant("PER_LINUX"), linux32, uname26, uname26 | linux32,
                -1 /* 0xffffffff: only query */}) {
            b.rule("personality", Action.allow(), arg32(0).eq(persona));
        }
        // ioctl's request is an unsigned int in the kernel: compare 32 bits only.
        return b.rule("ioctl", EPERM, arg32(1).eq(ABI.intConstant("TIOCSTI")))
                .rule("ioctl", EPERM, arg32(1).eq(ABI.intConstant("TIOCLINUX")));
    }

    private static long flags(String... names) {
        long f = 0;
        for (String n : names) {
            f |= ABI.longConstant(n);
        }
        return f;
    }
}
