package io.greenline.producers.sim;

import io.greenline.events.BatchEvent;
import io.greenline.events.EmissionFactor;
import io.greenline.events.EnergyMetered;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ProductionCounted;
import io.greenline.producers.EventSink;
import io.greenline.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Sends simulator events to a sink with the contract's keys and record timestamps, and hands out
 * deterministic event ids: a name-based UUID of (seed, start, source, sequence number), so the same run
 * yields the same ids while two runs with another seed or start never collide (consumers drop duplicate
 * ids).
 */
final class Emitter {

    private final EventSink sink;
    private final Topics topics;
    private final String runTag;
    private final Map<String, Long> sequences = new HashMap<>();
    private long emitted;

    Emitter(EventSink sink, Topics topics, long seed, Instant start) {
        this.sink = sink;
        this.topics = topics;
        this.runTag = seed + "@" + start.toEpochMilli();
    }

    /** The next event id of a source (a line or meter). */
    String nextEventId(String source) {
        long sequence = sequences.merge(source, 1L, Long::sum);
        return UUID.nameUUIDFromBytes((runTag + "/" + source + "/" + sequence).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A short tag of this run for serial numbers, stable for the same seed and start. */
    String runCode() {
        return Integer.toString(Math.floorMod(runTag.hashCode(), 36 * 36 * 36 * 36), 36).toUpperCase();
    }

    void machineState(MachineStateChanged event) {
        send(() -> sink.send(topics.machineState, event.getLineId(), event, event.getTimestamp().toEpochMilli()));
    }

    void productionCount(ProductionCounted event) {
        send(() -> sink.send(topics.productionCount, event.getLineId(), event, event.getTimestamp().toEpochMilli()));
    }

    void inspection(InspectionRecorded event) {
        send(() -> sink.send(topics.inspection, event.getLineId(), event, event.getTimestamp().toEpochMilli()));
    }

    void energy(EnergyMetered event) {
        String key = event.getLineId() != null ? event.getLineId() : event.getSiteId();
        send(() -> sink.send(topics.energy, key, event, event.getTimestamp().toEpochMilli()));
    }

    void batch(BatchEvent event) {
        send(() -> sink.send(topics.batch, event.getLineId(), event, event.getTimestamp().toEpochMilli()));
    }

    void lineConfig(LineConfig config) {
        send(() -> sink.send(topics.lineConfig, config.getLineId(), config, config.getValidFrom().toEpochMilli()));
    }

    void emissionFactor(EmissionFactor factor) {
        send(() -> sink.send(topics.emissionFactors, Topics.emissionFactorKey(factor), factor,
                factor.getValidFrom().toEpochMilli()));
    }

    long emitted() {
        return emitted;
    }

    private void send(Runnable send) {
        send.run();
        emitted++;
    }
}
