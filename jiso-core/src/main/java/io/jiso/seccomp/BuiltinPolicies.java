package io.jiso.seccomp;

import io.jiso.nativegen.Linux;
import io.jiso.seccomp.SyscallRules.Action;
import io.jiso.seccomp.SyscallRules.ArgCheck;
import io.jiso.seccomp.SyscallRules.Op;
import io.jiso.seccomp.SyscallRules.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * The two policies jiso ships. Both answer ENOSYS for syscalls newer than the
 * tables (so glibc falls back, e.g. from fchmodat2 to fchmodat) and for clone3,
 * whose flags sit in memory a filter cannot read, so that glibc falls back to
 * clone, whose flags it can.
 *
 * <p>The default policy against Docker's default profile (moby's
 * {@code profiles/seccomp/default.json}) for a process without capabilities, which is
 * what a sandbox is unless the caller keeps some. Docker allows everything on its list and
 * answers EPERM to the rest; jiso allows everything and denies a list. Both deny the same
 * calls, argument filters included (clone with namespace flags, personality but for its
 * five safe values, socket of AF_ALG and AF_VSOCK, clone3 with ENOSYS), except:
 * <pre>
 * call                            Docker  jiso    why
 * ptrace, process_vm_readv/writev allow   EPERM   a sandbox has no business reading or
 *                                                 writing the memory of another process of
 *                                                 its uid (a same-uid sandbox next to it)
 * name_to_handle_at               allow   EPERM   handles are the currency of
 *                                                 open_by_handle_at; nothing else needs them
 * adjtimex, clock_adjtime         allow   EPERM   without CAP_SYS_TIME they only read the
 *                                                 clock's state; nothing portable calls them
 * ioctl TIOCSTI, TIOCLINUX        allow   EPERM   they fake input on a terminal the sandbox
 *                                                 shares (the kernel's own switch, 6.2+, is
 *                                                 a host-wide setting)
 * socketpair of AF_ALG, AF_VSOCK  allow   EPERM   creates a socket of the family (module
 *                                                 autoload, the family's create) like socket
 * afs_syscall, getpmsg, putpmsg,  EPERM   ENOSYS  Linux implements none of them (x86_64
 * security, tuxcall, vserver                      table entries): ENOSYS as the kernel says
 * calls newer than jiso's tables  allow   ENOSYS  so that libc falls back to an older call
 *   (cachestat, fchmodat2, futex_wake, mseal, statmount, listmount, map_shadow_stack...)
 * personality, ioctl, socket      64-bit  32-bit  the kernel reads an int: garbage in the
 *   arguments                                     upper half must not slip past a rule
 * </pre>
 * Docker lets a process that keeps a capability make the calls that capability guards
 * (CAP_SYS_ADMIN: mount, unshare, setns, clone with namespace flags, clone3, bpf,
 * fanotify_init, sethostname, setdomainname, quotactl, syslog, perf_event_open...;
 * CAP_SYS_PTRACE: ptrace, process_vm_*, kcmp, pidfd_getfd, process_madvise; CAP_SYS_CHROOT:
 * chroot; CAP_SYS_NICE: mbind, get/set_mempolicy; CAP_SYS_TIME: clock setting;
 * CAP_SYS_BOOT, CAP_SYS_MODULE, CAP_SYS_PACCT, CAP_SYS_RAWIO, CAP_SYS_TTY_CONFIG, CAP_SYSLOG,
 * CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH likewise). jiso's policies do not change with
 * the capabilities kept: a caller who keeps one for such a call allows it too, with
 * {@code policy.toBuilder().allow(...)}.
 */
public final class BuiltinPolicies {
    private BuiltinPolicies() {}

    private static final Action EPERM = Action.errno(Linux.EPERM);
    private static final Action ENOSYS = Action.errno(Linux.ENOSYS);

    /** Flags that make clone create namespaces. CLONE_NEWTIME is left out: in clone it is part of CSIGNAL. */
    private static final long CLONE_NAMESPACES = Linux.CLONE_NEWNS
            | Linux.CLONE_NEWUTS
            | Linux.CLONE_NEWIPC
            | Linux.CLONE_NEWUSER
            | Linux.CLONE_NEWPID
            | Linux.CLONE_NEWNET
            | Linux.CLONE_NEWCGROUP;

    private static final long UNSHARE_NAMESPACES = CLONE_NAMESPACES | Linux.CLONE_NEWTIME;

    public static final SyscallRules DEFAULT = defaultPolicy();
    public static final SyscallRules STRICT = strict();

    private static SyscallRules defaultPolicy() {
        Builder b = new Builder(Action.allow());
        b.rules(
                EPERM,
                // kernel code and the kernel itself
                "init_module",
                "finit_module",
                "delete_module",
                "create_module",
                "get_kernel_syms",
                "query_module",
                "kexec_load",
                "kexec_file_load",
                "reboot",
                "uselib",
                // large, often-exploited kernel surface
                "bpf",
                "perf_event_open",
                "userfaultfd",
                "io_uring_setup",
                "io_uring_enter",
                "io_uring_register",
                "keyctl",
                "add_key",
                "request_key",
                "lookup_dcookie",
                "nfsservctl",
                // file systems and handles that bypass the mount namespace
                "mount",
                "umount2",
                "pivot_root",
                "fsopen",
                "fsconfig",
                "fsmount",
                "fspick",
                "move_mount",
                "open_tree",
                "mount_setattr",
                "open_by_handle_at",
                "name_to_handle_at",
                "swapon",
                "swapoff",
                "quotactl",
                "quotactl_fd",
                "acct",
                "sysfs",
                "ustat",
                "_sysctl",
                // fail without CAP_SYS_CHROOT and CAP_SYS_ADMIN; fanotify_init would watch whole mounts
                "chroot",
                "fanotify_init",
                // other processes and namespaces; pidfd_getfd copies a file descriptor out of,
                // and process_madvise acts on the memory of, a process of the same uid
                "ptrace",
                "process_vm_readv",
                "process_vm_writev",
                "kcmp",
                "setns",
                "pidfd_getfd",
                "process_madvise",
                // memory placement: other processes' pages (move_pages, migrate_pages) and NUMA
                // policy, which the JVM and libnuma treat as optional
                "mbind",
                "get_mempolicy",
                "set_mempolicy",
                "set_mempolicy_home_node",
                "move_pages",
                "migrate_pages",
                // host-wide state (the sandbox's own UTS namespace is named before the filter)
                "settimeofday",
                "clock_settime",
                "adjtimex",
                "clock_adjtime",
                "syslog",
                "vhangup",
                "iopl",
                "ioperm",
                "sethostname",
                "setdomainname");
        // Table entries Linux does not implement: the kernel's own answer.
        b.rules(ENOSYS, "afs_syscall", "getpmsg", "putpmsg", "security", "tuxcall", "vserver");
        // Kernel crypto (AF_ALG) and virtual machine sockets (AF_VSOCK): kernel surface a
        // program has no need for. socketpair creates a socket of its family just like socket.
        for (String call : new String[] {"socket", "socketpair"}) {
            for (int family : new int[] {Linux.AF_ALG, Linux.AF_VSOCK}) {
                b.rule(call, EPERM, arg32(0).eq(family));
            }
        }
        b.rules(ENOSYS, "clone3")
                .rule("clone", EPERM)
                .rule("clone", Action.allow(), arg(0).maskedEq(CLONE_NAMESPACES, 0))
                .rule("unshare", EPERM)
                .rule("unshare", Action.allow(), arg(0).maskedEq(UNSHARE_NAMESPACES, 0));
        return personalityAndTerminal(b).build();
    }

    private static SyscallRules strict() {
        Builder b = new Builder(EPERM);
        b.allow(
                // files and directories
                "read",
                "write",
                "readv",
                "writev",
                "pread64",
                "pwrite64",
                "preadv",
                "pwritev",
                "preadv2",
                "pwritev2",
                "open",
                "openat",
                "openat2",
                "creat",
                "close",
                "close_range",
                "lseek",
                "stat",
                "fstat",
                "lstat",
                "newfstatat",
                "statx",
                "statfs",
                "fstatfs",
                "access",
                "faccessat",
                "faccessat2",
                "readlink",
                "readlinkat",
                "getdents",
                "getdents64",
                "getcwd",
                "chdir",
                "fchdir",
                "dup",
                "dup2",
                "dup3",
                "fcntl",
                "flock",
                "fsync",
                "fdatasync",
                "ftruncate",
                "truncate",
                "fallocate",
                "fadvise64",
                "mkdir",
                "mkdirat",
                "rmdir",
                "unlink",
                "unlinkat",
                "rename",
                "renameat",
                "renameat2",
                "chmod",
                "fchmod",
                "fchmodat",
                "umask",
                "utimensat",
                "getxattr",
                "lgetxattr",
                "fgetxattr",
                "listxattr",
                "llistxattr",
                "flistxattr",
                "sendfile",
                "copy_file_range",
                "splice",
                "tee",
                "ioctl",
                "pipe",
                "pipe2",
                "select",
                "pselect6",
                "poll",
                "ppoll",
                "epoll_create",
                "epoll_create1",
                "epoll_ctl",
                "epoll_wait",
                "epoll_pwait",
                "epoll_pwait2",
                "eventfd",
                "eventfd2",
                // memory
                "brk",
                "mmap",
                "munmap",
                "mremap",
                "mprotect",
                "madvise",
                "msync",
                "mincore",
                "membarrier",
                "memfd_create",
                // processes and threads (clone without namespaces, below)
                "execve",
                "execveat",
                "exit",
                "exit_group",
                "wait4",
                "waitid",
                "fork",
                "vfork",
                "getpid",
                "getppid",
                "gettid",
                "getuid",
                "geteuid",
                "getgid",
                "getegid",
                "getresuid",
                "getresgid",
                "getgroups",
                "getpgrp",
                "getpgid",
                "setpgid",
                "getsid",
                "setsid",
                "prctl",
                "arch_prctl",
                "set_tid_address",
                "set_robust_list",
                "get_robust_list",
                "rseq",
                "futex",
                "futex_waitv",
                "sched_yield",
                "sched_getaffinity",
                "sched_setaffinity",
                "sched_getparam",
                "sched_getscheduler",
                "sched_get_priority_max",
                "sched_get_priority_min",
                "getcpu",
                "getpriority",
                "capget",
                "kill",
                "tkill",
                "tgkill",
                "restart_syscall",
                // signals
                "rt_sigaction",
                "rt_sigprocmask",
                "rt_sigreturn",
                "rt_sigsuspend",
                "rt_sigtimedwait",
                "rt_sigpending",
                "sigaltstack",
                "pause",
                "alarm",
                "setitimer",
                "getitimer",
                "timer_create",
                "timer_settime",
                "timer_gettime",
                "timer_getoverrun",
                "timer_delete",
                "timerfd_create",
                "timerfd_settime",
                "timerfd_gettime",
                "signalfd",
                "signalfd4",
                // time, limits, system information
                "nanosleep",
                "clock_nanosleep",
                "clock_gettime",
                "clock_getres",
                "gettimeofday",
                "time",
                "times",
                "getrusage",
                "getrlimit",
                "setrlimit",
                "prlimit64",
                "uname",
                "sysinfo",
                "getrandom");
        b.rules(ENOSYS, "clone3").rule("clone", Action.allow(), arg(0).maskedEq(CLONE_NAMESPACES, 0));
        // A connected pair of Unix sockets, no address and no other family: JDK 17's
        // FileDispatcherImpl makes one at class initialisation (the end it closes is what it
        // dup2s over a file descriptor closed under a blocked thread), so without it no
        // FileChannel, and javac, works.
        b.rule("socketpair", Action.allow(), arg32(0).eq(Linux.AF_UNIX));
        return personalityAndTerminal(b).build();
    }

    /** personality only with Docker's safe values; no faking terminal input (TIOCSTI, TIOCLINUX). */
    private static Builder personalityAndTerminal(Builder b) {
        long linux32 = Linux.PER_LINUX32;
        long uname26 = Linux.UNAME26;
        b.rule("personality", EPERM);
        for (long persona :
                new long[] {Linux.PER_LINUX, linux32, uname26, uname26 | linux32, -1 /* 0xffffffff: only query */}) {
            b.rule("personality", Action.allow(), arg32(0).eq(persona));
        }
        // ioctl's request is an unsigned int in the kernel: compare 32 bits only.
        return b.rule("ioctl", EPERM, arg32(1).eq(Linux.TIOCSTI)).rule("ioctl", EPERM, arg32(1).eq(Linux.TIOCLINUX));
    }

    /** Rules in the order they are added, later ones taking precedence, as SeccompPolicy.Builder keeps them. */
    private static final class Builder {
        private final Action defaultAction;
        private final List<Rule> rules = new ArrayList<>();

        Builder(Action defaultAction) {
            this.defaultAction = defaultAction;
        }

        Builder rule(String syscall, Action action, ArgCheck... checks) {
            if (!SyscallRules.isSyscall(syscall)) {
                throw new IllegalArgumentException("no system call named " + syscall + " on x86_64 or aarch64");
            }
            rules.add(new Rule(syscall, action, List.of(checks)));
            return this;
        }

        Builder rules(Action action, String... syscalls) {
            for (String s : syscalls) {
                rule(s, action);
            }
            return this;
        }

        Builder allow(String... syscalls) {
            return rules(Action.allow(), syscalls);
        }

        SyscallRules build() {
            return new SyscallRules(defaultAction, ENOSYS, rules);
        }
    }

    /** Argument index as the 64-bit value the kernel receives. */
    private static Arg arg(int index) {
        return new Arg(index, false);
    }

    /** The low 32 bits of argument index, for arguments the kernel declares as int. */
    private static Arg arg32(int index) {
        return new Arg(index, true);
    }

    private record Arg(int index, boolean low32) {
        ArgCheck eq(long value) {
            return low32
                    ? new ArgCheck(index, Op.EQ, value & 0xFFFF_FFFFL, 0xFFFF_FFFFL, true)
                    : new ArgCheck(index, Op.EQ, value, -1L, false);
        }

        ArgCheck maskedEq(long mask, long value) {
            return low32
                    ? new ArgCheck(index, Op.MASKED_EQ, value & 0xFFFF_FFFFL, mask & 0xFFFF_FFFFL, true)
                    : new ArgCheck(index, Op.MASKED_EQ, value, mask, false);
        }
    }
}
