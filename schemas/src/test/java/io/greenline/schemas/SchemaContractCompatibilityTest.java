package io.greenline.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.events.MachineStateChanged;
import io.greenline.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaValidationException;
import org.apache.avro.SchemaValidatorBuilder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The event contract may only evolve BACKWARD compatibly: a consumer built from the current schemas
 * must read every record written with the released ones. The released copy lives in
 * {@code src/test/resources/released/<version>/}; when a version ships, its .avsc files are copied there.
 */
class SchemaContractCompatibilityTest {

    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("src/test/resources/released/0.1.0");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("every schema of the current contract is BACKWARD compatible with its released version (Avro's SchemaValidatorBuilder)")
    void currentSchemasReadReleasedData() throws SchemaValidationException {
        Map<String, Schema> released = parseContract(RELEASED);
        Map<String, Schema> current = parseContract(CURRENT);

        assertThat(released).as("released contract").hasSizeGreaterThanOrEqualTo(12);
        assertThat(current.keySet()).as("no released schema may disappear").containsAll(released.keySet());
        for (Map.Entry<String, Schema> entry : released.entrySet()) {
            Schema now = current.get(entry.getKey());
            new SchemaValidatorBuilder().canReadStrategy().validateLatest().validate(now, List.of(entry.getValue()));
            assertThat(CompatibilityLevel.BACKWARD.check(now, List.of(entry.getValue())))
                    .as("incompatibilities of %s", entry.getKey()).isEmpty();
        }
    }

    @Test
    @DisplayName("the generated classes carry the schemas of the .avsc contract (same parsing form, fully compatible)")
    void generatedClassesMatchTheContract() {
        Map<String, Schema> current = parseContract(CURRENT);
        for (Map.Entry<String, Schema> entry : current.entrySet()) {
            Class<?> generated;
            try {
                generated = Class.forName(entry.getKey());
            } catch (ClassNotFoundException e) {
                throw new AssertionError("no generated class for " + entry.getKey(), e);
            }
            Schema shipped = SpecificData.get().getSchema(generated);
            // the generated schema only adds "avro.java.string" properties (stringType=String)
            assertThat(SchemaNormalization.toParsingForm(shipped)).isEqualTo(SchemaNormalization.toParsingForm(entry.getValue()));
            assertThat(CompatibilityLevel.FULL.check(shipped, List.of(entry.getValue()))).isEmpty();
        }
    }

    @Test
    @DisplayName("a new field without a default is refused, and the refusal names the field")
    void newFieldWithoutDefaultIsCaught() {
        Schema released = parseContract(RELEASED).get("io.greenline.events.MachineStateChanged");
        ObjectNode json = json(released);
        ((ArrayNode) json.get("fields")).addObject().put("name", "operatorId").put("type", "string");
        Schema changed = new Schema.Parser().parse(json.toString());

        assertThatThrownBy(() -> new SchemaValidatorBuilder().canReadStrategy().validateLatest().validate(changed, List.of(released)))
                .isInstanceOf(SchemaValidationException.class);
        assertThat(CompatibilityLevel.BACKWARD.check(changed, List.of(released)))
                .singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                .contains("operatorId")
                .contains("/fields/6");
    }

    @Test
    @DisplayName("removing an enum symbol is refused, and the refusal names the symbol")
    void removedEnumSymbolIsCaught() {
        Schema released = parseContract(RELEASED).get("io.greenline.events.MachineStateChanged");
        ObjectNode json = json(released);
        ObjectNode state = (ObjectNode) ((ArrayNode) json.get("fields")).get(4).get("type");
        ArrayNode symbols = (ArrayNode) state.get("symbols");
        assertThat(symbols.remove(symbols.size() - 1).asText()).isEqualTo("PLANNED_STOP");
        Schema changed = new Schema.Parser().parse(json.toString());

        // Avro's SchemaValidator alone lets this through: its resolving grammar defers a missing symbol
        // to the records that carry it. CompatibilityLevel therefore also asks Avro's SchemaCompatibility
        // (as Confluent's registry does), which catches it.
        assertThatCode(() -> new SchemaValidatorBuilder().canReadStrategy().validateLatest().validate(changed, List.of(released)))
                .doesNotThrowAnyException();
        assertThat(CompatibilityLevel.BACKWARD.check(changed, List.of(released)))
                .singleElement().asString()
                .contains("MISSING_ENUM_SYMBOLS")
                .contains("PLANNED_STOP")
                .contains("/fields/4/type/symbols");
    }

    @Test
    @DisplayName("adding an optional field (with a default) and adding an enum symbol stay BACKWARD compatible")
    void compatibleChangesPass() {
        Schema released = MachineStateChanged.getClassSchema();
        ObjectNode json = json(released);
        ObjectNode operator = ((ArrayNode) json.get("fields")).addObject().put("name", "operatorId");
        operator.putArray("type").add("null").add("string");
        operator.putNull("default");
        ((ArrayNode) ((ObjectNode) json.get("fields").get(4).get("type")).get("symbols")).add("MAINTENANCE");
        Schema changed = new Schema.Parser().parse(json.toString());

        assertThat(CompatibilityLevel.BACKWARD.check(changed, List.of(released))).isEmpty();
    }

    /** Parses a contract directory as the build does (shared enums and records first) and returns its top-level records. */
    static Map<String, Schema> parseContract(Path root) {
        Schema.Parser parser = new Schema.Parser();
        List<Path> files = new ArrayList<>();
        files.addAll(avscUnder(root.resolve("common/enums")));
        files.addAll(avscUnder(root.resolve("common")).stream().filter(p -> !p.startsWith(root.resolve("common/enums"))).toList());
        files.addAll(avscUnder(root.resolve("events")));
        files.addAll(avscUnder(root.resolve("outputs")));
        Map<String, Schema> topLevel = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                Schema schema = parser.parse(file.toFile());
                if (!file.startsWith(root.resolve("common"))) {
                    topLevel.put(schema.getFullName(), schema);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return topLevel;
    }

    private static List<Path> avscUnder(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".avsc")).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode json(Schema schema) {
        try {
            return (ObjectNode) JSON.readTree(schema.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
