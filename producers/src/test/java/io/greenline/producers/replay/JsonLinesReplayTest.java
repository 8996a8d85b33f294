package io.greenline.producers.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.BatchEvent;
import io.greenline.events.EnergyMetered;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.InspectionResult;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineState;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.producers.RecordingSink;
import io.greenline.schemas.TopicNames;
import io.greenline.schemas.Topics;
import io.greenline.schemas.serde.GreenlineSerdes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonLinesReplayTest {

    private static final Topics TOPICS = new Topics(GreenlineSerdes.inMemory("json-lines-replay-test"));
    private static final String GOOD_AND_BAD = "/replay/good-and-bad.jsonl";

    private static BufferedReader resource(String name) {
        return new BufferedReader(new InputStreamReader(JsonLinesReplayTest.class.getResourceAsStream(name), StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("good lines land on their topics keyed by lineId (siteId for a shared meter); bad lines are reported by line number and skipped")
    void goodAndBadLines() throws IOException {
        RecordingSink sink = new RecordingSink();
        List<JsonLinesReplay.Rejected> heard = new ArrayList<>();

        JsonLinesReplay.Summary summary = new JsonLinesReplay(new JsonEventParser(TOPICS), false)
                .replay(resource(GOOD_AND_BAD), sink, heard::add);

        // line 3: unknown enum symbol; 5: truncated JSON; 6: not JSON; 7 blank (ignored);
        // 9: production_count without its required quantity; 10: unknown type; 12: unknown field "colour"
        assertThat(summary.rejected()).extracting(JsonLinesReplay.Rejected::lineNumber).containsExactly(3L, 5L, 6L, 9L, 10L, 12L);
        assertThat(heard).isEqualTo(summary.rejected());
        assertThat(summary.rejected().get(0).message()).contains("state").contains("RUNNING");
        assertThat(summary.rejected().get(3).message()).contains("missing required field 'quantity'");
        assertThat(summary.rejected().get(4).message()).contains("unknown type 'teleport'");
        assertThat(summary.rejected().get(5).message()).contains("colour");
        assertThat(summary.stoppedEarly()).isFalse();
        assertThat(summary.sentByTopic()).containsExactlyInAnyOrderEntriesOf(Map.of(
                TopicNames.MACHINE_STATE, 1L, TopicNames.PRODUCTION_COUNT, 1L, TopicNames.INSPECTION, 1L,
                TopicNames.ENERGY, 1L, TopicNames.BATCH, 1L, TopicNames.LINE_CONFIG, 1L));

        List<RecordingSink.Sent> sent = sink.events();
        assertThat(sent).extracting(RecordingSink.Sent::topic).containsExactly(TopicNames.MACHINE_STATE,
                TopicNames.PRODUCTION_COUNT, TopicNames.INSPECTION, TopicNames.ENERGY, TopicNames.BATCH, TopicNames.LINE_CONFIG);
        assertThat(sent).extracting(RecordingSink.Sent::key)
                .containsExactly("press-7", "press-7", "press-7", "plant-a", "press-7", "press-7");
    }

    @Test
    @DisplayName("field values are typed as in the Avro record: ISO-8601 (any offset) or epoch-ms timestamps, enums, defaults for omitted fields")
    void fieldsTyped() throws IOException {
        RecordingSink sink = new RecordingSink();
        new JsonLinesReplay(new JsonEventParser(TOPICS), false).replay(resource(GOOD_AND_BAD), sink, bad -> { });

        MachineStateChanged state = sink.values(TOPICS.machineState, MachineStateChanged.class).get(0);
        assertThat(state.getState()).isEqualTo(MachineState.RUNNING);
        assertThat(state.getReasonCode()).isNull();
        ProductionCounted count = sink.values(TOPICS.productionCount, ProductionCounted.class).get(0);
        // 1795413900000 ms = 2026-11-23T06:05:00Z
        assertThat(count.getTimestamp()).isEqualTo(Instant.parse("2026-11-23T06:05:00Z"));
        assertThat(count.getReworkQuantity()).isEqualTo(0.0);
        InspectionRecorded inspection = sink.values(TOPICS.inspection, InspectionRecorded.class).get(0);
        // 07:06+01:00 is 06:06Z; quantity defaults to 1
        assertThat(inspection.getTimestamp()).isEqualTo(Instant.parse("2026-11-23T06:06:00Z"));
        assertThat(inspection.getResult()).isEqualTo(InspectionResult.REWORK);
        assertThat(inspection.getQuantity()).isEqualTo(1.0);
        assertThat(inspection.getDefectCodes()).containsExactly("DIMENSION_OOT");
        EnergyMetered energy = sink.values(TOPICS.energy, EnergyMetered.class).get(0);
        assertThat(energy.getLineId()).isNull();
        BatchEvent batch = sink.values(TOPICS.batch, BatchEvent.class).get(0);
        assertThat(batch.getMaterials().get(0).getBiogenicCarbonKgPerKg()).isEqualTo(0.0);
        LineConfig config = sink.values(TOPICS.lineConfig, LineConfig.class).get(0);
        assertThat(config.getMicroStopThresholdMs()).isEqualTo(120_000L);
        assertThat(config.getShifts()).isEmpty();
        // the record timestamp is the event time (validFrom for reference data)
        assertThat(sink.events().get(5).timestampMs()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z").toEpochMilli());
    }

    @Test
    @DisplayName("--strict stops at the first bad line, after sending the good lines before it")
    void strictStops() throws IOException {
        RecordingSink sink = new RecordingSink();

        JsonLinesReplay.Summary summary = new JsonLinesReplay(new JsonEventParser(TOPICS), true)
                .replay(resource(GOOD_AND_BAD), sink, bad -> { });

        assertThat(summary.stoppedEarly()).isTrue();
        assertThat(summary.rejected()).extracting(JsonLinesReplay.Rejected::lineNumber).containsExactly(3L);
        assertThat(sink.events()).hasSize(2);
    }

    @Test
    @DisplayName("the documented example file (docs/examples/replay-sample.jsonl) replays without a single rejected line")
    void documentedExampleIsValid() throws IOException {
        Path example = Path.of("..", "docs", "examples", "replay-sample.jsonl");
        RecordingSink sink = new RecordingSink();

        JsonLinesReplay.Summary summary = new JsonLinesReplay(new JsonEventParser(TOPICS), true)
                .replay(Files.newBufferedReader(example), sink, bad -> { });

        assertThat(summary.rejected()).isEmpty();
        assertThat(summary.sent()).isEqualTo(Files.readAllLines(example).stream().filter(l -> !l.isBlank()).count());
    }

    @Test
    @DisplayName("a JSON value of the wrong type is rejected naming the field, e.g. a quantity given as a string")
    void wrongJsonType() throws IOException {
        String line = "{\"type\":\"production_count\",\"eventId\":\"e\",\"lineId\":\"l\",\"workcellId\":\"w\",\"productId\":\"p\","
                + "\"timestamp\":\"2026-11-23T06:00:00Z\",\"quantity\":\"nine\"}";
        JsonLinesReplay.Summary summary = new JsonLinesReplay(new JsonEventParser(TOPICS), false)
                .replay(new BufferedReader(new StringReader(line)), new RecordingSink(), bad -> { });

        assertThat(summary.rejected()).singleElement().satisfies(r -> {
            assertThat(r.lineNumber()).isEqualTo(1);
            assertThat(r.message()).isEqualTo("field 'quantity' must be a number");
        });
    }

    private static String state(String eventId, String timestamp) {
        return "{\"type\":\"machine_state\",\"eventId\":\"" + eventId + "\",\"lineId\":\"l\",\"workcellId\":\"w\","
                + "\"timestamp\":" + timestamp + ",\"state\":\"RUNNING\"}";
    }

    @Test
    @DisplayName("a time before 1970 (which no Kafka record can carry) rejects its line by number; the lines after it are still sent")
    void beforeEpochRejectsItsLineOnly() throws IOException {
        String file = String.join("\n", state("a", "\"2026-11-23T06:00:00Z\""), state("b", "\"1969-12-31T23:59:59Z\""),
                state("c", "-5"), state("d", "\"1970-01-01T00:00:00Z\""));
        RecordingSink sink = new RecordingSink();

        JsonLinesReplay.Summary summary = new JsonLinesReplay(new JsonEventParser(TOPICS), false)
                .replay(new BufferedReader(new StringReader(file)), sink, bad -> { });

        assertThat(summary.rejected()).extracting(JsonLinesReplay.Rejected::lineNumber).containsExactly(2L, 3L);
        assertThat(summary.rejected().get(0).message()).contains("1969-12-31T23:59:59Z").contains("before 1970");
        assertThat(summary.stoppedEarly()).isFalse();
        // epoch 0 itself is a valid record timestamp
        assertThat(sink.values(TOPICS.machineState, MachineStateChanged.class)).extracting(MachineStateChanged::getEventId)
                .containsExactly("a", "d");
        assertThat(summary.sentByTopic()).containsExactly(Map.entry(TopicNames.MACHINE_STATE, 2L));
    }

    /** A sink that refuses records as the Kafka client does, at once or later: by size, like max.request.size. */
    private static final class SizeLimitedSink implements io.greenline.producers.EventSink {
        final RecordingSink accepted = new RecordingSink();
        final List<Runnable> later = new ArrayList<>();
        final int maxReasonLength;
        final boolean refuseLater;

        SizeLimitedSink(int maxReasonLength, boolean refuseLater) {
            this.maxReasonLength = maxReasonLength;
            this.refuseLater = refuseLater;
        }

        @Override
        public <V extends org.apache.avro.specific.SpecificRecord> void send(io.greenline.schemas.Topic<String, V> topic, String key,
                                                                            V value, long timestampMs) {
            send(topic, key, value, timestampMs, e -> false);
        }

        @Override
        public <V extends org.apache.avro.specific.SpecificRecord> void send(io.greenline.schemas.Topic<String, V> topic, String key,
                V value, long timestampMs, java.util.function.Predicate<Exception> refused) {
            String reason = value instanceof MachineStateChanged m ? m.getReasonCode() : null;
            if (reason != null && reason.length() > maxReasonLength) {
                Exception tooLarge = new org.apache.kafka.common.errors.RecordTooLargeException(
                        "The message is " + reason.length() + " bytes when serialized which is larger than " + maxReasonLength);
                if (refuseLater) {
                    later.add(() -> refused.test(tooLarge));
                } else {
                    refused.test(tooLarge);
                }
                return;
            }
            accepted.send(topic, key, value, timestampMs);
        }

        @Override
        public void flush() {
            // the broker's answers arrive on the client's I/O thread
            Thread io = new Thread(() -> later.forEach(Runnable::run));
            io.start();
            try {
                io.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String withReason(String eventId, int reasonLength) {
        return "{\"type\":\"machine_state\",\"eventId\":\"" + eventId + "\",\"lineId\":\"l\",\"workcellId\":\"w\","
                + "\"timestamp\":\"2026-11-23T06:00:00Z\",\"state\":\"FAULT\",\"reasonCode\":\"" + "x".repeat(reasonLength) + "\"}";
    }

    @Test
    @DisplayName("a record the client refuses at once (too large) is reported with its line number in place; --strict stops there")
    void refusedAtOnce() throws IOException {
        String file = String.join("\n", withReason("a", 10), withReason("b", 5_000), withReason("c", 10));
        SizeLimitedSink sink = new SizeLimitedSink(1_000, false);
        List<JsonLinesReplay.Rejected> heard = new ArrayList<>();

        JsonLinesReplay.Summary summary = new JsonLinesReplay(new JsonEventParser(TOPICS), false)
                .replay(new BufferedReader(new StringReader(file)), sink, heard::add);

        assertThat(heard).singleElement().satisfies(r -> {
            assertThat(r.lineNumber()).isEqualTo(2);
            assertThat(r.message()).startsWith("not sent: RecordTooLargeException: The message is 5000 bytes");
        });
        assertThat(sink.accepted.events()).hasSize(2);
        assertThat(summary.sentByTopic()).containsExactly(Map.entry(TopicNames.MACHINE_STATE, 2L));

        SizeLimitedSink strictSink = new SizeLimitedSink(1_000, false);
        JsonLinesReplay.Summary strict = new JsonLinesReplay(new JsonEventParser(TOPICS), true)
                .replay(new BufferedReader(new StringReader(file)), strictSink, bad -> { });
        assertThat(strict.stoppedEarly()).isTrue();
        assertThat(strictSink.accepted.events()).hasSize(1);
    }

    @Test
    @DisplayName("a refusal the broker sends back later is reported at the end with the line it came from, not counted as sent")
    void refusedLater() throws IOException {
        String file = String.join("\n", withReason("a", 5_000), withReason("b", 10), withReason("c", 3_000));
        SizeLimitedSink sink = new SizeLimitedSink(1_000, true);

        JsonLinesReplay.Summary summary = new JsonLinesReplay(new JsonEventParser(TOPICS), false)
                .replay(new BufferedReader(new StringReader(file)), sink, bad -> { });

        assertThat(summary.rejected()).extracting(JsonLinesReplay.Rejected::lineNumber).containsExactly(1L, 3L);
        assertThat(summary.sentByTopic()).containsExactly(Map.entry(TopicNames.MACHINE_STATE, 1L));
        assertThat(summary.stoppedEarly()).isFalse();
    }
}
