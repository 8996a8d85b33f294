package io.greenline.streams.carbon;

import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * Keeps a global versioned store of reference data (emission factors, line configs): each version is put at its own
 * {@code validFrom}, under the key derived from the value (so a producer's key typo cannot misfile a version). A
 * tombstone deletes the key's latest version as of the record's timestamp.
 */
final class VersionedReferenceUpdater<V> implements Processor<String, V, Void, Void> {
    private final String storeName;
    private final Function<V, String> keyOf;
    private final Function<V, Instant> validFrom;
    private VersionedKeyValueStore<String, V> store;

    VersionedReferenceUpdater(String storeName, Function<V, String> keyOf, Function<V, Instant> validFrom) {
        this.storeName = storeName;
        this.keyOf = keyOf;
        this.validFrom = validFrom;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, V> record) {
        V value = record.value();
        if (value == null) {
            if (record.key() != null) {
                store.delete(record.key(), record.timestamp());
            }
            return;
        }
        store.put(keyOf.apply(value), value, validFrom.apply(value).toEpochMilli());
    }
}
