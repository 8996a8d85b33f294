package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.registry.RegistryUnavailableException;
import io.greenline.schemas.serde.BadDataException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutageTolerantDeserializerTest {

    @Test
    @DisplayName("the global thread waits a registry outage out: retriable failures are retried until the value reads")
    void waitsOutAnOutage() {
        AtomicInteger calls = new AtomicInteger();
        Deserializer<String> flaky = (topic, data) -> {
            if (calls.incrementAndGet() <= 3) {
                throw new RegistryUnavailableException("registry unreachable", null);
            }
            return new String(data, StandardCharsets.UTF_8);
        };
        var tolerant = new OutageTolerantDeserializer<>(flaky, Duration.ofMillis(5), Duration.ofMillis(20));
        assertThat(tolerant.deserialize("mfg.line-config", "line-1".getBytes(StandardCharsets.UTF_8))).isEqualTo("line-1");
        assertThat(calls).hasValue(4);
    }

    @Test
    @DisplayName("bad data is not retried: it fails at once, for the dead-letter handler")
    void badDataFailsAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        Deserializer<String> bad = (topic, data) -> {
            calls.incrementAndGet();
            throw new BadDataException(DeadLetterReason.MALFORMED, "not Avro", null);
        };
        var tolerant = new OutageTolerantDeserializer<>(bad, Duration.ofMillis(5), Duration.ofMillis(20));
        assertThatThrownBy(() -> tolerant.deserialize("mfg.line-config", new byte[] {1})).isInstanceOf(BadDataException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    @DisplayName("an interrupt (the client closing) ends the wait with the outage's exception")
    void interruptEndsTheWait() {
        Deserializer<String> down = (topic, data) -> {
            throw new RegistryUnavailableException("registry unreachable", null);
        };
        var tolerant = new OutageTolerantDeserializer<>(down, Duration.ofMillis(5), Duration.ofMillis(20));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> tolerant.deserialize("mfg.line-config", new byte[] {1}))
                    .isInstanceOf(RegistryUnavailableException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
