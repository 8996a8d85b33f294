package io.greenline.local;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Prints a step of a long start-up: its name, a dot every two seconds while it runs, and its duration. */
final class Progress {

    private final PrintWriter out;

    Progress(PrintWriter out) {
        this.out = out;
    }

    <T> T step(String name, Callable<T> work) throws Exception {
        out.print("  " + name + " ");
        out.flush();
        long started = System.nanoTime();
        ScheduledExecutorService dots = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "greenline-progress");
            thread.setDaemon(true);
            return thread;
        });
        dots.scheduleAtFixedRate(() -> {
            out.print(".");
            out.flush();
        }, 2, 2, TimeUnit.SECONDS);
        try {
            T result = work.call();
            out.printf(" done (%.1f s)%n", (System.nanoTime() - started) / 1e9);
            return result;
        } catch (Exception | Error e) {
            out.println(" FAILED");
            throw e;
        } finally {
            dots.shutdownNow();
            out.flush();
        }
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }
}
