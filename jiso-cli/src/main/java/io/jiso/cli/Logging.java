package io.jiso.cli;

import java.util.Arrays;
import java.util.List;

/**
 * slf4j-simple reads its configuration from system properties once, when
 * the first logger is made: this sets them before jiso-core makes one.
 * jiso's log goes to stderr at WARN (INFO would interleave with the
 * program's output); {@code --quiet} turns it off.
 */
final class Logging {
    private Logging() {}

    static void configure(String[] args) {
        List<String> own = Arrays.asList(args).subList(0, dashDash(args));
        boolean quiet = own.contains("--quiet") || own.contains("-q");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", quiet ? "off" : "warn");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "true");
    }

    /** The arguments after "--" are the program's, not jiso's. */
    private static int dashDash(String[] args) {
        int i = Arrays.asList(args).indexOf("--");
        return i < 0 ? args.length : i;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
