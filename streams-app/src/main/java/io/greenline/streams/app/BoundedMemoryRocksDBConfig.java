package io.greenline.streams.app;

import io.greenline.streams.config.AppSettings;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every RocksDB store of this JVM by one number ({@code greenline.rocksdb.memory.bytes}):
 * all stores share ONE LRU block cache, which also holds index and filter blocks, and one
 * {@link WriteBufferManager} charges memtables to that same cache. Without this each store (and each
 * segment of it) gets its own cache and memtables, and memory grows with the partition count.
 *
 * <p>A quarter of the bound goes to memtables. The cache and manager live as long as the JVM: stores
 * come and go with rebalances, so {@link #close} must not free them.
 */
public class BoundedMemoryRocksDBConfig implements RocksDBConfigSetter {

    private static final double WRITE_BUFFER_SHARE = 0.25;
    private static final double HIGH_PRIORITY_POOL_RATIO = 0.1;
    /**
     * Memtables reserve memory from the shared manager in arena blocks, by default write_buffer_size / 8 (2 MiB).
     * An application has a hundred or more store instances (stores x partitions x window segments): at 2 MiB each the
     * manager is always over its budget and forces a flush on nearly every write. Small blocks charge each memtable
     * for what it holds.
     */
    static final long ARENA_BLOCK_BYTES = 64 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;
    private static long boundBytes;

    /** The shared cache and manager, made on first use with the bound of the first store's configs. */
    static synchronized void ensureShared(long bytes) {
        if (cache == null) {
            cache = new LRUCache(bytes, -1, false, HIGH_PRIORITY_POOL_RATIO);
            writeBufferManager = new WriteBufferManager((long) (bytes * WRITE_BUFFER_SHARE), cache);
            boundBytes = bytes;
        }
    }

    /** The bound in effect in this JVM, 0 before the first store opened. */
    public static synchronized long boundBytes() {
        return boundBytes;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object configured = configs.get(AppSettings.ROCKSDB_MEMORY_BYTES);
        long bytes = configured == null ? 256L * 1024 * 1024 : Long.parseLong(configured.toString());
        ensureShared(bytes);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBufferManager);
        options.setArenaBlockSize(ARENA_BLOCK_BYTES);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and write-buffer manager are shared by every store; they outlive any one of them.
    }
}
