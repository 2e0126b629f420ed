package io.jiso.cli;

import io.jiso.Capability;
import io.jiso.IsolatedProcessBuilder;
import io.jiso.Namespace;
import io.jiso.SeccompPolicy;
import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Carries jiso run's flags over to the builder, one setter each. A value a
 * setter refuses becomes a usage error naming the flag, with the setter's
 * rule.
 */
final class RunOptions {
    private final RunCommand o;

    RunOptions(RunCommand options) {
        this.o = options;
    }

    /** One setter call; its IllegalArgumentException is blamed on the flag. */
    private interface Setter {
        void set();
    }

    private void set(String flag, Object value, Setter setter) {
        if (value == null || value instanceof Collection<?> c && c.isEmpty()) {
            return;
        }
        try {
            setter.set();
        } catch (IllegalArgumentException e) {
            throw o.badValue(flag, null, e);
        }
    }

    void apply(IsolatedProcessBuilder b) {
        b.inheritIO();
        set("-i", o.stdin, () -> b.redirectInput(Redirect.from(o.stdin)));
        set("-o", o.stdout, () -> b.redirectOutput(Redirect.to(o.stdout)));
        set("-e", o.stderr, () -> b.redirectError(Redirect.to(o.stderr)));
        limits(b);
        files(b);
        namespaces(b);
        privileges(b);
        environment(b.environment());
    }

    private void limits(IsolatedProcessBuilder b) {
        set("--memory", o.memory, () -> b.memoryMax(o.memory));
        set("--memory-high", o.memoryHigh, () -> b.memoryHigh(o.memoryHigh));
        set("--swap", o.swap, () -> b.swapMax(o.swap));
        set("--pids", o.pids, () -> b.pidsMax(o.pids));
        set("--cpus", o.cpus, () -> b.cpusetCpus(o.cpus));
        set("--cpuset-mems", o.cpusetMems, () -> b.cpusetMems(o.cpusetMems));
        set("--cpu-max", o.cpuMax, () -> b.cpuMax(o.cpuMax.quotaMicros(), o.cpuMax.periodMicros()));
        set("--cpu-weight", o.cpuWeight, () -> b.cpuWeight(o.cpuWeight));
        set("--cpu-time", o.cpuTime, () -> b.cpuTimeLimit(o.cpuTime));
        set("--wall-time", o.wallTime, () -> b.wallTimeLimit(o.wallTime));
        set("--output", o.output, () -> b.outputLimit(o.output));
        for (Values.Rlimit r : o.rlimits) {
            set("--rlimit", r, () -> b.rlimit(r.limit(), r.soft(), r.hard()));
        }
        for (String rule : o.devices) {
            b.allowDevice(o.deviceRule(rule));
        }
        if (o.noCgroup) {
            b.withoutCgroup();
        }
    }

    private void files(IsolatedProcessBuilder b) {
        for (Values.Bind m : o.binds) {
            set("--bind", m, () -> b.bind(m.source(), m.target()));
        }
        for (Values.Bind m : o.roBinds) {
            set("--ro-bind", m, () -> b.bindReadOnly(m.source(), m.target()));
        }
        for (Values.Tmpfs t : o.tmpfs) {
            set("--tmpfs", t, () -> b.tmpfs(t.target(), t.bytes()));
        }
        set("--tmp-size", o.tmpSize, () -> b.tmpSize(o.tmpSize));
        b.etc(o.etc());
        if (o.hostRoot) {
            b.hostRoot();
        }
        set("--chdir", o.chdir, () -> b.directory(new File(o.chdir)));
    }

    private void namespaces(IsolatedProcessBuilder b) {
        b.share(o.share.toArray(Namespace[]::new));
        set("--hostname", o.hostname, () -> b.hostname(o.hostname));
        Duration[] offsets = o.timeOffsets();
        set("--time-offset", offsets, () -> b.timeOffsets(offsets[0], offsets[1]));
        if (o.mapSubordinateIds) {
            b.mapSubordinateIds();
        }
        b.newSession(!o.noNewSession);
    }

    private void privileges(IsolatedProcessBuilder b) {
        set("--user", o.user, () -> b.user(o.user.uid(), o.user.gid()));
        if (!o.groups.isEmpty()) {
            set(
                    "--groups",
                    o.groups,
                    () -> b.supplementaryGroups(
                            o.groups.stream().mapToLong(Long::longValue).toArray()));
        }
        b.keepCapabilities(o.keepCaps.toArray(Capability[]::new));
        SeccompPolicy policy = o.seccompPolicy();
        if (policy == null) {
            b.withoutSeccomp();
        } else {
            b.seccomp(policy);
        }
        set("--landlock-ro", o.landlockReadOnly, () -> b.landlockReadOnly(o.landlockReadOnly.toArray(String[]::new)));
        set(
                "--landlock-rw",
                o.landlockReadWrite,
                () -> b.landlockReadWrite(o.landlockReadWrite.toArray(String[]::new)));
        set(
                "--landlock-exec",
                o.landlockExecutable,
                () -> b.landlockExecutable(o.landlockExecutable.toArray(String[]::new)));
        set("--apparmor-profile", o.apparmorProfile, () -> b.apparmorProfile(o.apparmorProfile));
        set("--selinux-label", o.selinuxLabel, () -> b.selinuxLabel(o.selinuxLabel));
    }

    private void environment(Map<String, String> environment) {
        if (o.clearEnv) {
            environment.clear();
        }
        for (String kv : o.env) {
            int eq = kv.indexOf('=');
            String name = eq < 0 ? kv : kv.substring(0, eq);
            if (name.isEmpty()) {
                throw o.badValue("--env", kv, new IllegalArgumentException("must be K=V or K, with a non-empty name"));
            }
            if (eq >= 0) {
                environment.put(name, kv.substring(eq + 1));
            } else if (System.getenv(name) != null) {
                environment.put(name, System.getenv(name));
            }
        }
    }
}
