package io.jiso.examples.judge;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that needs the running kernel: it starts sandboxes, makes cgroup
 * leaves, mounts or namespaces, or needs root. {@code ./mvnw test} runs the
 * other classes, the unit tests; {@code ./mvnw verify} runs these too, in the
 * integration-test phase. Without the privilege or feature a test needs, it
 * still skips with its reason. A class without this tag is a unit test: it runs
 * without root and touches no cgroup tree.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@interface KernelTest {}
