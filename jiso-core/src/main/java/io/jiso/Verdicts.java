package io.jiso;

import static io.jiso.nativegen.Linux.SIGXCPU;
import static io.jiso.nativegen.Linux.SIGXFSZ;

import io.jiso.nativegen.Abi;
import io.jiso.nativegen.Macros;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Turns what is known about an ended run into its {@link RunReport}, with the precedence of {@link RunStatus}. */
final class Verdicts {
    private Verdicts() {}

    /** Killed by jiso: the InitReport.KILLED_* numbers. */
    static final int KILLED_NONE = 0;

    static final int KILLED_CPU = 1;
    static final int KILLED_WALL = 2;
    static final int KILLED_OUTPUT = 3;

    private static final Abi ABI = Abi.current();
    /** Looked up by name: the name is what a verdict prints. */
    private static final List<String> SIGNAL_NAMES = List.of(
            "SIGHUP",
            "SIGINT",
            "SIGQUIT",
            "SIGILL",
            "SIGTRAP",
            "SIGABRT",
            "SIGBUS",
            "SIGFPE",
            "SIGKILL",
            "SIGUSR1",
            "SIGSEGV",
            "SIGUSR2",
            "SIGPIPE",
            "SIGALRM",
            "SIGTERM",
            "SIGSTKFLT",
            "SIGCHLD",
            "SIGCONT",
            "SIGSTOP",
            "SIGTSTP",
            "SIGTTIN",
            "SIGTTOU",
            "SIGURG",
            "SIGXCPU",
            "SIGXFSZ",
            "SIGVTALRM",
            "SIGPROF",
            "SIGWINCH",
            "SIGIO",
            "SIGPWR",
            "SIGSYS");

    /**
     * Everything a verdict depends on; a limit is null or -1 where none was
     * set, a measurement negative where unknown.
     */
    record Facts(
            int waitStatus,
            int killedFor,
            Duration cpuUsed,
            Duration cpuLimit,
            Duration wall,
            Duration wallLimit,
            long oomKills,
            long memoryPeakBytes,
            long outputBytes,
            long outputLimit) {}

    static RunReport judge(Facts f) {
        boolean signaled = Macros.wifSignaled(f.waitStatus());
        int signal = signaled ? Macros.wtermSig(f.waitStatus()) : 0;
        int exitCode = signaled ? -1 : Macros.wexitStatus(f.waitStatus());
        boolean cpuOver = f.cpuLimit() != null && f.cpuUsed().compareTo(f.cpuLimit()) > 0;
        boolean wallOver = f.wallLimit() != null && f.wall().compareTo(f.wallLimit()) > 0;
        boolean oom = f.oomKills() > 0;

        RunStatus status;
        String why;
        if (f.killedFor() == KILLED_CPU) {
            status = RunStatus.CPU_TIME_EXCEEDED;
            why = cpuText(f);
        } else if (f.killedFor() == KILLED_WALL) {
            status = RunStatus.WALL_TIME_EXCEEDED;
            why = wallText(f);
        } else if (f.killedFor() == KILLED_OUTPUT) {
            status = RunStatus.OUTPUT_EXCEEDED;
            why = "Output limit exceeded (more than " + f.outputLimit() + " bytes)";
        } else if (cpuOver || signal == SIGXCPU) {
            status = RunStatus.CPU_TIME_EXCEEDED;
            why = cpuOver ? cpuText(f) : "Time limit exceeded (SIGXCPU: RLIMIT_CPU)";
        } else if (wallOver) {
            status = RunStatus.WALL_TIME_EXCEEDED;
            why = wallText(f);
        } else if (oom) {
            status = RunStatus.MEMORY_EXCEEDED;
            why = "Memory limit exceeded (the OOM killer killed " + f.oomKills() + " process"
                    + (f.oomKills() == 1 ? "" : "es") + ", peak " + bytes(f.memoryPeakBytes()) + ")";
        } else if (signal == SIGXFSZ) {
            status = RunStatus.OUTPUT_EXCEEDED;
            why = "Output limit exceeded (SIGXFSZ: a file write beyond RLIMIT_FSIZE)";
        } else if (signaled) {
            status = RunStatus.SIGNALED;
            why = "Caught fatal signal " + signal + " (" + signalName(signal) + ")";
        } else if (exitCode != 0) {
            status = RunStatus.RUNTIME_ERROR;
            why = "Exited with error status " + exitCode;
        } else {
            status = RunStatus.OK;
            why = "OK";
        }
        StringBuilder message = new StringBuilder(why);
        if (oom && status != RunStatus.MEMORY_EXCEEDED) {
            message.append("; the OOM killer also killed ")
                    .append(f.oomKills())
                    .append(" process")
                    .append(f.oomKills() == 1 ? "" : "es");
        }
        if (status != RunStatus.SIGNALED && signaled) {
            message.append("; main process ended by ").append(signalName(signal));
        }
        message.append(String.format(Locale.ROOT, " [%s CPU, %s wall]", seconds(f.cpuUsed()), seconds(f.wall())));
        return new RunReport(
                status,
                exitCode,
                signal,
                f.cpuUsed(),
                f.wall(),
                f.memoryPeakBytes(),
                f.outputBytes(),
                f.killedFor() != KILLED_NONE,
                message.toString());
    }

    private static String cpuText(Facts f) {
        return "Time limit exceeded (CPU " + seconds(f.cpuUsed()) + " of " + seconds(f.cpuLimit()) + ")";
    }

    private static String wallText(Facts f) {
        return "Time limit exceeded (wall clock " + seconds(f.wall()) + " of " + seconds(f.wallLimit()) + ")";
    }

    static String signalName(int signal) {
        for (String name : SIGNAL_NAMES) {
            if (ABI.hasConstant(name) && ABI.intConstant(name) == signal) {
                return name;
            }
        }
        return "signal " + signal;
    }

    private static String seconds(Duration d) {
        return d == null || d.isNegative() ? "unknown" : String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
    }

    private static String bytes(long n) {
        return n < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    }
}
