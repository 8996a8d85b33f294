package io.greenline.local.kafka;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one local broker until this JVM ends (Ctrl-C stops it cleanly, a SIGKILL of this JVM makes
 * the broker exit by itself).
 *
 * <p>Usage: {@code KafkaBrokerMain <dataDir> [port]}. Once the broker accepts requests it prints two
 * lines that scripts and tests can parse:
 * <pre>
 * bootstrap.servers=127.0.0.1:9092
 * broker.pid=12345
 * </pre>
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: KafkaBrokerMain <dataDir> [port]");
            System.exit(2);
        }
        KafkaBroker.Builder builder = KafkaBroker.builder(Path.of(args[0]));
        if (args.length == 2) {
            builder.port(Integer.parseInt(args[1]));
        }
        KafkaBroker broker = builder.start();
        System.out.println("bootstrap.servers=" + broker.bootstrapServers());
        System.out.println("broker.pid=" + broker.pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
