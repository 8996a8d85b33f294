package io.greenline.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BrokerClasspathTest {

    @Test
    @DisplayName("the child JVM's classpath holds the broker and kafka-clients, starts with the launcher and lists only existing files")
    void resolvesHere() {
        List<String> entries = List.of(BrokerClasspath.resolve().split(File.pathSeparator));

        assertThat(entries.get(0)).isEqualTo(BrokerClasspath.launcherLocation());
        assertThat(entries).anySatisfy(entry -> assertThat(entry).contains("kafka_2.13-").endsWith(".jar"));
        assertThat(entries).anySatisfy(entry -> assertThat(entry).contains("kafka-clients-").endsWith(".jar"));
        assertThat(entries).allSatisfy(entry -> assertThat(new File(entry)).exists());
    }

    @Test
    @DisplayName("when java.class.path lacks the broker (surefire booter jar, mvn exec:java), the build-time classpath is used")
    void fallsBackToBuildTimeClasspath() {
        String mavenLauncherOnly = "/usr/share/maven/boot/plexus-classworlds.jar";

        List<String> entries = List.of(BrokerClasspath.resolve(null, mavenLauncherOnly).split(File.pathSeparator));

        assertThat(entries).doesNotContain(mavenLauncherOnly);
        assertThat(entries.get(0)).isEqualTo(BrokerClasspath.launcherLocation());
        assertThat(entries).anySatisfy(entry -> assertThat(entry).contains("kafka_2.13-").endsWith(".jar"));
    }

    @Test
    @DisplayName("-Dgreenline.broker.classpath wins over everything else")
    void overrideWins() {
        String kafkaJar = List.of(BrokerClasspath.resolve().split(File.pathSeparator)).stream()
                .filter(entry -> entry.contains("kafka_2.13-")).findFirst().orElseThrow();

        assertThat(BrokerClasspath.resolve(kafkaJar, "/elsewhere.jar"))
                .isEqualTo(BrokerClasspath.launcherLocation() + File.pathSeparator + kafkaJar);
    }
}
