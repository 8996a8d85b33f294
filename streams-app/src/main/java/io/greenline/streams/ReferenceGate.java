package io.greenline.streams;

import io.greenline.events.BatchEvent;
import io.greenline.events.EnergyMetered;
import io.greenline.events.InspectionRecorded;
import io.greenline.events.LineConfig;
import io.greenline.events.MachineStateChanged;
import io.greenline.events.ParkedEvent;
import io.greenline.events.ParkedLine;
import io.greenline.events.ProductionCounted;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.Topics;
import io.greenline.schemas.state.StateSerde;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.errors.DeadLetterHandler;
import io.micrometer.core.instrument.Metrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.VersionedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds back the events of a line that has no {@code mfg.line-config} version valid at the event's time, until
 * one appears in the global store {@link StoreNames#LINE_CONFIG_VERSIONS}, so that no topology computes an event
 * with defaults (a 24/7 UTC calendar, no ideal cycle time, no site) just because the global thread had not yet
 * read a config that was produced together with the events.
 *
 * <p>Why this mechanism: line configs live in a global store, filled by its own thread with no ordering against
 * the stream threads; a co-partitioned table would need every input topic to have the line-config topic's
 * partitioning and a task idle time on every task. Holding back only the events that find no config costs one
 * in-memory lookup per event, and changes nothing for lines whose config is known.
 *
 * <ul>
 *   <li>An event passes at once when its line is not holding events and has a config version valid at the
 *       event's time. Otherwise it is parked ({@link StoreNames#REFERENCE_PARKED_EVENTS}, key
 *       {@code lineId/sequence}): once a line holds events, its later events queue behind them, so every topology
 *       still sees each line's events in arrival order and the results equal those of a run where the config
 *       came first.</li>
 *   <li>Every {@code reference.recheck-interval} of wall-clock time, and whenever a new event of a held line
 *       arrives, the line's queue is released in order, as far as configs are now known.</li>
 *   <li>An event that has waited {@code reference.missing.wait} of stream time (and at least
 *       {@code reference.missing.wall-clock-min} of wall-clock time) with still no config goes to {@code mfg.dlq}
 *       with reason {@code MISSING_REFERENCE}, re-encoded with its topic's serde and the source topic, partition
 *       and offset it arrived with; counted in {@code greenline.dlq.records} and logged once per line.</li>
 *   <li>Events without a line (a shared site meter's readings) pass; a null value is dead-lettered as
 *       {@code NULL_VALUE}, as the topologies behind the gate would.</li>
 * </ul>
 * Forwarded values are the events themselves or {@link DeadLetter}s; {@link InputStreams#gate} splits them.
 * The work per event is constant; a recheck reads only the queues of held lines.
 */
final class ReferenceGate implements Processor<String, SpecificRecord, String, Object> {

    /** An event dead-lettered by the gate: its re-encoded bytes and the dead-letter headers. */
    record DeadLetter(byte[] value, Headers headers) {
    }

    static final String PARKED_METRIC = "greenline.reference.parked.events";

    private static final Logger log = LoggerFactory.getLogger(ReferenceGate.class);

    private final ReferenceSettings settings;
    private final Map<String, Serializer<SpecificRecord>> serializers = new HashMap<>();
    private ProcessorContext<String, Object> context;
    private VersionCache<LineConfig> configs;
    private KeyValueStore<String, ParkedLine> lines;
    private KeyValueStore<String, ParkedEvent> events;
    /** The held lines of this task, mirrored in memory (a handful at most), so a passing event costs no store read. */
    private final Map<String, ParkedLine> held = new HashMap<>();
    /** Per line, the earliest validFrom of a config version seen: an event at or after it has a config. */
    private final Map<String, Long> configuredFrom = new HashMap<>();
    /** Lines already logged as held, and as dead-lettered: each is logged once per line. */
    private final Set<String> warnedHeld = new HashSet<>();
    private final Set<String> warnedDead = new HashSet<>();

    @SuppressWarnings("unchecked")
    ReferenceGate(Topics topics, ReferenceSettings settings) {
        this.settings = settings;
        serializers.put(topics.machineState.name(), (Serializer<SpecificRecord>) (Serializer<?>) topics.machineState.valueSerde().serializer());
        serializers.put(topics.productionCount.name(), (Serializer<SpecificRecord>) (Serializer<?>) topics.productionCount.valueSerde().serializer());
        serializers.put(topics.inspection.name(), (Serializer<SpecificRecord>) (Serializer<?>) topics.inspection.valueSerde().serializer());
        serializers.put(topics.batch.name(), (Serializer<SpecificRecord>) (Serializer<?>) topics.batch.valueSerde().serializer());
        serializers.put(topics.energy.name(), (Serializer<SpecificRecord>) (Serializer<?>) topics.energy.valueSerde().serializer());
    }

    static StoreBuilder<KeyValueStore<String, ParkedLine>> linesStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.REFERENCE_PARKED_LINES),
                Serdes.String(), StateSerde.of(ParkedLine.class));
    }

    static StoreBuilder<KeyValueStore<String, ParkedEvent>> eventsStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.REFERENCE_PARKED_EVENTS),
                Serdes.String(), StateSerde.of(ParkedEvent.class));
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        configs = new VersionCache<>(context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS), StoreNames.LINE_CONFIG_VERSIONS);
        lines = context.getStateStore(StoreNames.REFERENCE_PARKED_LINES);
        events = context.getStateStore(StoreNames.REFERENCE_PARKED_EVENTS);
        try (KeyValueIterator<String, ParkedLine> all = lines.all()) {
            all.forEachRemaining(kv -> held.put(kv.key, kv.value));
        }
        context.schedule(settings.recheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::recheck);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord event = record.value();
        if (event == null) {
            // as the topologies behind the gate would: a tombstone on an event topic means nothing
            throw new BadRecordException(DeadLetterReason.NULL_VALUE, "null value on an event topic");
        }
        String lineId = lineOf(event);
        if (lineId == null) {
            context.forward(record);
            return;
        }
        if (held.containsKey(lineId)) {
            release(lineId, context.currentSystemTimeMs(), context.currentStreamTimeMs());
        }
        if (!held.containsKey(lineId) && configured(lineId, record.timestamp())) {
            context.forward(record);
            return;
        }
        park(lineId, record);
    }

    private void park(String lineId, Record<String, SpecificRecord> record) {
        ParkedLine line = held.get(lineId);
        if (line == null) {
            line = new ParkedLine(lineId, 0L, 0L);
        }
        RecordMetadata source = context.recordMetadata().orElse(null);
        long sequence = line.getNextSequence();
        events.put(eventKey(lineId, sequence), new ParkedEvent(record.key(), record.timestamp(),
                source == null ? "" : source.topic(), source == null ? -1 : source.partition(),
                source == null ? -1L : source.offset(), context.currentSystemTimeMs(), record.value()));
        line.setNextSequence(sequence + 1);
        lines.put(lineId, line);
        held.put(lineId, line);
        Metrics.counter(PARKED_METRIC, "topic", source == null ? "" : source.topic()).increment();
        if (warnedHeld.add(lineId)) {
            log.warn("Line {} has no mfg.line-config valid at {}: its events are held until one arrives (at most {} of "
                    + "stream time), then dead-lettered as MISSING_REFERENCE", lineId,
                    Instant.ofEpochMilli(record.timestamp()), settings.missingWait());
        }
    }

    private void recheck(long wallNowMs) {
        long streamTimeMs = context.currentStreamTimeMs();
        for (String lineId : new ArrayList<>(held.keySet())) {
            release(lineId, wallNowMs, streamTimeMs);
        }
    }

    /** Releases the line's queue in order: each event whose config is now known passes, each expired one dead-letters. */
    private void release(String lineId, long wallNowMs, long streamTimeMs) {
        ParkedLine line = held.get(lineId);
        long first = line.getFirstSequence();
        long next = line.getNextSequence();
        try (KeyValueIterator<String, ParkedEvent> queue = events.range(eventKey(lineId, first), eventKey(lineId, next))) {
            while (queue.hasNext()) {
                var kv = queue.next();
                ParkedEvent parked = kv.value;
                if (configured(lineId, parked.getTimestamp())) {
                    context.forward(new Record<>(parked.getKey(), (Object) parked.getEvent(), parked.getTimestamp()));
                } else if (streamTimeMs - parked.getTimestamp() >= settings.missingWait().toMillis()
                        && wallNowMs - parked.getParkedAtWallMs() >= settings.missingWallClockMin().toMillis()) {
                    deadLetter(lineId, parked);
                } else {
                    break;
                }
                events.delete(kv.key);
                first++;
            }
        }
        if (first == next) {
            lines.delete(lineId);
            held.remove(lineId);
        } else if (first != line.getFirstSequence()) {
            line.setFirstSequence(first);
            lines.put(lineId, line);
        }
    }

    private void deadLetter(String lineId, ParkedEvent parked) {
        SpecificRecord event = (SpecificRecord) parked.getEvent();
        String message = "no mfg.line-config for line " + lineId + " valid at " + Instant.ofEpochMilli(parked.getTimestamp())
                + " arrived within " + settings.missingWait() + " of stream time";
        BadRecordException reason = new BadRecordException(DeadLetterReason.MISSING_REFERENCE, message);
        Headers headers = DeadLetterHandler.headers(reason.reason(), parked.getSourceTopic(),
                parked.getSourcePartition(), parked.getSourceOffset(), reason.getClass().getName(), message);
        Serializer<SpecificRecord> serializer = serializers.get(parked.getSourceTopic());
        byte[] value = serializer == null ? null : serializer.serialize(parked.getSourceTopic(), event);
        if (warnedDead.add(lineId)) {
            log.error("Dead-lettering held events of line {} as MISSING_REFERENCE: {}", lineId, message);
        }
        context.forward(new Record<>(parked.getKey(), (Object) new DeadLetter(value, headers), parked.getTimestamp(), headers));
    }

    private boolean configured(String lineId, long atMs) {
        Long from = configuredFrom.get(lineId);
        if (from != null && atMs >= from) {
            return true;
        }
        VersionedRecord<LineConfig> config = configs.get(lineId, atMs);
        if (config == null) {
            return false;
        }
        configuredFrom.merge(lineId, config.timestamp(), Math::min);
        return true;
    }

    static String lineOf(SpecificRecord event) {
        if (event instanceof MachineStateChanged e) {
            return e.getLineId();
        } else if (event instanceof ProductionCounted e) {
            return e.getLineId();
        } else if (event instanceof InspectionRecorded e) {
            return e.getLineId();
        } else if (event instanceof BatchEvent e) {
            return e.getLineId();
        } else if (event instanceof EnergyMetered e) {
            return e.getLineId();
        }
        return null;
    }

    private static String eventKey(String lineId, long sequence) {
        return lineId + "/" + String.format("%019d", sequence);
    }
}
