package io.greenline.streams.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.greenline.events.LineConfig;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import io.javalin.http.Context;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * {@code GET /api/v1/lines/{lineId}/config}: the line's current {@code LineConfig} (name, site, time zone,
 * shifts, OEE target, grid region), read from the global versioned store {@link StoreNames#LINE_CONFIG_VERSIONS}.
 * A global store holds every line on every instance, so this never forwards. The dashboard colours OEE
 * against the target found here.
 */
public final class LineConfigResource {

    private final KafkaStreams streams;
    private final ObjectMapper json;

    public LineConfigResource(KafkaStreams streams, ObjectMapper json) {
        this.streams = streams;
        this.json = json;
    }

    public void get(Context ctx) {
        String lineId = ctx.pathParam("lineId");
        if (lineId.isBlank() || lineId.indexOf(WindowKey.SEPARATOR) >= 0) {
            throw ApiException.badRequest("lineId must be non-empty and contain no '/'");
        }
        VersionedKeyValueStore<String, LineConfig> store;
        try {
            store = streams.store(StoreQueryParameters.fromNameAndType(StoreNames.LINE_CONFIG_VERSIONS, new VersionedType()));
        } catch (InvalidStateStoreException e) {
            throw new StoreUnavailableException("Line configs are not queryable yet (" + streams.state() + ")");
        }
        VersionedRecord<LineConfig> latest = store.get(lineId);
        if (latest == null) {
            throw ApiException.notFound("No line config for " + lineId);
        }
        ctx.contentType("application/json").result(json.valueToTree(latest.value()).toString());
    }

    /** Kafka Streams has no queryable type for a versioned store (only IQv2 queries); a global one is handed out as is. */
    private static final class VersionedType implements QueryableStoreType<VersionedKeyValueStore<String, LineConfig>> {
        @Override
        public boolean accepts(StateStore store) {
            return store instanceof VersionedKeyValueStore;
        }

        @Override
        public VersionedKeyValueStore<String, LineConfig> create(StateStoreProvider provider, String storeName) {
            List<VersionedKeyValueStore<String, LineConfig>> stores = provider.stores(storeName, this);
            if (stores.isEmpty()) {
                throw new InvalidStateStoreException("Store " + storeName + " is not available");
            }
            return stores.get(0);
        }
    }
}
