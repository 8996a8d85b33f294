package io.greenline.producers.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.BatchEvent;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyMetered;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.producers.EventSink;
import io.greenline.schemas.Topic;
import io.greenline.schemas.Topics;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns one JSON object (a line of a replay file) into an input event: {@code "type"} names the record
 * (machine_state, production_count, inspection, energy, batch, line_config, emission_factor), the other
 * members are the Avro record's fields by name. Timestamps are ISO-8601 strings or epoch milliseconds;
 * fields with a default may be left out; unknown fields, missing required fields, wrong JSON types and
 * unknown enum symbols are rejected with a message naming the field.
 */
public final class JsonEventParser {

    /** An event ready to send: its topic, key, value and record timestamp. */
    public record ParsedEvent<V extends SpecificRecord>(Topic<String, V> topic, String key, V value, long timestampMs) {
        public void sendTo(EventSink sink) {
            sink.send(topic, key, value, timestampMs);
        }

        /** Sends it; {@code refused} hears (and may claim) a failure of this record, see {@link EventSink}. */
        public void sendTo(EventSink sink, java.util.function.Predicate<Exception> refused) {
            sink.send(topic, key, value, timestampMs, refused);
        }
    }

    private record EventType<V extends SpecificRecord>(Topic<String, V> topic, Schema schema,
                                                       Function<V, String> key, Function<V, Instant> timestamp) {
        ParsedEvent<V> event(SpecificRecord record) {
            @SuppressWarnings("unchecked")
            V value = (V) record;
            Instant time = timestamp.apply(value);
            if (time.isBefore(Instant.EPOCH)) {
                // a Kafka record timestamp cannot be negative: the producer would throw, ending the whole replay
                throw new InvalidEventException("time " + time + " is before 1970-01-01T00:00:00Z, which a Kafka record cannot carry");
            }
            return new ParsedEvent<>(topic, key.apply(value), value, time.toEpochMilli());
        }
    }

    public static final String TYPE_FIELD = "type";

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, EventType<?>> types;

    public JsonEventParser(Topics topics) {
        types = Map.of(
                "machine_state", new EventType<>(topics.machineState, MachineStateChanged.getClassSchema(),
                        MachineStateChanged::getLineId, MachineStateChanged::getTimestamp),
                "production_count", new EventType<>(topics.productionCount, ProductionCounted.getClassSchema(),
                        ProductionCounted::getLineId, ProductionCounted::getTimestamp),
                "inspection", new EventType<>(topics.inspection, InspectionRecorded.getClassSchema(),
                        InspectionRecorded::getLineId, InspectionRecorded::getTimestamp),
                "energy", new EventType<>(topics.energy, EnergyMetered.getClassSchema(),
                        e -> e.getLineId() != null ? e.getLineId() : e.getSiteId(), EnergyMetered::getTimestamp),
                "batch", new EventType<>(topics.batch, BatchEvent.getClassSchema(),
                        BatchEvent::getLineId, BatchEvent::getTimestamp),
                "line_config", new EventType<>(topics.lineConfig, LineConfig.getClassSchema(),
                        LineConfig::getLineId, LineConfig::getValidFrom),
                "emission_factor", new EventType<>(topics.emissionFactors, EmissionFactor.getClassSchema(),
                        Topics::emissionFactorKey, EmissionFactor::getValidFrom));
    }

    /** The accepted values of {@code "type"}, sorted. */
    public Set<String> typeNames() {
        return new TreeSet<>(types.keySet());
    }

