package io.greenline.streams.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * JSON of the Avro records as the API promises it (docs/design.md section 8): the Avro field names (so
 * {@code final} is {@code final}, not the generated {@code final$}), instants as ISO-8601 UTC strings,
 * enums by symbol, maps as objects, nulls as {@code null}.
 */
public final class AvroJson {

    private AvroJson() {
    }

    /** The API's object mapper. */
    public static ObjectMapper mapper() {
        SimpleModule avro = new SimpleModule("greenline-avro");
        avro.addSerializer(SpecificRecord.class, new RecordSerializer());
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(avro)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    private static final class RecordSerializer extends StdSerializer<SpecificRecord> {
        RecordSerializer() {
            super(SpecificRecord.class);
        }

        @Override
        public void serialize(SpecificRecord record, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            for (Schema.Field field : record.getSchema().getFields()) {
                gen.writeFieldName(field.name());
                write(record.get(field.pos()), gen, provider);
            }
            gen.writeEndObject();
        }

        private void write(Object value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value == null) {
                gen.writeNull();
            } else if (value instanceof SpecificRecord nested) {
                serialize(nested, gen, provider);
            } else if (value instanceof CharSequence || value instanceof Enum<?>) {
                gen.writeString(value.toString());
            } else if (value instanceof Instant instant) {
                gen.writeString(instant.toString());
            } else if (value instanceof Map<?, ?> map) {
                gen.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    gen.writeFieldName(e.getKey().toString());
                    write(e.getValue(), gen, provider);
                }
                gen.writeEndObject();
            } else if (value instanceof Collection<?> items) {
                gen.writeStartArray();
                for (Object item : items) {
                    write(item, gen, provider);
                }
                gen.writeEndArray();
            } else {
                provider.defaultSerializeValue(value, gen);
            }
        }
    }
}
