package io.greenline.local.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Entry point of every child JVM Greenline starts (the Kafka broker): runs another main class and
 * makes sure this JVM never outlives the JVM that started it.
 *
 * <p>Usage: {@code ParentWatchingMain <parentPid> <mainClass> [args...]}.
 *
 * <p>Two independent signals end the child when its parent is gone, even when the parent was
 * SIGKILLed and could run no shutdown hook:
 * <ul>
 *   <li>its standard input is a pipe from the parent; the kernel closes the pipe when the parent dies,
 *       so a blocking read returns end-of-stream at once;</li>
 *   <li>a daemon thread polls {@link ProcessHandle#isAlive()} of the parent (which also detects PID
 *       reuse, as the handle remembers the process start time).</li>
 * </ul>
 * Either signal calls {@link System#exit} so the broker's own shutdown hook can close its logs
 * cleanly, with a watchdog that halts the JVM if that clean shutdown takes longer than
 * {@value #HALT_AFTER_MS} ms.
 *
 * <p>The child ignores SIGINT. Ctrl-C in a terminal signals the whole foreground process group, the child
 * too; the parent is the one to react (it closes the streams app, which still needs the broker, and then
 * stops the broker with SIGTERM). A child that stopped at once would leave the app waiting for a broker that
 * is gone. SIGTERM and the parent-death signals above still end it.
 */
public final class ParentWatchingMain {

    /** How often the parent's liveness is polled. */
    static final long POLL_INTERVAL_MS = 250;

    /** Upper bound on the clean shutdown once the parent is gone. */
    static final long HALT_AFTER_MS = 5_000;

    /** Exit status of a child whose parent disappeared. */
    static final int ORPHANED_EXIT_STATUS = 143;

    private ParentWatchingMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ParentWatchingMain <parentPid> <mainClass> [args...]");
            System.exit(2);
        }
        long parentPid = Long.parseLong(args[0]);
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            System.err.println("parent process " + parentPid + " is not running; not starting " + args[1]);
            System.exit(ORPHANED_EXIT_STATUS);
        }
        ignoreInterrupt();
        watchParentProcess(parent.get());
        watchStandardInput();

        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** SIGINT (Ctrl-C to the process group) is for the parent; it stops this JVM in order. */
    @SuppressWarnings("sunapi")
    static void ignoreInterrupt() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException e) {
            // no SIGINT on this platform, or the JVM runs with -Xrs: nothing to ignore
        }
    }

    private static void watchParentProcess(ProcessHandle parent) {
        Thread poller = new Thread(() -> {
            while (parent.isAlive()) {
                try {
                    Thread.sleep(POLL_INTERVAL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            exitBecauseOrphaned("parent process " + parent.pid() + " has exited");
        }, "greenline-parent-watch");
        poller.setDaemon(true);
        poller.start();
    }

    private static void watchStandardInput() {
        Thread reader = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // the parent never writes; anything written is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the same as end-of-stream
            }
            exitBecauseOrphaned("standard input from the parent process was closed");
        }, "greenline-stdin-watch");
        reader.setDaemon(true);
        reader.start();
    }

    private static synchronized void exitBecauseOrphaned(String why) {
        System.err.println("greenline: " + why + "; shutting down");
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(ORPHANED_EXIT_STATUS);
        }, "greenline-halt-watchdog");
        halter.setDaemon(true);
        halter.start();
        // System.exit blocks this thread for good (shutdown hooks run, then the JVM ends)
        System.exit(ORPHANED_EXIT_STATUS);
    }
}
