package io.jiso.cgroup;

import io.jiso.HostSetupException;
import io.jiso.IsolationException;
import io.jiso.nativegen.Abi;
import io.jiso.sys.Errno;
import io.jiso.sys.Sys;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and removes leaves left by a JVM that died without its shutdown hook
 * (SIGKILL, a crash, the OOM killer). A leaf jiso-PID-N is stale when no
 * process PID exists, or when process PID started after the leaf was made
 * (the pid was reused). Limitation: pids are compared in this JVM's pid
 * namespace, so JVMs in other pid namespaces that share a jiso directory
 * look dead; give them different parents.
 */
final class StaleLeaves {
    static final Pattern NAME = Pattern.compile("jiso-(\\d+)-(\\d+)");
    private static final Logger LOG = LoggerFactory.getLogger(StaleLeaves.class);
    private static final int SIGKILL = Abi.current().intConstant("SIGKILL");
    /** /proc/PID/stat start times are in USER_HZ ticks, 100 per second on every Linux ABI. */
    private static final int USER_HZ = 100;

    private StaleLeaves() {
    }

    /** Sweeps each jiso directory; returns how many distinct stale leaf names were removed. */
    static int sweep(List<Path> jisoDirs) {
        Set<String> removed = new HashSet<>();
        for (Path jiso : jisoDirs) {
            if (!Files.isDirectory(jiso) || !Files.isWritable(jiso)) {
                continue; // e.g. root's, seen by a JVM that is not root: nothing in it is this JVM's to remove
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(jiso)) {
                for (Path leaf : entries) {
                    Matcher m = NAME.matcher(leaf.getFileName().toString());
                    if (!m.matches() || !Files.isDirectory(leaf)) {
                        continue;
                    }
                    long pid = Long.parseLong(m.group(1));
                    // our own pid too: a leaf older than this JVM is from a dead JVM that had the same pid
                    if (ownerAlive(pid, leaf)) {
                        continue;
                    }
                    try {
                        remove(leaf);
                        removed.add(leaf.getFileName().toString());
                    } catch (IsolationException e) {
                        LOG.warn("could not remove stale cgroup leaf {}: {}", leaf, e.getMessage());
                    }
                }
            } catch (IOException e) {
                LOG.warn("could not list {}: {}", jiso, e.getMessage());
            }
        }
        return removed.size();
    }

    /** Whether process pid exists and is older than the leaf, i.e. plausibly the JVM that made it. */
    static boolean ownerAlive(long pid, Path leaf) {
        try {
            String stat = Sys.readFile("/proc/" + pid + "/stat");
            // fields after "(comm)": state is field 3, starttime field 22
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(f[19]);
            long btime = CgroupFs.keyValues(Sys.readFile("/proc/stat")).getOrDefault("btime", 0L);
            long startSeconds = btime + startTicks / USER_HZ;
            long leafSeconds = Files.getLastModifiedTime(leaf).toMillis() / 1000;
            // btime is rounded to a second and clocks drift a little: 2 s of slack against calling a live JVM dead
            return startSeconds <= leafSeconds + 2;
        } catch (HostSetupException e) {
            return e.errno() != Errno.ENOENT && e.errno() != Errno.ESRCH;
        } catch (IOException | RuntimeException e) {
            return true; // when in doubt, the leaf is someone's
        }
    }

    /** Kills whatever is left in one stale leaf directory and removes it, its frozen part first. */
    static void remove(Path leaf) throws IsolationException {
        Path kill = leaf.resolve("cgroup.kill");
        Path freezer = leaf.resolve("freezer.state");
        Path part = leaf.resolve(FrozenPart.NAME);
        if (Files.isDirectory(part)) {
            if (Files.exists(freezer)) {
                CgroupFs.write(freezer, "THAWED"); // a JVM that died while freezing: the part's tasks must wake to die
            }
            remove(part);
        }
        if (Files.exists(kill)) {
            CgroupFs.write(kill, "1");
        } else {
            for (int round = 0; round < 100; round++) {
                List<Integer> pids = CgroupFs.pids(leaf.resolve("cgroup.procs"));
                if (pids.isEmpty()) {
                    break;
                }
                for (int pid : pids) {
                    Sys.kill(pid, SIGKILL);
                }
                if (Files.exists(freezer)) {
                    CgroupFs.write(freezer, "THAWED"); // a v1-frozen task dies only once thawed
                }
            }
        }
        if (Files.exists(leaf.resolve("cgroup.freeze"))) {
            CgroupFs.write(leaf.resolve("cgroup.freeze"), "0");
        }
        if (!CgroupFs.await(() -> CgroupFs.pids(leaf.resolve("cgroup.procs")).isEmpty(), TimeUnit.SECONDS.toNanos(5))) {
            throw new HostSetupException("remove stale cgroup leaf " + leaf, 0, "", "tasks are still in it after SIGKILL");
        }
        CgroupFs.rmdir(leaf, TimeUnit.SECONDS.toNanos(2));
    }
}
