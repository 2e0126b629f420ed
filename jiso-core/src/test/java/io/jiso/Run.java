package io.jiso;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Test helper: starts a builder's process, collects both streams, waits with a timeout. */
record Run(int exit, String out, String err) {
    static Run of(IsolatedProcessBuilder builder) throws IOException, InterruptedException {
        return of(builder, 60);
    }

    /** As above, waiting up to timeoutSeconds (a JVM in the emulated cgroup v2 guest takes a minute). */
    static Run of(IsolatedProcessBuilder builder, long timeoutSeconds) throws IOException, InterruptedException {
        IsolatedProcess p = builder.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the sandboxed process did not exit within " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), out.join(), err.join());
    }

    /** sh -c script in a default sandbox. */
    static Run sh(String script) throws IOException, InterruptedException {
        return of(new IsolatedProcessBuilder("/bin/sh", "-c", script));
    }

    static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    Run ok() {
        if (exit != 0) {
            throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
        }
        return this;
    }
}
