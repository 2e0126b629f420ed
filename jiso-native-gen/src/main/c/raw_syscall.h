/*
 * raw_syscall.h: system calls without libc, for code that must not touch
 * libc's state: the stage's child (it shares the JVM's memory and TLS, so
 * errno would be the parent thread's) and jiso-init (freestanding, so it
 * execs in a third of the time a static glibc binary takes).
 * A result in -4095..-1 is -errno.
 */
#ifndef JISO_RAW_SYSCALL_H
#define JISO_RAW_SYSCALL_H

#if defined(__x86_64__)

static inline long raw_syscall6(long nr, long a1, long a2, long a3, long a4,
                                long a5, long a6)
{
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#elif defined(__aarch64__)

static inline long raw_syscall6(long nr, long a1, long a2, long a3, long a4,
                                long a5, long a6)
{
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a1;
    register long x1 __asm__("x1") = a2;
    register long x2 __asm__("x2") = a3;
    register long x3 __asm__("x3") = a4;
    register long x4 __asm__("x4") = a5;
    register long x5 __asm__("x5") = a6;
    __asm__ volatile("svc #0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}

#else
#error "jiso supports x86_64 and aarch64 only"
#endif

#endif
