package io.jiso.spawn;

import io.jiso.capability.PrivilegeSpec;
import io.jiso.cgroup.AllowedDevice;
import io.jiso.cgroup.CgroupLimits;
import io.jiso.landlock.LandlockRules;
import io.jiso.limits.RunLimits;
import io.jiso.mount.FsOp;
import io.jiso.namespace.NamespaceType;
import io.jiso.seccomp.SyscallRules;
import io.jiso.user.UserNamespaceMaps;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a start() needs, frozen: the builder validates and snapshots into
 * this record, so one spec can be started many times and never changes under
 * a running spawn.
 *
 * @param command       argv; command.get(0) is looked up in PATH of environment if it has no '/'
 * @param environment   the child's whole environment
 * @param directory     working directory inside the sandbox
 * @param redirects     where fds 0, 1, 2 come from (ProcessBuilder's redirects; error is ignored if mergeErrors)
 * @param mergeErrors   redirectErrorStream: fd 2 is the same as fd 1
 * @param created       namespaces created for the child
 * @param joined        namespaces taken from another running sandbox
 * @param hostname      the UTS hostname (new UTS namespace only)
 * @param freshRoot     build a new root on tmpfs (otherwise the host's root, in a private mount namespace)
 * @param rootPreset    the file system's default ops (io.jiso.mount.RootPresets), for a new mount namespace
 * @param mounts        the caller's mounts, in order, after the preset's
 * @param monotonicOffset,boottimeOffset clock offsets for a new time namespace
 * @param userMaps      the id maps of a new user namespace and who writes them, or null without one
 * @param privileges    who the program runs as, which capabilities it keeps, no_new_privs
 * @param landlock      Landlock rules, or null for none
 * @param seccomp       the seccomp policy, or null for none
 * @param cgroup        limits for the process's own cgroup leaf, or null for no leaf
 * @param devices       the devices the leaf's device filter allows
 * @param newSession    the main process (and PID 1) start sessions of their own, away from the JVM's terminal
 * @param appArmorProfile the AppArmor profile the program runs in, or null
 * @param selinuxLabel  the SELinux context the program runs in, or null
 * @param runLimits     resource limits of the main process; CPU, wall time and output limits of the run
 * @param host          the facts of the JVM and host the spec was made under, which its plan follows
 */
public record SandboxSpec(
        List<String> command,
        Map<String, String> environment,
        String directory,
        List<Redirect> redirects,
        boolean mergeErrors,
        Set<NamespaceType> created,
        Map<NamespaceType, ChildProcess> joined,
        String hostname,
        boolean freshRoot,
        List<FsOp> rootPreset,
        List<FsOp> mounts,
        Duration monotonicOffset,
        Duration boottimeOffset,
        UserNamespaceMaps userMaps,
        PrivilegeSpec privileges,
        LandlockRules landlock,
        SyscallRules seccomp,
        CgroupLimits cgroup,
        List<AllowedDevice> devices,
        boolean newSession,
        String appArmorProfile,
        String selinuxLabel,
        RunLimits runLimits,
        HostFacts host) {

    public SandboxSpec {
        command = List.copyOf(command);
        redirects = List.copyOf(redirects);
        // In the caller's order, the same in every JVM: it is the child's envp (Map.copyOf's order varies).
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        created = created.isEmpty() ? Set.of() : Set.copyOf(created);
        joined = Map.copyOf(joined);
        rootPreset = List.copyOf(rootPreset);
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
    }

    public boolean creates(NamespaceType ns) {
        return created.contains(ns);
    }
}
