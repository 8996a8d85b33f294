package io.greenline.streams.quality;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.streams.windows.LineClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde of the shared {@link LineClock} in the internal store {@code quality-line-clocks}: private
 * working state (never on a public topic), so no Avro contract; its fields are written as they are.
 */
final class LineClockSerde implements Serde<LineClock> {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Override
    public Serializer<LineClock> serializer() {
        return (topic, clock) -> {
            if (clock == null) {
                return null;
            }
            try {
                return MAPPER.writeValueAsBytes(clock);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public Deserializer<LineClock> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return MAPPER.readValue(bytes, LineClock.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
