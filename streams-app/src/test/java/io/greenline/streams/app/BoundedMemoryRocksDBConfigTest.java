package io.greenline.streams.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.streams.config.AppSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.FlushReason;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedMemoryRocksDBConfigTest {

    static {
        RocksDB.loadLibrary();
    }

    private static final Map<String, Object> CONFIGS = Map.of(AppSettings.ROCKSDB_MEMORY_BYTES, String.valueOf(64L * 1024 * 1024),
            AppSettings.ROCKSDB_STORE_INSTANCES, "160");

    @Test
    @DisplayName("Each memtable is sized so that 40 % of the planned instances' memtables take 3/4 of the memtables' 7/8 of the bound (256 KiB..16 MiB)")
    void writeBufferSizedForThePlannedInstances() {
        // the defaults, 256 MiB and 240 instances: 224 MiB of memtables x 0.75 / (0.4 x 240) = 168 MiB / 96 = 1.75 MiB
        assertThat(BoundedMemoryRocksDBConfig.writeBufferBytesFor(256L << 20, 240)).isEqualTo(1792L * 1024);
        // twice the instances, half the memtable
        assertThat(BoundedMemoryRocksDBConfig.writeBufferBytesFor(256L << 20, 480)).isEqualTo(896L * 1024);
        // a small bound or many instances: the floor
        assertThat(BoundedMemoryRocksDBConfig.writeBufferBytesFor(64L << 20, 1000)).isEqualTo(256 * 1024);
        // one instance and a large bound: the ceiling
        assertThat(BoundedMemoryRocksDBConfig.writeBufferBytesFor(4L << 30, 1)).isEqualTo(16L << 20);
    }

    @Test
    @DisplayName("Every store shares one block cache and write-buffer manager, with the planned memtable size and small arena blocks")
    void storesShareTheBound() {
        BoundedMemoryRocksDBConfig setter = new BoundedMemoryRocksDBConfig();
        int openBefore = BoundedMemoryRocksDBConfig.openInstances();
        try (Options first = new Options(); Options second = new Options()) {
            first.setTableFormatConfig(new BlockBasedTableConfig());
            second.setTableFormatConfig(new BlockBasedTableConfig());
            setter.setConfig("oee-windows", first, CONFIGS);
            setter.setConfig("quality-windows", second, CONFIGS);

            assertThat(BoundedMemoryRocksDBConfig.openInstances()).isEqualTo(openBefore + 2);
            assertThat(BoundedMemoryRocksDBConfig.peakInstances()).isGreaterThanOrEqualTo(openBefore + 2);
            long writeBuffer = BoundedMemoryRocksDBConfig.writeBufferBytes();
            assertThat(writeBuffer).isBetween(BoundedMemoryRocksDBConfig.MIN_WRITE_BUFFER_BYTES, BoundedMemoryRocksDBConfig.MAX_WRITE_BUFFER_BYTES);
            assertThat(first.writeBufferSize()).isEqualTo(writeBuffer);
            assertThat(second.maxWriteBufferNumber()).isEqualTo(2);
            // default would be write_buffer_size / 8 of a 16 MiB memtable = 2 MiB reserved per memtable
            assertThat(first.arenaBlockSize()).isEqualTo(Math.max(32 * 1024, writeBuffer / 8));
            assertThat(BoundedMemoryRocksDBConfig.boundBytes()).isPositive();
            setter.close("oee-windows", first);
            setter.close("quality-windows", second);
            assertThat(BoundedMemoryRocksDBConfig.openInstances()).isEqualTo(openBefore);
        }
    }

    @Test
    @DisplayName("A memtable flush of a store configured by it is counted, with its reason and its store")
    void countsFlushes(@TempDir Path stateDir) throws Exception {
        BoundedMemoryRocksDBConfig setter = new BoundedMemoryRocksDBConfig();
        // where Kafka Streams puts a key-value store of task 0_1
        Path dir = java.nio.file.Files.createDirectories(stateDir.resolve("0_1").resolve("rocksdb").resolve("quality-windows"));
        long storeBefore = BoundedMemoryRocksDBConfig.flushesByStore().getOrDefault("quality-windows", 0L);
        long storeManualBefore = BoundedMemoryRocksDBConfig.flushesByStoreAndReason().getOrDefault("quality-windows/MANUAL_FLUSH", 0L);
        long before = BoundedMemoryRocksDBConfig.flushes();
        long manualBefore = BoundedMemoryRocksDBConfig.flushes(FlushReason.MANUAL_FLUSH);
        try (Options options = new Options().setCreateIfMissing(true)) {
            options.setTableFormatConfig(new BlockBasedTableConfig());
            setter.setConfig("quality-windows", options, CONFIGS);
            try (RocksDB db = RocksDB.open(options, dir.toString()); FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.put("line-1".getBytes(StandardCharsets.UTF_8), "window".getBytes(StandardCharsets.UTF_8));
                db.flush(flush);
                // the listener runs on RocksDB's flush thread right after the flush is installed
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (BoundedMemoryRocksDBConfig.flushes() == before && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } finally {
                setter.close("quality-windows", options);
            }
        }
        assertThat(BoundedMemoryRocksDBConfig.flushes()).isEqualTo(before + 1);
        assertThat(BoundedMemoryRocksDBConfig.flushes(FlushReason.MANUAL_FLUSH)).isEqualTo(manualBefore + 1);
        assertThat(BoundedMemoryRocksDBConfig.flushesByReason()).containsKey(FlushReason.MANUAL_FLUSH);
        assertThat(BoundedMemoryRocksDBConfig.flushesByStore()).containsEntry("quality-windows", storeBefore + 1);
        assertThat(BoundedMemoryRocksDBConfig.flushesByStoreAndReason()).containsEntry("quality-windows/MANUAL_FLUSH", storeManualBefore + 1);
    }

    @Test
    @DisplayName("A flushed file is charged to its store: a key-value store by its directory, a window-store segment to the store it belongs to")
    void storeOfAFlushedFile() {
        assertThat(BoundedMemoryRocksDBConfig.storeOf("/state/app/0_1/rocksdb/carbon-readings/000042.sst")).isEqualTo("carbon-readings");
        assertThat(BoundedMemoryRocksDBConfig.storeOf("/state/app/1_3/oee-seen-events/oee-seen-events.1767225600000/000007.sst"))
                .isEqualTo("oee-seen-events");
        // a dot in a key-value store's own name is not a segment
        assertThat(BoundedMemoryRocksDBConfig.storeOf("/state/app/0_0/rocksdb/line.v2/000001.sst")).isEqualTo("line.v2");
        assertThat(BoundedMemoryRocksDBConfig.storeOf("")).isEqualTo("unknown");
        assertThat(BoundedMemoryRocksDBConfig.storeOf(null)).isEqualTo("unknown");
    }
}
