package io.jiso.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;

/**
 * The {@code jiso} command. Its own failures (a bad flag, a sandbox that
 * cannot start) print one line to stderr and exit {@value #EXIT_JISO_FAILED},
 * as {@code docker run} does; otherwise a subcommand's status is the exit
 * status.
 */
@Command(
        name = "jiso",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs programs isolated in Linux namespaces, a cgroup leaf and a seccomp filter.",
        subcommands = {RunCommand.class, CheckCommand.class, SweepCommand.class, HelpCommand.class})
public final class Main {
    /** jiso itself failed: a bad flag or value, or the sandbox could not start. */
    public static final int EXIT_JISO_FAILED = 125;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        Logging.configure(args);
        CommandLine cli = new CommandLine(new Main());
        // jiso run ls -la: the first word that is not a flag of jiso's starts the command, "--" or not.
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.setParameterExceptionHandler(Main::badUsage);
        cli.setExecutionExceptionHandler((e, command, parsed) -> failed(command.getErr(), e));
        return cli.execute(args);
    }

    /** A flag or value the parser or a converter refused: one line naming it. */
    private static int badUsage(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("jiso: " + e.getMessage());
        err.flush();
        return EXIT_JISO_FAILED;
    }

    /** What a subcommand threw: one line (the exception's own message names the step or field). */
    static int failed(PrintWriter err, Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println("jiso: " + message.replace('\n', ' '));
        err.flush();
        return EXIT_JISO_FAILED;
    }

    /** The project's version, written into the jar at build time. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {
                "jiso " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ", "
                        + System.getProperty("os.arch") + ")"
            };
        }
    }
}
