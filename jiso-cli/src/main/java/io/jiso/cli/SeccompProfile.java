package io.jiso.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jiso.Capability;
import io.jiso.SeccompPolicy;
import io.jiso.SeccompPolicy.Action;
import io.jiso.SeccompPolicy.ArgCheck;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A seccomp profile in the JSON format of Docker, runc and crun (the OCI
 * runtime spec's linux.seccomp: defaultAction, defaultErrnoRet, syscalls
 * with names, action, errnoRet, args, and Docker's includes/excludes by caps,
 * arches and minKernel), read into a SeccompPolicy. Names this machine's
 * architectures lack are skipped, as runc skips them, so Docker's own
 * default.json loads; an action or operator jiso cannot express is an error
 * naming it.
 */
final class SeccompProfile {
    private SeccompProfile() {}

    /** keptCaps: the capabilities the sandbox keeps, which Docker's includes/excludes test. */
    static SeccompPolicy read(Path file, Set<Capability> keptCaps) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + " is not a JSON object");
        }
        int defaultErrno = root.path("defaultErrnoRet").asInt(1);
        SeccompPolicy.Builder b = SeccompPolicy.builder(action(text(root, "defaultAction"), defaultErrno));
        for (JsonNode entry : root.path("syscalls")) {
            if (!applies(entry.path("includes"), keptCaps, true) || !applies(entry.path("excludes"), keptCaps, false)) {
                continue;
            }
            Action action = action(text(entry, "action"), entry.path("errnoRet").asInt(defaultErrno));
            ArgCheck[] checks = checks(entry.path("args"));
            List<String> names = new ArrayList<>();
            entry.path("names").forEach(n -> names.add(n.asText()));
            if (entry.hasNonNull("name")) {
                names.add(entry.get("name").asText());
            }
            for (String name : names) {
                try {
                    b.rule(name, action, checks);
                } catch (IllegalArgumentException notHere) {
                    // a call of another architecture (Docker's profile lists s390's, arm's...)
                }
            }
        }
        return b.build();
    }

    private static String text(JsonNode node, String field) {
        if (!node.hasNonNull(field)) {
            throw new IllegalArgumentException("\"" + field + "\" is missing");
        }
        return node.get(field).asText();
    }

    private static Action action(String name, int errno) {
        return switch (name) {
            case "SCMP_ACT_ALLOW" -> Action.allow();
            case "SCMP_ACT_ERRNO" -> Action.errno(errno);
            // libseccomp's KILL is KILL_THREAD; jiso kills the whole process, which is stricter
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS" -> Action.killProcess();
            case "SCMP_ACT_TRAP" -> Action.trap();
            case "SCMP_ACT_LOG" -> Action.log();
            default ->
                throw new IllegalArgumentException("action " + name + " is not one jiso supports (SCMP_ACT_ALLOW,"
                        + " _ERRNO, _KILL, _KILL_THREAD, _KILL_PROCESS, _TRAP, _LOG)");
        };
    }

    private static ArgCheck[] checks(JsonNode args) {
        List<ArgCheck> checks = new ArrayList<>();
        for (JsonNode a : args) {
            int index = a.path("index").asInt(-1);
            long value = unsigned(a.path("value"));
            SeccompPolicy.Arg arg = SeccompPolicy.arg(index);
            String op = text(a, "op");
            checks.add(
                    switch (op) {
                        case "SCMP_CMP_EQ" -> arg.eq(value);
                        case "SCMP_CMP_NE" -> arg.ne(value);
                        case "SCMP_CMP_LT" -> arg.lt(value);
                        case "SCMP_CMP_LE" -> arg.le(value);
                        case "SCMP_CMP_GT" -> arg.gt(value);
                        case "SCMP_CMP_GE" -> arg.ge(value);
                        case "SCMP_CMP_MASKED_EQ" -> arg.maskedEq(value, unsigned(a.path("valueTwo")));
                        default ->
                            throw new IllegalArgumentException("operator " + op + " is not a seccomp comparison");
                    });
        }
        return checks.toArray(ArgCheck[]::new);
    }

    /** A 64-bit argument value, which JSON may write beyond a signed long. */
    private static long unsigned(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? 0 : new BigInteger(n.asText()).longValue();
    }

    /**
     * Docker's conditions: includes hold when the sandbox keeps every listed
     * capability, runs on a listed architecture and on at least minKernel;
     * excludes hold (and drop the entry) when any of them matches.
     */
    private static boolean applies(JsonNode cond, Set<Capability> keptCaps, boolean includes) {
        if (cond.isMissingNode() || cond.isNull() || cond.isEmpty()) {
            return true;
        }
        List<Boolean> matches = new ArrayList<>();
        if (cond.has("caps")) {
            List<Boolean> each = new ArrayList<>();
            cond.get("caps")
                    .forEach(c ->
                            each.add(keptCaps.stream().anyMatch(k -> k.name().equals(c.asText()))));
            matches.add(includes ? !each.contains(false) : each.contains(true));
        }
        if (cond.has("arches")) {
            List<String> arches = new ArrayList<>();
            cond.get("arches").forEach(a -> arches.add(a.asText()));
            matches.add(arches.stream().anyMatch(SeccompProfile::isThisArch));
        }
        if (cond.hasNonNull("minKernel")) {
            matches.add(kernelAtLeast(cond.get("minKernel").asText()));
        }
        return includes ? !matches.contains(false) : !matches.contains(true);
    }

    private static boolean isThisArch(String arch) {
        String here = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64", "SCMP_ARCH_X86_64" -> here.equals("amd64") || here.equals("x86_64");
            case "arm64", "aarch64", "SCMP_ARCH_AARCH64" -> here.equals("aarch64");
            default -> false;
        };
    }

    private static boolean kernelAtLeast(String min) {
        int[] have = majorMinor(System.getProperty("os.version"));
        int[] want = majorMinor(min);
        return have[0] != want[0] ? have[0] > want[0] : have[1] >= want[1];
    }

    private static int[] majorMinor(String version) {
        String[] p = version.split("[.-]");
        return new int[] {Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1].replaceAll("\\D.*", "")) : 0};
    }
}
