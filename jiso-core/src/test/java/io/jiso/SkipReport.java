package io.jiso;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints every skipped test with its reason, e.g. the privilege that
 * {@link Privileges} found missing: a run's output then lists what did not
 * run and why, which the counts of the build summary do not. Registered for
 * every test class through the ServiceLoader (junit-platform.properties).
 */
public final class SkipReport implements TestWatcher {
    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        String reason = cause.getMessage().replaceFirst("^Assumption failed: ", "");
        System.out.println("[skipped] " + context.getRequiredTestClass().getSimpleName() + "."
                + context.getRequiredTestMethod().getName() + ": " + reason);
    }
}
