package io.greenline.streams;

import io.greenline.events.Granularity;
import io.greenline.schemas.WindowKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * A small latest-per-line view of a window output, for {@code GET /api/v1/lines}: per line, the latest line-level
 * hourly window the output stream carried (a final window: OEE and quality publish only those). It hangs off the
 * public output stream of a topology (records keyed by {@link WindowKey}, as on {@code mfg.oee}, {@code mfg.quality},
 * {@code mfg.line-energy}), so it knows nothing of how the windows are computed.
 *
 * <p>Store: one record per line, keyed by lineId, persistent with a changelog (RocksDB, so a clean restart finds
 * it checkpointed and restores nothing; an in-memory store would re-read its changelog on every start). Work per record: one get and at most one put. The list endpoint reads this store whole: its
 * size is the number of lines, not of windows.
 */
public final class LineLatestView {

    /** Per view store, how many times a writer of this JVM changed it: the list endpoints' cache key. */
    private static final Map<String, AtomicLong> VERSIONS = new ConcurrentHashMap<>();

    private LineLatestView() {
    }

    /**
     * How many times the view {@code storeName} was written in this JVM so far. A list answer built from the views is
     * still right while the versions it was built at are unchanged (and the instance's tasks did not move).
     */
    public static long version(String storeName) {
        AtomicLong v = VERSIONS.get(storeName);
        return v == null ? 0 : v.get();
    }

    /**
     * Adds the view store {@code storeName} to {@code builder}, fed by {@code windows} (the output stream, before its
     * sink); {@code windowStart} reads a stored window's start, to keep the later one.
     */
    public static <W> void attach(StreamsBuilder builder, KStream<String, W> windows, String storeName, Serde<W> valueSerde,
                                  Function<W, Instant> windowStart) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(storeName), Serdes.String(), valueSerde));
        windows.process(() -> new Latest<>(storeName, windowStart), Named.as(storeName + "-writer"), storeName);
    }

    /** Keeps, per line, the line-level hourly window with the latest start (a same-start revision replaces it). */
    static final class Latest<W> implements Processor<String, W, Void, Void> {
        private final String storeName;
        private final Function<W, Instant> windowStart;
        private KeyValueStore<String, W> store;

        Latest(String storeName, Function<W, Instant> windowStart) {
            this.storeName = storeName;
            this.windowStart = windowStart;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, W> record) {
            if (record.key() == null || record.value() == null) {
                return;
            }
            WindowKey key;
            try {
                key = WindowKey.parse(record.key());
            } catch (RuntimeException e) {
                return; // not a window key: nothing this view shows (the record still goes to its topic)
            }
            if (key.granularity() != Granularity.HOUR || key.productId() != null) {
                return;
            }
            W current = store.get(key.lineId());
            if (current == null || !windowStart.apply(current).isAfter(key.windowStart())) {
                // a copy: the store's cache keeps the object it is given, and the processor that forwarded this one
                // may go on changing it (a line-energy window corrected after it was final)
                store.put(key.lineId(), copy(record.value()));
                VERSIONS.computeIfAbsent(storeName, n -> new AtomicLong()).incrementAndGet();
            }
        }

        @SuppressWarnings("unchecked")
        private static <W> W copy(W value) {
            return value instanceof org.apache.avro.specific.SpecificRecord r
                    ? (W) org.apache.avro.specific.SpecificData.getForSchema(r.getSchema()).deepCopy(r.getSchema(), r) : value;
        }
    }
}
