package io.greenline.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    private static final ObjectMapper JSON = AvroJson.mapper();

    @Test
    @DisplayName("A window record becomes JSON with the Avro field names: final as final, instants ISO-8601 UTC, enums by symbol, nulls as null")
    void windowJson() {
        JsonNode node = JSON.valueToTree(Windows.oee("L1", Instant.parse("2026-03-01T01:00:00Z"), true));
        assertThat(node.get("final").asBoolean()).isTrue();
        assertThat(node.has("final$")).isFalse();
        assertThat(node.get("windowStart").asText()).isEqualTo("2026-03-01T01:00:00Z");
        assertThat(node.get("windowEnd").asText()).isEqualTo("2026-03-01T02:00:00Z");
        assertThat(node.get("granularity").asText()).isEqualTo("HOUR");
        assertThat(node.get("oee").isNull()).isTrue();
        assertThat(node.get("mtbfMs").isNull()).isTrue();
        assertThat(node.get("aptMs").asLong()).isEqualTo(3_000_000L);
        // 3,000,000 / 3,600,000 = 0.8333...
        assertThat(node.get("availability").asDouble()).isCloseTo(5.0 / 6.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(node.get("stopReasons").get("JAM").asLong()).isEqualTo(600_000L);
        assertThat(node.get("revision").asInt()).isEqualTo(1);
    }
}
