package io.jiso;

import io.jiso.cgroup.LeafSite;
import io.jiso.plan.SetupFailure;
import io.jiso.spawn.RuntimeSettings;
import io.jiso.spawn.Services;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What runs behind the sandboxes of a set of builders: their configuration
 * (where cgroup leaves go, how they restrict devices, whether network
 * namespaces are reused, whether fresh roots are copied from templates) and
 * the resources that serve their spawns: the reaper thread that waits for
 * exits, the housekeeping thread that cleans up after them, the spawner
 * threads, the network namespaces and cgroup leaves made ahead of need (each
 * with its thread), and the root templates.
 *
 * <p>{@code new IsolatedProcessBuilder(cmd...)} uses the {@link #defaultRuntime()},
 * made at first use and configured by the system properties
 * {@code jiso.cgroup.parent}, {@code jiso.cgroup.devices},
 * {@code jiso.netns.reuse} and {@code jiso.rootTemplates}; it lives as long as
 * the JVM. {@code new IsolatedProcessBuilder(runtime, cmd...)} uses another,
 * as {@code new Thread(group, task)} puts a thread in a group:
 *
 * <pre>{@code
 * try (JisoRuntime runtime = JisoRuntime.builder().cgroupParent("/judge.slice/sandboxes").build()) {
 *     Process p = new IsolatedProcessBuilder(runtime, "sh", "-c", "echo hi").start();
 *     ...
 * } // kills what still runs, ends the threads, removes the leaves
 * }</pre>
 *
 * <p>{@link #close()} refuses new starts, then <em>kills</em> the runtime's
 * sandboxes that still run (as {@link Process#destroyForcibly()}) and waits
 * up to 10 seconds for their exits to be reported, ends its threads, and
 * removes the cgroup leaves, pooled network namespaces and root templates it
 * made. Processes of a closed runtime stay usable as exited processes.
 */
public final class JisoRuntime implements AutoCloseable {
    /** How cgroup leaves restrict their processes to the allowed devices. */
    public enum DeviceControl {
        /** A BPF device program where there is a cgroup v2 tree, else the v1 devices controller's list. */
        AUTOMATIC,
        /** A BPF device program on the v2 leaf; needs a cgroup v2 tree (pure v2 or hybrid). */
        BPF,
        /** The cgroup v1 devices controller's list; needs a v1 devices hierarchy (pure v1 or hybrid). */
        V1
    }

    private static final AtomicInteger NUMBER = new AtomicInteger();
    private static final JisoRuntime DEFAULT = new JisoRuntime(null);

    /** Null for the default runtime, whose services are made at first use. */
    private final Services services;

    private JisoRuntime(Services services) {
        this.services = services;
    }

    /**
     * The runtime of {@code new IsolatedProcessBuilder(cmd...)}: configured by
     * the system properties named in the class comment, read when it first
     * starts a sandbox. Its {@link #close()} has no effect, as the common
     * pool's: it ends with the JVM, whose shutdown removes its cgroup leaves.
     */
    public static JisoRuntime defaultRuntime() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The services behind this runtime's spawns. */
    Services services() {
        Services s = services;
        if (s != null) {
            return s;
        }
        try {
            return Services.defaultServices();
        } catch (UncheckedIOException u) {
            throw Failures.toPublic(u); // its reaper's epoll set could not be made
        }
    }

    /** This runtime's configuration; the default's is read without starting its threads. */
    private RuntimeSettings settings() {
        return services != null ? services.settings() : Services.defaultSettings();
    }

    /** The parent cgroup of the leaves in each hierarchy ("/a/b"), empty for the default. */
    public Optional<String> cgroupParent() {
        return Optional.ofNullable(settings().cgroupParent());
    }

    /** How leaves restrict devices (the default runtime: as its system property says, AUTOMATIC if unset or invalid). */
    public DeviceControl deviceControl() {
        String setting = settings().deviceControl();
        if (setting == null) {
            return DeviceControl.AUTOMATIC;
        }
        return switch (setting.strip()) {
            case "bpf" -> DeviceControl.BPF;
            case "v1" -> DeviceControl.V1;
            default -> DeviceControl.AUTOMATIC;
        };
    }

    /** Whether pooled network namespaces that show no trace of use are handed out again. */
    public boolean reuseNetworkNamespaces() {
        return settings().reuseNetworkNamespaces();
    }

    /** Whether a root JVM copies fresh roots from root templates. */
    public boolean rootTemplates() {
        return settings().rootTemplates();
    }

    /** Whether {@link #close()} was called; never for the default runtime. */
    public boolean isClosed() {
        return services != null && services.isClosed();
    }

    /** The prefix of this runtime's thread names. */
    String threadPrefix() {
        return services != null ? services.threadPrefix() : "jiso-";
    }

    /**
     * Refuses new starts (they throw IllegalStateException), kills the
     * sandboxes still running and waits up to 10 s for their exits, ends the
     * runtime's threads, and removes the cgroup leaves, pooled network
     * namespaces and root templates it made. Idempotent. No effect on the
     * default runtime.
     */
    @Override
    public void close() {
        if (services != null) {
            services.close();
        }
    }

    @Override
    public String toString() {
        return "JisoRuntime["
                + (services == null ? "default" : services.threadPrefix() + (isClosed() ? ", closed" : "")) + "]";
    }

    /**
     * A runtime's configuration. Every setter checks its value at once and
     * throws IllegalArgumentException naming the field and the rule.
     */
    public static final class Builder {
        private String cgroupParent;
        private DeviceControl deviceControl = DeviceControl.AUTOMATIC;
        private boolean reuseNetworkNamespaces = true;
        private boolean rootTemplates = true;

        private Builder() {}

        /**
         * The cgroup under which the runtime's leaves go ({@code PARENT/jiso/jiso-PID-N}), the same
         * path inside each hierarchy: absolute, "/" or "/a/b", without "." or ".." components or
         * empty ones. Null: the default (the v2 root where the JVM may write it, else the JVM's own
         * cgroup). The cgroup itself must exist by the first start, which fails otherwise.
         */
        public Builder cgroupParent(String cgroupParent) {
            if (cgroupParent != null) {
                checkCgroupParent(cgroupParent);
            }
            this.cgroupParent = cgroupParent;
            return this;
        }

        /**
         * How leaves restrict devices. BPF needs a cgroup v2 tree and V1 a v1 devices hierarchy on
         * this host; the choice is checked against the host's cgroup layout here.
         */
        public Builder deviceControl(DeviceControl deviceControl) {
            Objects.requireNonNull(deviceControl, "deviceControl");
            if (deviceControl != DeviceControl.AUTOMATIC) {
                try {
                    LeafSite.checkDeviceSetting(setting(deviceControl));
                } catch (SetupFailure e) {
                    throw new IllegalArgumentException(
                            "deviceControl " + deviceControl + " cannot be used on this" + " host: " + e.getMessage(),
                            Failures.toPublic(e));
                }
            }
            this.deviceControl = deviceControl;
            return this;
        }

        /**
         * Whether a network namespace whose sandbox left no trace in it is handed to the next
         * sandbox (see PERFORMANCE.md); true by default.
         */
        public Builder reuseNetworkNamespaces(boolean reuse) {
            this.reuseNetworkNamespaces = reuse;
            return this;
        }

        /**
         * Whether a root JVM copies fresh roots from a template per mount layout instead of
         * building each from the host's mount namespace; true by default.
         */
        public Builder rootTemplates(boolean rootTemplates) {
            this.rootTemplates = rootTemplates;
            return this;
        }

        /** A new runtime; its threads start as its first sandboxes need them (the reaper's at once). */
        public JisoRuntime build() {
            RuntimeSettings settings = new RuntimeSettings(
                    cgroupParent,
                    deviceControl == DeviceControl.AUTOMATIC ? null : setting(deviceControl),
                    reuseNetworkNamespaces,
                    rootTemplates);
            try {
                return new JisoRuntime(Services.create(settings, "jiso-rt" + NUMBER.incrementAndGet() + "-"));
            } catch (UncheckedIOException u) {
                throw Failures.toPublic(u); // its reaper's epoll set could not be made
            }
        }

        private static String setting(DeviceControl control) {
            return control == DeviceControl.BPF ? "bpf" : "v1";
        }

        private static void checkCgroupParent(String parent) {
            String rule = "cgroupParent must be an absolute path inside each cgroup hierarchy (\"/\" or \"/a/b\")"
                    + " without empty, \".\" or \"..\" components, or null for the default";
            if (!parent.startsWith("/") || parent.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(rule + ", was \"" + parent.replace("\0", "\\0") + "\"");
            }
            if (parent.equals("/")) {
                return;
            }
            for (String part : parent.substring(1).split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    throw new IllegalArgumentException(rule + ", was \"" + parent + "\"");
                }
            }
        }
    }
}
