package io.greenline.streams.app;

import io.greenline.streams.config.AppSettings;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.FlushReason;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the memory of every RocksDB instance of this JVM by one number ({@code greenline.rocksdb.memory.bytes})
 * without making RocksDB flush on every write.
 *
 * <p>All instances share ONE LRU block cache, which also holds index and filter blocks, and one
 * {@link WriteBufferManager} that charges memtables to that same cache, so memory does not grow with the
 * partition count. Memtables may take up to 7/8 of the bound; since they are charged to the cache, the blocks get
 * whatever the memtables do not hold at the moment (at least 1/8 of the bound).
 *
 * <p>The trap is the instance count. An application opens one RocksDB per store, per partition, per window-store
 * segment (a hundred or more here). When the memtables of all of them together pass 7/8 of the manager's budget,
 * every write to ANY instance flushes that instance's memtable, however small: a flush storm of tiny SST files. So
 * each instance's own memtable ({@code write_buffer_size}) is sized from the number of instances the bound is
 * planned for ({@code greenline.rocksdb.store.instances}): at that count the memtables fill and flush on their own
 * before the shared budget is reached, and the manager is only the hard cap. They are never all full at once (an
 * old window segment takes no writes; most key-value stores take one collapsed write per key and commit), so the
 * size allows for the share measured full at their peak ({@link #PEAK_FILL}, {@link #writeBufferBytesFor}). The
 * record caches of Kafka Streams ({@code statestore.cache.max.bytes}) sit in front, so RocksDB sees a commit's worth
 * of collapsed writes.
 *
 * <p>Every completed flush is counted by reason ({@link #flushes()}, {@link #flushes(FlushReason)}); a
 * {@link FlushReason#WRITE_BUFFER_MANAGER} flush means the bound is too small for the instances open (the
 * application logs a warning when more instances are open than planned). The cache, manager and counters live as
 * long as the JVM: stores come and go with rebalances, so {@link #close} must not free them.
 */
public class BoundedMemoryRocksDBConfig implements RocksDBConfigSetter {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedMemoryRocksDBConfig.class);

    /**
     * Share of the bound the memtables may use. They are charged to the block cache, so the data, index and filter
     * blocks have the rest of the bound plus whatever the memtables do not hold at the moment.
     */
    static final double WRITE_BUFFER_SHARE = 0.875;
    private static final double HIGH_PRIORITY_POOL_RATIO = 0.1;
    /**
     * What the planned instances' memtables may hold together at their peak: 3/4 of the manager's budget, below the
     * 7/8 at which it starts forcing flushes.
     */
    private static final double PEAK_OF_BUDGET = 0.75;
    /**
     * The share of all instances' memtables full at once, at their peak: measured 32 % (exactly_once_v2) and 38 %
     * (at_least_once) with 235 instances of 1.75 MiB (docs/benchmarks.md "Session 13"). Smaller memtables fill more
     * (60 % at 614 KiB): a light writer holds the same bytes whatever the size, a heavy one is on average half full.
     */
    private static final double PEAK_FILL = 0.4;
    /** Floor and ceiling of one instance's memtable. */
    static final long MIN_WRITE_BUFFER_BYTES = 256 * 1024;
    static final long MAX_WRITE_BUFFER_BYTES = 16L * 1024 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;
    private static long boundBytes;
    private static long writeBufferBytes;
    private static int plannedInstances;
    private static final AtomicInteger OPEN_INSTANCES = new AtomicInteger();
    private static final AtomicInteger PEAK_INSTANCES = new AtomicInteger();
    private static final Map<FlushReason, AtomicLong> FLUSHES = new EnumMap<>(FlushReason.class);
    private static final AtomicLong ALL_FLUSHES = new AtomicLong();
    private static final Map<String, AtomicLong> FLUSHES_BY_STORE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> FLUSHES_BY_STORE_AND_REASON = new java.util.concurrent.ConcurrentHashMap<>();
    /** Made with the shared cache: a listener is a native object, so not before RocksDB's library is loaded. */
    private static AbstractEventListener flushCounter;

    static {
        for (FlushReason reason : FlushReason.values()) {
            FLUSHES.put(reason, new AtomicLong());
        }
    }

    /** The shared cache and manager, made on first use with the bound of the first store's configs. */
    static synchronized void ensureShared(long bytes, int instances) {
        if (cache == null) {
            RocksDB.loadLibrary();
            cache = new LRUCache(bytes, -1, false, HIGH_PRIORITY_POOL_RATIO);
            flushCounter = new FlushCounter();
            long memtableBudget = (long) (bytes * WRITE_BUFFER_SHARE);
            writeBufferManager = new WriteBufferManager(memtableBudget, cache);
            boundBytes = bytes;
            plannedInstances = instances;
            writeBufferBytes = writeBufferBytesFor(bytes, instances);
        }
    }

    /**
     * One instance's memtable, within [256 KiB, 16 MiB]: sized so that the planned instances, {@link #PEAK_FILL} of
     * their memtables full at once, hold {@link #PEAK_OF_BUDGET} of the memtable budget. Memtables fill at different
     * speeds (a window store takes most writes, a clock store few, an old window segment none), so at the planned
     * count their sum stays under the manager's flush threshold; a {@code WRITE_BUFFER_MANAGER} flush says it did not.
     */
    static long writeBufferBytesFor(long boundBytes, int instances) {
        long share = (long) (boundBytes * WRITE_BUFFER_SHARE * PEAK_OF_BUDGET / (PEAK_FILL * Math.max(1, instances)));
        return Math.max(MIN_WRITE_BUFFER_BYTES, Math.min(MAX_WRITE_BUFFER_BYTES, share));
    }

    /** The bound in effect in this JVM, 0 before the first store opened. */
    public static synchronized long boundBytes() {
        return boundBytes;
    }

    /** The write-buffer manager's budget: what all memtables of this JVM may take together (0 before the first store). */
    public static synchronized long writeBufferBudgetBytes() {
        return (long) (boundBytes * WRITE_BUFFER_SHARE);
    }

    /** The memtable size of each instance in this JVM, 0 before the first store opened. */
    public static synchronized long writeBufferBytes() {
        return writeBufferBytes;
    }

    /** RocksDB instances open now in this JVM (stores x partitions x segments). */
    public static int openInstances() {
        return OPEN_INSTANCES.get();
    }

    /** The most RocksDB instances open at once in this JVM. */
    public static int peakInstances() {
        return PEAK_INSTANCES.get();
    }

    /** Memtable flushes completed in this JVM since it started, whatever the reason. */
    public static long flushes() {
        return ALL_FLUSHES.get();
    }

    /** Memtable flushes completed in this JVM for one reason (e.g. WRITE_BUFFER_MANAGER: the bound was too small). */
    public static long flushes(FlushReason reason) {
        return FLUSHES.get(reason).get();
    }

    /** Flush counts by reason, only the reasons seen. */
    public static Map<FlushReason, Long> flushesByReason() {
        Map<FlushReason, Long> seen = new EnumMap<>(FlushReason.class);
        FLUSHES.forEach((reason, count) -> {
            if (count.get() > 0) {
                seen.put(reason, count.get());
            }
        });
        return seen;
    }

    /**
     * Flush counts by store (the store's name, window-store segments counted with their store), only the stores seen:
     * says which stores' writes fill the memtables.
     */
    public static Map<String, Long> flushesByStore() {
        Map<String, Long> seen = new java.util.TreeMap<>();
        FLUSHES_BY_STORE.forEach((store, count) -> seen.put(store, count.get()));
        return seen;
    }

    /** Flush counts by store and reason ({@code quality-seen-events/SHUTDOWN}), only those seen. */
    public static Map<String, Long> flushesByStoreAndReason() {
        Map<String, Long> seen = new java.util.TreeMap<>();
        FLUSHES_BY_STORE_AND_REASON.forEach((key, count) -> seen.put(key, count.get()));
        return seen;
    }

    /**
     * The store a flushed SST file belongs to, from its path: {@code .../<task>/rocksdb/<store>/000042.sst} for a
     * key-value store, {@code .../<task>/<store>/<store>.<segmentId>/000042.sst} for a window-store segment.
     */
    static String storeOf(String sstPath) {
        if (sstPath == null || sstPath.isEmpty()) {
            return "unknown";
        }
        java.nio.file.Path dir = java.nio.file.Path.of(sstPath).getParent();
        if (dir == null || dir.getFileName() == null) {
            return "unknown";
        }
        String name = dir.getFileName().toString();
        java.nio.file.Path parent = dir.getParent();
        int dot = name.lastIndexOf('.');
        if (dot > 0 && parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(name.substring(0, dot))) {
            return name.substring(0, dot);
        }
        return name;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long bytes = longConfig(configs, AppSettings.ROCKSDB_MEMORY_BYTES, AppSettings.DEFAULT_ROCKSDB_MEMORY_BYTES);
        int instances = (int) longConfig(configs, AppSettings.ROCKSDB_STORE_INSTANCES, AppSettings.DEFAULT_ROCKSDB_STORE_INSTANCES);
        ensureShared(bytes, instances);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(writeBufferManager);
        long writeBuffer = writeBufferBytes();
        options.setWriteBufferSize(writeBuffer);
        options.setMaxWriteBufferNumber(2);
        // memtables reserve from the shared manager in arena blocks: small blocks charge an instance for what it holds
        options.setArenaBlockSize(Math.max(32 * 1024, writeBuffer / 8));
        options.setListeners(List.of(flushCounter));
        int open = OPEN_INSTANCES.incrementAndGet();
        PEAK_INSTANCES.accumulateAndGet(open, Math::max);
        if (open == plannedInstances + 1) {
            LOG.warn("{} RocksDB instances are open, more than the {} that {} is sized for: memtables may be flushed by the "
                            + "shared write-buffer manager before they are full; raise {} (smaller memtables) and {} (more memory)", open,
                    plannedInstances, AppSettings.ROCKSDB_MEMORY_BYTES, AppSettings.ROCKSDB_STORE_INSTANCES,
                    AppSettings.ROCKSDB_MEMORY_BYTES);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and write-buffer manager are shared by every store; they outlive any one of them.
        OPEN_INSTANCES.decrementAndGet();
    }

    private static long longConfig(Map<String, Object> configs, String key, long fallback) {
        Object configured = configs.get(key);
        return configured == null ? fallback : Long.parseLong(configured.toString());
    }

    /** Counts completed memtable flushes by reason (only the flush-completed callback is enabled). */
    private static final class FlushCounter extends AbstractEventListener {
        FlushCounter() {
            super(EnabledEventCallback.ON_FLUSH_COMPLETED);
        }

        @Override
        public void onFlushCompleted(RocksDB db, FlushJobInfo info) {
            ALL_FLUSHES.incrementAndGet();
            FlushReason reason = info.getFlushReason() == null ? FlushReason.OTHERS : info.getFlushReason();
            FLUSHES.get(reason).incrementAndGet();
            String store = storeOf(info.getFilePath());
            FLUSHES_BY_STORE.computeIfAbsent(store, s -> new AtomicLong()).incrementAndGet();
            FLUSHES_BY_STORE_AND_REASON.computeIfAbsent(store + "/" + reason, s -> new AtomicLong()).incrementAndGet();
        }
    }
}
