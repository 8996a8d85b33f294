package io.greenline.streams.guard;

import io.greenline.schemas.DeadLetterReason;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.errors.DeadLetterHandler;
import io.micrometer.core.instrument.Metrics;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first processor after each input topic's source, in front of every topology that reads it:
 *
 * <ol>
 *   <li>a record that killed its stream thread {@link PoisonPills#maxAttempts()} times is refused as
 *       {@code POISON};</li>
 *   <li>an event whose own time ({@code timestamp}, and {@code periodStart} of an energy reading) breaks the
 *       {@link EventTimeRule} is refused as {@code TIMESTAMP_OUT_OF_RANGE}, counted
 *       ({@value #METRIC}{@code {topic}}) and logged;</li>
 *   <li>anything else is forwarded unchanged; a failure downstream that reaches this node (an {@link Error}, a
 *       non-retriable exception the handler did not dead-letter) is counted against the record's offset.</li>
 * </ol>
 * Refusals are {@link BadRecordException}s thrown before any state is touched: the {@link DeadLetterHandler}
 * writes the original bytes to {@code mfg.dlq} with the reason.
 *
 * <p>State: one {@code Long} per key (the line's clock: the latest event time it accepted) and one per task
 * (under {@link #TASK_CLOCK_KEY}: the partition's clock), in its own store per input topic; one get per record,
 * a put only when a clock moves. Values without an event time (null, other types) pass unchecked: the
 * topologies validate them.
 */
public final class EventTimeGuard<K, V> implements FixedKeyProcessor<K, V, V> {

    /** Store key of the partition's clock (no line id starts with NUL). */
    public static final String TASK_CLOCK_KEY = "\u0000partition";
    public static final String METRIC = "greenline.event.time.out.of.range";

    private static final Logger log = LoggerFactory.getLogger(EventTimeGuard.class);
    private static final String[] TIME_FIELDS = {"timestamp", "periodStart"};

    private final String storeName;
    private final EventTimeRule rule;
    private final PoisonPills poisonPills;
    private FixedKeyProcessorContext<K, V> context;
    private KeyValueStore<String, Long> clocks;

    public EventTimeGuard(String storeName, EventTimeRule rule, PoisonPills poisonPills) {
        this.storeName = storeName;
        this.rule = rule;
        this.poisonPills = poisonPills;
    }

    /** The guard's store for one input topic: persistent, changelogged, one small entry per key. */
    public static StoreBuilder<KeyValueStore<String, Long>> storeBuilder(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.Long());
    }

    @Override
    public void init(FixedKeyProcessorContext<K, V> context) {
        this.context = context;
        this.clocks = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<K, V> record) {
        Optional<RecordMetadata> source = context.recordMetadata();
        if (source.isPresent() && poisonPills.isPoison(source.get().topic(), source.get().partition(), source.get().offset())) {
            RecordMetadata m = source.get();
            log.error("Record {}-{}@{} failed processing {} times; quarantined to the dead-letter topic as POISON",
                    m.topic(), m.partition(), m.offset(), poisonPills.failures(m.topic(), m.partition(), m.offset()));
            throw new BadRecordException(DeadLetterReason.POISON, "record " + m.topic() + "-" + m.partition() + "@" + m.offset()
                    + " failed processing " + poisonPills.failures(m.topic(), m.partition(), m.offset()) + " times");
        }
        if (record.key() != null && !String.valueOf(record.key()).isBlank() && record.value() instanceof SpecificRecord event) {
            check(String.valueOf(record.key()), event, record.timestamp(), source.map(RecordMetadata::topic).orElse("?"));
        }
        try {
            context.forward(record);
        } catch (RuntimeException | Error e) {
            if (source.isPresent() && !DeadLetterHandler.isRetriable(e)) {
                RecordMetadata m = source.get();
                int failures = poisonPills.failed(m.topic(), m.partition(), m.offset());
                log.error("Processing {}-{}@{} failed ({} of {} attempts before quarantine): {}", m.topic(), m.partition(),
                        m.offset(), failures, poisonPills.maxAttempts(), e.toString());
            }
            throw e;
        }
    }

    private void check(String key, SpecificRecord event, long recordMs, String topic) {
        Long lineClock = clocks.get(key);
        Long taskClock = clocks.get(TASK_CLOCK_KEY);
        long latest = Long.MIN_VALUE;
        for (String field : TIME_FIELDS) {
            Schema.Field f = event.getSchema().getField(field);
            if (f == null || !(event.get(f.pos()) instanceof Instant at)) {
                continue;
            }
            long t = at.toEpochMilli();
            Optional<String> violation = rule.violation(t, recordMs, context.currentSystemTimeMs(), lineClock, taskClock);
            if (violation.isPresent()) {
                Metrics.counter(METRIC, "topic", topic).increment();
                String message = topic + " key " + key + ": " + field + " " + violation.get();
                log.warn("Dead-lettering an event as TIMESTAMP_OUT_OF_RANGE: {}", message);
                throw new BadRecordException(DeadLetterReason.TIMESTAMP_OUT_OF_RANGE, message);
            }
            latest = Math.max(latest, t);
        }
        if (latest == Long.MIN_VALUE) {
            return;
        }
        if (lineClock == null || latest > lineClock) {
            clocks.put(key, latest);
        }
        if (taskClock == null || latest > taskClock) {
            clocks.put(TASK_CLOCK_KEY, latest);
        }
    }

    @Override
    public void close() {
    }
}
