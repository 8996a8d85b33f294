package io.greenline.streams.oee;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde of the internal {@link LineLedger} store. The ledger is private working state of this topology
 * (never on a public topic, never read by the query service), so it has no Avro contract; its fields are
 * written as they are.
 */
public final class LineLedgerSerde implements Serde<LineLedger> {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Override
    public Serializer<LineLedger> serializer() {
        return (topic, ledger) -> {
            if (ledger == null) {
                return null;
            }
            try {
                return MAPPER.writeValueAsBytes(ledger);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public Deserializer<LineLedger> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return MAPPER.readValue(bytes, LineLedger.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