    /** Parses one line; throws {@link InvalidEventException} saying what is wrong. */
    public ParsedEvent<?> parse(String line) {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidEventException("expected a JSON object");
        }
        JsonNode type = node.get(TYPE_FIELD);
        if (type == null || !type.isTextual()) {
            throw new InvalidEventException("missing \"type\" (one of " + typeNames() + ")");
        }
        EventType<?> eventType = types.get(type.asText());
        if (eventType == null) {
            throw new InvalidEventException("unknown type '" + type.asText() + "' (one of " + typeNames() + ")");
        }
        return eventType.event(record(eventType.schema(), node, "", true));
    }

    private SpecificRecord record(Schema schema, JsonNode node, String path, boolean topLevel) {
        if (!node.isObject()) {
            throw new InvalidEventException(describe(path) + " must be an object");
        }
        SpecificRecord record = (SpecificRecord) SpecificData.get().newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = node.get(field.name());
            String fieldPath = path + field.name();
            if (value == null) {
                if (!field.hasDefaultValue()) {
                    throw new InvalidEventException("missing required field '" + fieldPath + "'");
                }
                record.put(field.pos(), SpecificData.get().getDefaultValue(field));
            } else {
                record.put(field.pos(), value(field.schema(), value, fieldPath));
            }
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null && !(topLevel && name.equals(TYPE_FIELD))) {
                unknown.add(path + name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidEventException("unknown field(s) " + unknown + " for " + schema.getName());
        }
        return record;
    }

    private Object value(Schema schema, JsonNode node, String path) {
        switch (schema.getType()) {
            case UNION -> {
                if (node.isNull()) {
                    if (schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
                        return null;
                    }
                    throw new InvalidEventException(describe(path) + " must not be null");
                }
                Schema branch = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst()
                        .orElseThrow();
                return value(branch, node, path);
            }
            case STRING -> {
                if (!node.isTextual()) {
                    throw new InvalidEventException(describe(path) + " must be a string");
                }
                return node.asText();
            }
            case DOUBLE, FLOAT -> {
                if (!node.isNumber()) {
                    throw new InvalidEventException(describe(path) + " must be a number");
                }
                return schema.getType() == Schema.Type.DOUBLE ? node.asDouble() : (float) node.asDouble();
            }
            case LONG -> {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return instant(node, path);
                }
                if (!node.canConvertToLong() || !node.isIntegralNumber()) {
                    throw new InvalidEventException(describe(path) + " must be an integer");
                }
                return node.asLong();
            }
            case INT -> {
                if (!node.canConvertToInt() || !node.isIntegralNumber()) {
                    throw new InvalidEventException(describe(path) + " must be an integer");
                }
                return node.asInt();
            }
            case BOOLEAN -> {
                if (!node.isBoolean()) {
                    throw new InvalidEventException(describe(path) + " must be true or false");
                }
                return node.asBoolean();
            }
            case ENUM -> {
                if (!node.isTextual() || !schema.hasEnumSymbol(node.asText())) {
                    throw new InvalidEventException(describe(path) + " must be one of " + schema.getEnumSymbols());
                }
                return SpecificData.get().createEnum(node.asText(), schema);
            }
            case ARRAY -> {
                if (!node.isArray()) {
                    throw new InvalidEventException(describe(path) + " must be an array");
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < node.size(); i++) {
                    items.add(value(schema.getElementType(), node.get(i), path + "[" + i + "]"));
                }
                return items;
            }
            case RECORD -> {
                return record(schema, node, path + ".", false);
            }
            default -> throw new InvalidEventException(describe(path) + ": unsupported schema type " + schema.getType());
        }
    }

    private static Instant instant(JsonNode node, String path) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Instant.ofEpochMilli(node.asLong());
        }
        if (node.isTextual()) {
            try {
                return OffsetDateTime.parse(node.asText()).toInstant();
            } catch (DateTimeParseException e) {
                throw new InvalidEventException(describe(path) + " is not an ISO-8601 instant: '" + node.asText() + "'");
            }
        }
        throw new InvalidEventException(describe(path) + " must be an ISO-8601 instant or epoch milliseconds");
    }

    private static String describe(String path) {
        return "field '" + path + "'";
    }

    /** A replay line that does not parse or does not match its record's schema. */
    public static final class InvalidEventException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidEventException(String message) {
            super(message);
        }
    }
}
