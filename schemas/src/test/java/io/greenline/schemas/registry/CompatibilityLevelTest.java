package io.greenline.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The registry's compatibility levels on three small versions of one record. */
class CompatibilityLevelTest {

    private static final Schema V1 = record("{\"name\":\"a\",\"type\":\"string\"}");
    /** Adds b with a default: readable both ways. */
    private static final Schema V2 = record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}");
    /** Adds c WITHOUT a default: cannot read v1 or v2 data (BACKWARD refuses), but they can read its data (FORWARD accepts). */
    private static final Schema V3_REQUIRED_C = record(
            "{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0},{\"name\":\"c\",\"type\":\"long\"}");
    /** Drops a (which has no default): old readers cannot read its data (FORWARD refuses). */
    private static final Schema V3_WITHOUT_A = record("{\"name\":\"b\",\"type\":\"int\",\"default\":0}");

    @Test
    @DisplayName("BACKWARD refuses a new field without a default and names it; FORWARD accepts it; FULL refuses it")
    void directions() {
        List<Schema> history = List.of(V1, V2);

        assertThat(CompatibilityLevel.BACKWARD.check(V3_REQUIRED_C, history)).singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("c");
        assertThat(CompatibilityLevel.FORWARD.check(V3_REQUIRED_C, history)).isEmpty();
        assertThat(CompatibilityLevel.FULL.check(V3_REQUIRED_C, history)).isNotEmpty();
        assertThat(CompatibilityLevel.NONE.check(V3_REQUIRED_C, history)).isEmpty();

        assertThat(CompatibilityLevel.BACKWARD.check(V3_WITHOUT_A, history)).isEmpty();
        assertThat(CompatibilityLevel.FORWARD.check(V3_WITHOUT_A, history)).singleElement().asString().contains("a");
        assertThat(CompatibilityLevel.FULL.check(V2, List.of(V1))).isEmpty();
    }

    @Test
    @DisplayName("the _TRANSITIVE levels check every earlier version, the others only the latest")
    void transitive() {
        // v2b: a is gone and d (with a default) is new; v3 brings a back as an int with a default
        Schema v2b = record("{\"name\":\"d\",\"type\":\"int\",\"default\":0}");
        Schema v3 = record("{\"name\":\"d\",\"type\":\"int\",\"default\":0},{\"name\":\"a\",\"type\":\"int\",\"default\":1}");

        // v3 reads v2b data (a defaults to 1) but not v1 data, where a is a string
        assertThat(CompatibilityLevel.BACKWARD.check(v3, List.of(V1, v2b))).isEmpty();
        assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.check(v3, List.of(V1, v2b))).singleElement().asString()
                .contains("TYPE_MISMATCH").contains("/fields/1/type");
    }

    @Test
    @DisplayName("level names parse as the REST API spells them, case-insensitively; unknown names give null")
    void parsing() {
        assertThat(CompatibilityLevel.parse("full_transitive")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(CompatibilityLevel.parse("BACKWARD")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(CompatibilityLevel.parse("SIDEWAYS")).isNull();
        assertThat(CompatibilityLevel.DEFAULT).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":[" + fields + "]}");
    }
}
