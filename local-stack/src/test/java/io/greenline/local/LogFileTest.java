package io.greenline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogFileTest {

    private static final String MESSAGE = "log line of LogFileTest";

    @TempDir
    Path dir;

    @AfterEach
    void restoreDefault() {
        System.clearProperty(LogFile.PROPERTY);
        ((LoggerContext) LogManager.getContext(false)).reconfigure();
    }

    @Test
    @DisplayName("greenline local --data-dir DIR writes its log to DIR/greenline.log, not under the working directory")
    void logGoesUnderTheDataDir() throws IOException {
        Path dataDir = dir.resolve("my-data");
        Files.createDirectories(dataDir);

        Path used = LogFile.useDataDir(dataDir);
        LoggerFactory.getLogger("io.greenline.local.LogFileTest").info(MESSAGE + " 1");

        assertThat(used).isEqualTo(dataDir.resolve("greenline.log").toAbsolutePath());
        assertThat(Files.readString(used)).contains(MESSAGE + " 1");
    }

    @Test
    @DisplayName("An explicit -Dgreenline.log.file wins over the data dir")
    void explicitLogFileWins() throws IOException {
        Path explicit = dir.resolve("elsewhere/explicit.log");
        System.setProperty(LogFile.PROPERTY, explicit.toString());
        ((LoggerContext) LogManager.getContext(false)).reconfigure();
        Path dataDir = dir.resolve("data");
        Files.createDirectories(dataDir);

        Path used = LogFile.useDataDir(dataDir);
        LoggerFactory.getLogger("io.greenline.local.LogFileTest").info(MESSAGE + " 2");

        assertThat(used).isEqualTo(explicit.toAbsolutePath());
        assertThat(Files.readString(explicit)).contains(MESSAGE + " 2");
        assertThat(dataDir.resolve("greenline.log")).doesNotExist();
    }
}
