package io.greenline.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Testcontainers' Apache Kafka container, kept in its own class so that Testcontainers is only
 * loaded when {@code -Dgreenline.test.kafka=testcontainers} asks for it.
 */
final class TestcontainersKafka {

    private TestcontainersKafka() {
    }

    /**
     * Starts the container (stopped when the JVM exits) and returns its bootstrap address.
     *
     * @param image Docker image, or null for {@code apache/kafka:<version of kafka-clients>}
     */
    @SuppressWarnings("resource") // lives as long as the test JVM
    static String start(String image) {
        String name = image == null || image.isBlank() ? "apache/kafka:" + kafkaClientsVersion() : image;
        KafkaContainer container = new KafkaContainer(name);
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "greenline-kafka-container-stopper"));
        return container.getBootstrapServers();
    }

    private static String kafkaClientsVersion() {
        Properties props = new Properties();
        try (InputStream in = Admin.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props.getProperty("version", "latest");
    }
}
