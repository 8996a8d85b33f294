package io.greenline.streams.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.streams.config.AppSettings;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedMemoryRocksDBConfigTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    @DisplayName("Every store shares one block cache and write-buffer manager, and charges memtables in small arena blocks")
    void storesShareTheBoundAndUseSmallArenaBlocks() {
        BoundedMemoryRocksDBConfig setter = new BoundedMemoryRocksDBConfig();
        Map<String, Object> configs = Map.of(AppSettings.ROCKSDB_MEMORY_BYTES, String.valueOf(64L * 1024 * 1024));
        try (Options first = new Options(); Options second = new Options()) {
            first.setTableFormatConfig(new BlockBasedTableConfig());
            second.setTableFormatConfig(new BlockBasedTableConfig());
            setter.setConfig("oee-windows", first, configs);
            setter.setConfig("quality-windows", second, configs);

            // default would be write_buffer_size / 8 = 16 MiB / 8 = 2 MiB per memtable
            assertThat(first.arenaBlockSize()).isEqualTo(64 * 1024);
            assertThat(second.arenaBlockSize()).isEqualTo(64 * 1024);
            assertThat(BoundedMemoryRocksDBConfig.boundBytes()).isPositive();
            setter.close("oee-windows", first);
            setter.close("quality-windows", second);
        }
    }
}
