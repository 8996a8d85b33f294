package io.greenline.local;

import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * Where the CLI's log file is: {@code -Dgreenline.log.file} when given, else {@code greenline.log} in the data
 * directory. Logging starts before the command line is parsed (with the default {@code .greenline/greenline.log}
 * of {@code log4j2.xml}), so once the data directory is known the property is set and Log4j is reconfigured to
 * write there.
 */
final class LogFile {

    static final String PROPERTY = "greenline.log.file";
    static final String NAME = "greenline.log";

    private LogFile() {
    }

    /**
     * Moves the log under {@code dataDir} unless {@code -Dgreenline.log.file} was given; returns the log file in use.
     */
    static Path useDataDir(Path dataDir) {
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        Path file = dataDir.resolve(NAME).toAbsolutePath().normalize();
        System.setProperty(PROPERTY, file.toString());
        if (LogManager.getContext(false) instanceof LoggerContext log4j) {
            log4j.reconfigure(); // re-reads log4j2.xml: ${sys:greenline.log.file} now names the file above
        }
        return file;
    }
}
