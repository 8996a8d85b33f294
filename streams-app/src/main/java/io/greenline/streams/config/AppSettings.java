package io.greenline.streams.config;

import io.greenline.schemas.TopicNames;
import io.greenline.schemas.serde.AvroSerdeConfig;
import io.greenline.schemas.serde.GreenlineSerdes;
import io.greenline.streams.CachedStoresBuilder;
import io.greenline.streams.app.BoundedMemoryRocksDBConfig;
import io.greenline.streams.errors.DeadLetterHandler;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The immutable settings of one streams-app instance, resolved from the layers of {@link ConfigSources}.
 *
 * <p>One flat key space, split by prefix:
 * <ul>
 *   <li>{@code greenline.*}: application settings, declared and validated in {@link #DEFINITION};</li>
 *   <li>{@code schema.registry.*}, {@code basic.auth.*} and Confluent's serde keys: handed to the Avro serdes;</li>
 *   <li>everything else: Kafka Streams and client properties ({@code security.protocol}, {@code sasl.*},
 *       {@code ssl.*} reach the clients unchanged), validated by {@link StreamsConfig}.</li>
 * </ul>
 * An invalid value fails construction with a {@link ConfigException} naming the key.
 */
public final class AppSettings {

    public static final String HTTP_HOST = "greenline.http.host";
    public static final String HTTP_PORT = "greenline.http.port";
    public static final String HTTP_ADVERTISED_HOST = "greenline.http.advertised.host";
    public static final String HTTP_AUTH_TOKEN = "greenline.http.auth.token";
    public static final String HTTP_TLS_KEYSTORE = "greenline.http.tls.keystore";
    public static final String HTTP_TLS_KEYSTORE_PASSWORD = "greenline.http.tls.keystore.password";
    public static final String HTTP_TLS_KEYSTORE_TYPE = "greenline.http.tls.keystore.type";
    public static final String QUERY_REMOTE_TIMEOUT_MS = "greenline.query.remote.timeout.ms";
    public static final String QUERY_RETRY_AFTER_SECONDS = "greenline.query.retry.after.seconds";
    public static final String QUERY_STALE_STORES = "greenline.query.stale.stores";
    public static final String ROCKSDB_MEMORY_BYTES = "greenline.rocksdb.memory.bytes";
    public static final String ROCKSDB_STORE_INSTANCES = "greenline.rocksdb.store.instances";
    public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 256L * 1024 * 1024;
    public static final int DEFAULT_ROCKSDB_STORE_INSTANCES = 240;
    public static final String STATE_CACHE_ENTRIES = "greenline.state.cache.entries";
    public static final String SHUTDOWN_TIMEOUT_MS = "greenline.shutdown.timeout.ms";
    public static final String THREAD_REPLACEMENTS_MAX = "greenline.thread.replacements.max";
    public static final String THREAD_REPLACEMENTS_WINDOW_MS = "greenline.thread.replacements.window.ms";
    public static final String EVENT_TIME_MAX_AHEAD_MS = "greenline.event-time.max-ahead.ms";
    public static final String EVENT_TIME_MAX_BEHIND_MS = "greenline.event-time.max-behind.ms";
    public static final String EVENT_TIME_MIN = "greenline.event-time.min";
    public static final String POISON_MAX_ATTEMPTS = "greenline.poison.max.attempts";

    /** Declares, documents and validates every {@code greenline.*} key. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM, "Interface the query API binds to.")
            .define(HTTP_PORT, Type.INT, 8080, Range.between(1, 65535), Importance.HIGH, "Port of the query API.")
            .define(HTTP_ADVERTISED_HOST, Type.STRING, "localhost", Importance.HIGH,
                    "Host name other instances use to reach this one; application.server is this host and the HTTP port.")
            .define(HTTP_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                    "When set, /api and /pact require 'Authorization: Bearer <token>'.")
            .define(HTTP_TLS_KEYSTORE, Type.STRING, null, Importance.MEDIUM,
                    "When set, the query API serves HTTPS with the key and certificate in this key store.")
            .define(HTTP_TLS_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the key store.")
            .define(HTTP_TLS_KEYSTORE_TYPE, Type.STRING, "PKCS12", Importance.LOW, "Type of the key store.")
            .define(QUERY_REMOTE_TIMEOUT_MS, Type.LONG, 5_000L, Range.between(100L, 600_000L), Importance.LOW,
                    "Timeout of a query forwarded to another instance.")
            .define(QUERY_RETRY_AFTER_SECONDS, Type.INT, 5, Range.between(1, 3600), Importance.LOW,
                    "Retry-After of a 503 answered while stores migrate.")
            .define(QUERY_STALE_STORES, Type.BOOLEAN, true, Importance.LOW,
                    "Answer from standby or restoring stores (marked stale) when the active one is unavailable.")
            .define(ROCKSDB_MEMORY_BYTES, Type.LONG, DEFAULT_ROCKSDB_MEMORY_BYTES, Range.atLeast(16L * 1024 * 1024), Importance.MEDIUM,
                    "Bound of all RocksDB block cache, index, filter and memtable memory of this instance.")
            .define(ROCKSDB_STORE_INSTANCES, Type.INT, DEFAULT_ROCKSDB_STORE_INSTANCES, Range.atLeast(1), Importance.LOW,
                    "RocksDB instances (stores x partitions x window segments) the memory bound is planned for: each "
                            + "instance's memtable is sized so that this many fill and flush on their own under the bound.")
            .define(STATE_CACHE_ENTRIES, Type.INT, CachedStoresBuilder.DEFAULT_CACHE_ENTRIES, Range.atLeast(0), Importance.LOW,
                    "Keys of one key-value store instance (store x partition) held decoded in its write-back cache: "
                            + "written to RocksDB and the changelog once per commit; the least recently used beyond this are written at once. "
                            + "0: no decoded cache, the Kafka Streams record cache (statestore.cache.max.bytes) instead.")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(0L), Importance.LOW,
                    "How long SIGTERM waits for Kafka Streams to close.")
            .define(THREAD_REPLACEMENTS_MAX, Type.INT, 3, Range.atLeast(0), Importance.LOW,
                    "Dead stream threads replaced within the window before the client shuts down.")
            .define(THREAD_REPLACEMENTS_WINDOW_MS, Type.LONG, 60_000L, Range.atLeast(1L), Importance.LOW,
                    "Window of greenline.thread.replacements.max.")
            .define(EVENT_TIME_MAX_AHEAD_MS, Type.LONG, Duration.ofDays(7).toMillis(), Range.atLeast(0L), Importance.MEDIUM,
                    "How far an event's time may be ahead of its record timestamp and of the application's clock "
                            + "(the later of the wall clock and the latest accepted event); later: mfg.dlq, TIMESTAMP_OUT_OF_RANGE.")
            .define(EVENT_TIME_MAX_BEHIND_MS, Type.LONG, Duration.ofDays(400).toMillis(), Range.atLeast(0L), Importance.MEDIUM,
                    "How far an event's time may be behind its record timestamp and its line's clock (a new line: the "
                            + "partition's clock); default the longest window retention (oee.retention.day).")
            .define(EVENT_TIME_MIN, Type.STRING, "2000-01-01T00:00:00Z", new InstantValidator(), Importance.LOW,
                    "Earliest event time accepted at all (ISO-8601 instant).")
            .define(POISON_MAX_ATTEMPTS, Type.INT, 2, Range.atLeast(1), Importance.LOW,
                    "Times a record may kill its stream thread (same partition and offset) before it is quarantined to mfg.dlq as POISON.");

    /**
     * Kafka-side defaults; every one can be overridden. The throughput ones (docs/app.md, "Throughput settings"):
     * caches in front of every store so RocksDB and the changelogs see one write per key per commit ({@code
     * greenline.state.cache.entries}, {@code statestore.cache.max.bytes}); a one-second commit (exactly_once_v2 would
     * commit every 100 ms), which is also how late a final window reaches a read_committed consumer at most, and how
     * far the query API's view of a key-value store may be behind the stream thread (it reads what the last commit
     * flushed); no early commit on uncommitted bytes ({@code statestore.uncommitted.max.bytes} -1: the caches write
     * once per commit anyway, and the check summed every store's buffer on every loop); producer batches
     * of up to 256 KiB, lz4-compressed, lingering 50 ms (under exactly_once_v2 the commit flushes them anyway), one
     * request in flight per broker: with Kafka 4.4's transactions v2, a first batch of a transaction answered
     * CONCURRENT_TRANSACTIONS (the previous commit's markers not yet written) was overtaken by the partition's next
     * batch, which the broker then refused as OUT_OF_ORDER_SEQUENCE_NUMBER ("no existing state") on every retry, and
     * the stream thread's commit never finished (seen twice in the 1,000-line benchmark); a main-consumer prefetch of
     * 256 KiB per partition, so that in a catch-up what the application reads back does not wait behind 1 MiB of
     * fetched input per partition (docs/app.md).
     */
    public static final Map<String, String> KAFKA_DEFAULTS = Map.ofEntries(
            Map.entry(StreamsConfig.APPLICATION_ID_CONFIG, "greenline"),
            Map.entry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092"),
            Map.entry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2),
            Map.entry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1"),
            Map.entry(StreamsConfig.STATE_DIR_CONFIG, "./.greenline/state"),
            Map.entry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, TopicNames.DLQ),
            Map.entry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName()),
            Map.entry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName()),
            // the global thread (reference data) too: without it a version the processor refuses ends the application
            Map.entry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true"),
            Map.entry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDBConfig.class.getName()),
            Map.entry(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(64L * 1024 * 1024)),
            Map.entry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000"),
            Map.entry(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, "-1"),
            Map.entry(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "50"),
            Map.entry(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), String.valueOf(256 * 1024)),
            Map.entry(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4"),
            Map.entry(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), "1"),
            Map.entry(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), String.valueOf(256 * 1024)),
            Map.entry(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081"));

    private static final Set<String> SERDE_KEYS = Set.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS,
            AvroSerdeConfig.USE_LATEST_VERSION, AvroSerdeConfig.SPECIFIC_AVRO_READER);

    private final Map<String, String> all;
    private final Map<String, Object> app;
    private final Map<String, Object> serde;
    private final Properties streams;

    private AppSettings(Map<String, String> resolved) {
        Map<String, String> merged = ConfigSources.merge(KAFKA_DEFAULTS, resolved);
        this.all = Collections.unmodifiableMap(new LinkedHashMap<>(merged));
        Map<String, String> appKeys = new LinkedHashMap<>();
        Map<String, Object> serdeKeys = new LinkedHashMap<>();
        Properties streamsKeys = new Properties();
        merged.forEach((key, value) -> {
            if (key.startsWith("greenline.")) {
                appKeys.put(key, value);
            } else if (isSerdeKey(key)) {
                serdeKeys.put(key, value);
            } else {
                streamsKeys.put(key, value);
            }
        });
        appKeys.keySet().stream().filter(key -> !DEFINITION.names().contains(key)).sorted().findFirst().ifPresent(key -> {
            // ConfigDef ignores unknown keys: a misspelt one would silently leave the meant setting at its default
            // (the value is not shown: it may be a misspelt secret)
            throw new ConfigException("Unknown setting " + key + ": no such setting; known: " + new java.util.TreeSet<>(DEFINITION.names()));
        });
        this.app = Collections.unmodifiableMap(DEFINITION.parse(appKeys));
        String registry = (String) serdeKeys.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        if (registry == null || registry.isBlank()) {
            throw new ConfigException(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry, "a schema registry URL is required");
        }
        this.serde = Collections.unmodifiableMap(serdeKeys);

        // Not negotiable: every internal topic and store is named by the topologies.
        streamsKeys.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
        if (!streamsKeys.containsKey(StreamsConfig.APPLICATION_SERVER_CONFIG)) {
            streamsKeys.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost() + ":" + httpPort());
        }
        // The RocksDB config setter reads its bound and planned instance count from the Streams configs it is handed.
        streamsKeys.put(ROCKSDB_MEMORY_BYTES, String.valueOf(rocksDbMemoryBytes()));
        streamsKeys.put(ROCKSDB_STORE_INSTANCES, String.valueOf(rocksDbStoreInstances()));
        String guarantee = streamsKeys.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee) && !StreamsConfig.AT_LEAST_ONCE.equals(guarantee)) {
            throw new ConfigException(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
                    "must be " + StreamsConfig.EXACTLY_ONCE_V2 + " or " + StreamsConfig.AT_LEAST_ONCE);
        }
        // Validates types and ranges of every Kafka key now, so a typo fails at start, naming the key.
        new StreamsConfig(streamsKeys);
        this.streams = streamsKeys;
    }

    /** Resolves settings from the given layers (defaults are always the lowest). */
    public static AppSettings of(Map<String, String> file, Map<String, String> environment, Map<String, String> flags) {
        return new AppSettings(ConfigSources.merge(file, ConfigSources.fromEnvironment(environment), flags));
    }

    /** Settings from explicit properties only (tests, embedding). */
    public static AppSettings of(Map<String, String> properties) {
        return new AppSettings(properties);
    }

    private static boolean isSerdeKey(String key) {
        return key.startsWith("schema.registry.") || key.startsWith("basic.auth.") || SERDE_KEYS.contains(key);
    }

    /** Every resolved key, including settings owned by the topologies (for their own settings objects). */
    public Map<String, String> all() {
        return all;
    }

    /** A fresh copy of the Kafka Streams properties (defaults, DLQ handler, RocksDB bound, application.server). */
    public Properties streamsProperties() {
        Properties copy = new Properties();
        copy.putAll(streams);
        return copy;
    }

    /** The configs of the Avro serdes ({@code schema.registry.*}, {@code basic.auth.*}, ...). */
    public Map<String, Object> serdeConfigs() {
        return serde;
    }

    public GreenlineSerdes serdes() {
        return new GreenlineSerdes(serde);
    }

    public String applicationId() {
        return streams.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    public String bootstrapServers() {
        return streams.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    }

    public String schemaRegistryUrl() {
        return (String) serde.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
    }

    public String processingGuarantee() {
        return streams.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    }

    /** {@code host:port} other instances reach this one at. */
    public String applicationServer() {
        return streams.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG);
    }

    public String httpHost() {
        return (String) app.get(HTTP_HOST);
    }

    public int httpPort() {
        return (Integer) app.get(HTTP_PORT);
    }

    public String advertisedHost() {
        return (String) app.get(HTTP_ADVERTISED_HOST);
    }

    public Optional<String> httpAuthToken() {
        Password token = (Password) app.get(HTTP_AUTH_TOKEN);
        return token == null || token.value().isBlank() ? Optional.empty() : Optional.of(token.value());
    }

    /** The HTTPS key store, when TLS is on. */
    public Optional<HttpTls> httpTls() {
        String path = (String) app.get(HTTP_TLS_KEYSTORE);
        if (path == null || path.isBlank()) {
            return Optional.empty();
        }
        Password password = (Password) app.get(HTTP_TLS_KEYSTORE_PASSWORD);
        return Optional.of(new HttpTls(path, password == null ? "" : password.value(), (String) app.get(HTTP_TLS_KEYSTORE_TYPE)));
    }

    public Duration remoteQueryTimeout() {
        return Duration.ofMillis((Long) app.get(QUERY_REMOTE_TIMEOUT_MS));
    }

    public int retryAfterSeconds() {
        return (Integer) app.get(QUERY_RETRY_AFTER_SECONDS);
    }

    public boolean staleStoresAllowed() {
        return (Boolean) app.get(QUERY_STALE_STORES);
    }

    public long rocksDbMemoryBytes() {
        return (Long) app.get(ROCKSDB_MEMORY_BYTES);
    }

    public int rocksDbStoreInstances() {
        return (Integer) app.get(ROCKSDB_STORE_INSTANCES);
    }

    /** {@code greenline.state.cache.entries}: decoded keys per key-value store instance ({@link CachedStoresBuilder}). */
    public int stateCacheEntries() {
        return (Integer) app.get(STATE_CACHE_ENTRIES);
    }

    public Duration shutdownTimeout() {
        return Duration.ofMillis((Long) app.get(SHUTDOWN_TIMEOUT_MS));
    }

    public int threadReplacementsMax() {
        return (Integer) app.get(THREAD_REPLACEMENTS_MAX);
    }

    public Duration threadReplacementsWindow() {
        return Duration.ofMillis((Long) app.get(THREAD_REPLACEMENTS_WINDOW_MS));
    }

    public Duration eventTimeMaxAhead() {
        return Duration.ofMillis((Long) app.get(EVENT_TIME_MAX_AHEAD_MS));
    }

    public Duration eventTimeMaxBehind() {
        return Duration.ofMillis((Long) app.get(EVENT_TIME_MAX_BEHIND_MS));
    }

    public java.time.Instant eventTimeMin() {
        return java.time.Instant.parse((String) app.get(EVENT_TIME_MIN));
    }

    public int poisonMaxAttempts() {
        return (Integer) app.get(POISON_MAX_ATTEMPTS);
    }

    /** Validates an ISO-8601 instant. */
    private static final class InstantValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                java.time.Instant.parse(String.valueOf(value));
            } catch (java.time.format.DateTimeParseException e) {
                throw new ConfigException(name, value, "must be an ISO-8601 instant such as 2000-01-01T00:00:00Z");
            }
        }

        @Override
        public String toString() {
            return "an ISO-8601 instant";
        }
    }

    /** Key store of the HTTPS query API. */
    public record HttpTls(String keyStorePath, String keyStorePassword, String keyStoreType) {
        @Override
        public String toString() {
            return "HttpTls[" + keyStorePath + ", " + keyStoreType + "]";
        }
    }

    @Override
    public String toString() {
        return "AppSettings[application.id=" + applicationId() + ", bootstrap.servers=" + bootstrapServers()
                + ", schema.registry.url=" + schemaRegistryUrl() + ", application.server=" + applicationServer() + "]";
    }
}
