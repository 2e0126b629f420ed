package io.jiso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A sandbox lives as long as the JVM, not as long as the thread that started
 * it: under jiso-init through a pidfd of the JVM that init watches, without a
 * pid namespace through PR_SET_PDEATHSIG from a spawner thread that never
 * ends.
 */
@KernelTest
class JvmLifelineTest {
    @Test
    void aSandboxOutlivesTheThreadThatStartedIt() throws Exception {
        IsolatedProcess[] started = new IsolatedProcess[2];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                started[0] = new IsolatedProcessBuilder("sleep", "60").start();
                started[1] = new IsolatedProcessBuilder("sleep", "60")
                        .share(Namespace.PID)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        t.join();
        try {
            Thread.sleep(300); // PR_SET_PDEATHSIG would have fired by now
            assertTrue(started[0].isAlive(), "under jiso-init");
            assertTrue(started[1].isAlive(), "without a pid namespace");
        } finally {
            for (IsolatedProcess p : started) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void sandboxesDieWithTheJvm() throws Exception {
        String[] sleeps = {"1007.25", "1007.5"};
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:-UsePerfData",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LifelineProbe.class.getName(),
                        sleeps[0],
                        sleeps[1])
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // SLF4J's notice
            }
            assertEquals("ready", line);
            for (String s : sleeps) {
                ProcessApiTest.awaitProcesses(s, 1);
            }
            jvm.destroyForcibly(); // SIGKILL: nothing of jiso runs in the JVM after this
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
            for (String s : sleeps) {
                ProcessApiTest.awaitProcesses(s, 0);
            }
        } finally {
            jvm.destroyForcibly();
        }
    }
}
