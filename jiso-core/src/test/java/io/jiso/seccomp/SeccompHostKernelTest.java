package io.jiso.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiso.KernelTest;
import io.jiso.SeccompPolicies;
import io.jiso.SeccompPolicy;
import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Linux;
import io.jiso.nativegen.libc.sock_filter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled filters in the real kernel, without jiso's spawn path: a small
 * python3 loader sets no_new_privs, installs the program bytes with seccomp(2)
 * and execs the command, so the kernel both validates the program and
 * enforces it. (SeccompKernelTest does the same through the sandbox.)
 */
@KernelTest
class SeccompHostKernelTest {
    private static final Abi ABI = Abi.current();
    private static final String PYTHON = "/usr/bin/python3";
    private static final String LOADER = """
            import ctypes, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            nr_prctl, nnp, nr_seccomp, set_filter = (int(x) for x in sys.argv[1:5])
            data = open(sys.argv[5], 'rb').read()
            buf = ctypes.create_string_buffer(data, len(data))
            class Fprog(ctypes.Structure):
                _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
            prog = Fprog(len(data) // int(sys.argv[6]), ctypes.addressof(buf))
            if libc.syscall(nr_prctl, nnp, 1, 0, 0, 0) != 0:
                sys.exit('prctl: ' + os.strerror(ctypes.get_errno()))
            if libc.syscall(nr_seccomp, set_filter, 0, ctypes.byref(prog)) != 0:
                sys.stderr.write('seccomp: ' + os.strerror(ctypes.get_errno()) + '\\n'); sys.exit(125)
            os.execvp(sys.argv[7], sys.argv[7:])
            """;
    /** Makes raw syscalls with ctypes and prints "nr: errno-name" (or "nr: ok"). */
    private static final String CALLS = """
            import ctypes, errno, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            for spec in sys.argv[1:]:
                a = [ctypes.c_long(int(x, 0)) for x in spec.split(',')]
                r = libc.syscall(*a)
                print(spec + ': ' + ('ok' if r >= 0 else errno.errorcode[ctypes.get_errno()]))
            """;

