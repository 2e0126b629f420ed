package io.jiso;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * Prints every skipped test with its reason, e.g. the privilege that
 * {@link Privileges} found missing: a run's output then lists what did not
 * run and why, which the counts of the build summary do not. A whole class
 * skipped by an assumption in its {@code @BeforeAll} is printed once, as
 * "Class.*". Registered for every test class through the ServiceLoader
 * (junit-platform.properties).
 */
public final class SkipReport implements TestWatcher, LifecycleMethodExecutionExceptionHandler {
    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        print(
                context.getRequiredTestClass().getSimpleName() + "."
                        + context.getRequiredTestMethod().getName(),
                cause);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable cause) throws Throwable {
        if (cause instanceof TestAbortedException) {
            print(context.getRequiredTestClass().getSimpleName() + ".*", cause);
        }
        throw cause;
    }

    private static void print(String what, Throwable cause) {
        String reason = String.valueOf(cause.getMessage()).replaceFirst("^Assumption failed: ", "");
        System.out.println("[skipped] " + what + ": " + reason);
    }
}
