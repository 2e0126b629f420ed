package io.jiso;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What {@link IsolatedProcess#toHandle()} returns once the main process has
 * exited: a handle that is not alive, as ProcessBuilder's process gives one
 * after its exit, but whose info() still tells the user's command as given
 * to the builder (the process itself, and its /proc entry, are gone).
 */
final class ExitedHandle implements ProcessHandle {
    private final long pid;
    private final List<String> command;
    private final CompletableFuture<ProcessHandle> onExit;

    ExitedHandle(long pid, List<String> command) {
        this.pid = pid;
        this.command = command;
        this.onExit = CompletableFuture.completedFuture(this);
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public Optional<ProcessHandle> parent() {
        return Optional.empty();
    }

    @Override
    public Stream<ProcessHandle> children() {
        return Stream.empty();
    }

    @Override
    public Stream<ProcessHandle> descendants() {
        return Stream.empty();
    }

    @Override
    public Info info() {
        return new CommandInfo(command);
    }

    @Override
    public CompletableFuture<ProcessHandle> onExit() {
        return onExit;
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public boolean destroy() {
        return false;
    }

    @Override
    public boolean destroyForcibly() {
        return false;
    }

    @Override
    public boolean isAlive() {
        return false;
    }

    @Override
    public int compareTo(ProcessHandle other) {
        return Long.compare(pid, other.pid());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitedHandle h && h.pid == pid;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pid);
    }

    @Override
    public String toString() {
        return Long.toString(pid);
    }

    /** The command as the builder had it; nothing else is known of a process that is gone. */
    private record CommandInfo(List<String> commandAndArguments) implements Info {
        @Override
        public Optional<String> command() {
            return Optional.of(commandAndArguments.get(0));
        }

        @Override
        public Optional<String> commandLine() {
            return Optional.of(String.join(" ", commandAndArguments));
        }

        @Override
        public Optional<String[]> arguments() {
            return Optional.of(
                    commandAndArguments.subList(1, commandAndArguments.size()).toArray(String[]::new));
        }

        @Override
        public Optional<Instant> startInstant() {
            return Optional.empty();
        }

        @Override
        public Optional<Duration> totalCpuDuration() {
            return Optional.empty();
        }

        @Override
        public Optional<String> user() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "[cmd: " + String.join(" ", commandAndArguments) + "]";
        }
    }
}