    @TempDir
    static Path dir;

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void needsPython() throws IOException {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "needs " + PYTHON + " to load filters");
        Files.writeString(dir.resolve("loader.py"), LOADER);
        Files.writeString(dir.resolve("calls.py"), CALLS);
    }

    /** The program as the bytes of struct sock_filter[]. */
    static Path write(SeccompProgram program, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = sock_filter.allocateArray(program.size(), arena);
            for (int i = 0; i < program.size(); i++) {
                long[] in = program.instruction(i);
                MemorySegment s = sock_filter.asSlice(filter, i);
                sock_filter.code(s, (short) in[0]);
                sock_filter.jt(s, (byte) in[1]);
                sock_filter.jf(s, (byte) in[2]);
                sock_filter.k(s, (int) in[3]);
            }
            Path file = dir.resolve(name + ".bpf");
            Files.write(file, filter.toArray(ValueLayout.JAVA_BYTE));
            return file;
        }
    }

    static Result run(SeccompPolicy policy, String stdin, String... command) throws Exception {
        Path bpf = write(
                SeccompCompiler.forCurrentArch(SeccompPolicies.rulesOf(policy)),
                policy == SeccompPolicy.strict() ? "strict" : "policy");
        List<String> argv = new ArrayList<>(List.of(
                PYTHON,
                dir.resolve("loader.py").toString(),
                "" + Linux.__NR_prctl,
                "" + Linux.PR_SET_NO_NEW_PRIVS,
                "" + Linux.__NR_seccomp,
                "" + Linux.SECCOMP_SET_MODE_FILTER,
                bpf.toString(),
                "" + sock_filter.sizeof()));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Result r = new Result(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        assertNotEquals(125, r.exit(), "the kernel refused the filter: " + r.err());
        return r;
    }

    static Result calls(SeccompPolicy policy, String... specs) throws Exception {
        List<String> argv =
                new ArrayList<>(List.of(PYTHON, dir.resolve("calls.py").toString()));
        argv.addAll(List.of(specs));
        return run(policy, "", argv.toArray(String[]::new));
    }

    static String nr(String name) {
        return "" + ABI.syscall(name);
    }

    static final int SIGSYS_EXIT = 128 + Linux.SIGSYS;

    @Test
    void defaultPolicyRunsOrdinaryPrograms() throws Exception {
        SeccompPolicy p = SeccompPolicy.defaultPolicy();
        assertEquals(0, run(p, "", "/bin/true").exit());
        Result sh = run(p, "", "/bin/sh", "-c", "echo b a c | tr ' ' '\\n' | sort | head -2");
        assertEquals("a\nb\n", sh.out());
        assertEquals("1\n", run(p, "", PYTHON, "-c", "print(1)").out());
        Result java = run(
                p, "", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version");
        assertEquals(0, java.exit(), java.err());
        assertTrue(java.err().contains("version"), java.err());
    }

    @Test
    void defaultPolicyCompilesAndRunsC() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "needs gcc");
        Files.writeString(dir.resolve("hello.c"), "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n");
        Result gcc = run(SeccompPolicy.defaultPolicy(), "", "/usr/bin/gcc", "-o", "hello", "hello.c");
        assertEquals(0, gcc.exit(), gcc.err());
        assertEquals(
                "hello\n", run(SeccompPolicy.defaultPolicy(), "", "./hello").out());
    }

    @Test
    void defaultPolicyBlocks() throws Exception {
        SeccompPolicy p = SeccompPolicy.defaultPolicy();
        Result unshare = run(p, "", "unshare", "-U", "true");
        assertNotEquals(0, unshare.exit());
        assertTrue(unshare.err().contains("Operation not permitted"), unshare.err());
        Files.createDirectories(dir.resolve("mnt"));
        assertNotEquals(
                0,
                run(p, "", "mount", "-t", "tmpfs", "none", dir.resolve("mnt").toString())
                        .exit());
        assertTrue(run(p, "", "setarch", "-R", "true").err().contains("Operation not permitted"));
        long tiocsti = Linux.TIOCSTI;
        long newuser = Linux.CLONE_NEWUSER;
        int past = Collections.max(ABI.syscalls().values()) + 1;
        Result r = calls(
                p,
                nr("clone3") + ",0,0",
                nr("ioctl") + ",0," + tiocsti,
                nr("ioctl") + ",0," + (tiocsti | 1L << 32),
                nr("unshare") + "," + newuser,
                nr("bpf") + ",0,0,0",
                nr("keyctl") + ",0,0",
                nr("ptrace") + ",0,1",
                nr("getpid"),
                past + ",-1,0,0,0");
        assertTrue(r.out().contains(nr("clone3") + ",0,0: ENOSYS"), r.out());
        assertTrue(r.out().contains(nr("ioctl") + ",0," + tiocsti + ": EPERM"), r.out());
        assertTrue(r.out().contains(nr("ioctl") + ",0," + (tiocsti | 1L << 32) + ": EPERM"), r.out());
        assertTrue(r.out().contains(nr("unshare") + "," + newuser + ": EPERM"), r.out());
        assertTrue(r.out().contains(nr("bpf") + ",0,0,0: EPERM"), r.out());
        assertTrue(r.out().contains(nr("keyctl") + ",0,0: EPERM"), r.out());
        assertTrue(r.out().contains(nr("ptrace") + ",0,1: EPERM"), r.out());
        assertTrue(r.out().contains(nr("getpid") + ": ok"), r.out());
        // A syscall newer than the tables; the kernel may well have it (6.2+ has
        // cachestat there), but the filter answers ENOSYS so libc falls back.
        assertTrue(r.out().contains(past + ",-1,0,0,0: ENOSYS"), r.out());
    }

    @Test
    void foreignAbiIsKilled() throws Exception {
        assumeTrue(ABI.arch().equals("x86_64"), "x32 and int 0x80 are x86_64's other ABIs");
        int x32 = (int) ABI.longConstant("__X32_SYSCALL_BIT");
        Result r = calls(SeccompPolicy.defaultPolicy(), "" + (x32 | Linux.__NR_getpid));
        assertEquals(SIGSYS_EXIT, r.exit(), r.out() + r.err());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "needs gcc for int 0x80");
        // Any number will do: the filter's architecture check comes first.
        Files.writeString(
                dir.resolve("i386.c"),
                "int main(void){int r; __asm__ volatile(\"int $0x80\" : \"=a\"(r) : \"a\"(20)); return 0;}\n");
        Process gcc = new ProcessBuilder(
                        "/usr/bin/gcc",
                        "-o",
                        dir.resolve("i386").toString(),
                        dir.resolve("i386.c").toString())
                .inheritIO()
                .start();
        assertEquals(0, gcc.waitFor());
        // Without a filter the call reaches the kernel and returns; a kernel without ia32
        // emulation (ia32_emulation=0, or a VM's) answers int 0x80 with SIGSEGV instead.
        Process bare = new ProcessBuilder(dir.resolve("i386").toString()).start();
        assumeTrue(bare.waitFor() == 0, "this kernel does not run int 0x80 calls (exit " + bare.exitValue() + ")");
        assertEquals(
                SIGSYS_EXIT, run(SeccompPolicy.defaultPolicy(), "", "./i386").exit());
    }

    @Test
    void strictRunsJudgePrograms() throws Exception {
        SeccompPolicy p = SeccompPolicy.strict();
        assertEquals(
                "3\n",
                run(p, "1 2\n", PYTHON, "-c", "print(sum(map(int, input().split())))")
                        .out());
        assertEquals(
                "a\nb\n",
                run(p, "c\nb\na\n", "/bin/sh", "-c", "cat | sort | head -2").out());
        Result java = run(
                p, "", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version");
        assertEquals(0, java.exit(), java.err());
        if (Files.isExecutable(Path.of("/usr/bin/gcc"))) {
            Files.writeString(
                    dir.resolve("sum.c"),
                    "#include <stdio.h>\n"
                            + "int main(void){long a,b; if(scanf(\"%ld %ld\",&a,&b)!=2) return 1; printf(\"%ld\\n\",a+b); return 0;}\n");
            Result gcc = run(p, "", "/usr/bin/gcc", "-O2", "-o", "sum", "sum.c");
            assertEquals(0, gcc.exit(), gcc.err());
            assertEquals("7\n", run(p, "3 4\n", "./sum").out());
        }
    }

    @Test
    void strictRefusesNetworkAndNamespaces() throws Exception {
        Result r = run(
                SeccompPolicy.strict(),
                "",
                PYTHON,
                "-c",
                "import socket\ntry:\n socket.socket()\nexcept OSError as e:\n print(e.errno)");
        assertEquals(Linux.EPERM + "\n", r.out(), r.err());
        assertNotEquals(
                0, run(SeccompPolicy.strict(), "", "unshare", "-U", "true").exit());
    }
}
