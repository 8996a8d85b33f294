package io.greenline.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the local stack's simulators stopped, kept in the data directory so a second start continues the
 * simulated timeline instead of writing the same hours again.
 */
final class SimulatorState {

    private static final String KEY = "simulatedTime";

    private final Path file;

    SimulatorState(Path dataDir) {
        this.file = dataDir.resolve("simulator.properties");
    }

    Optional<Instant> lastSimulatedTime() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String value = properties.getProperty(KEY);
        return value == null ? Optional.empty() : Optional.of(Instant.parse(value));
    }

    void save(Instant simulatedTime) {
        Properties properties = new Properties();
        properties.setProperty(KEY, simulatedTime.toString());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            properties.store(out, "greenline local: where the simulators stopped");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where to start simulating: just after the last run when that is recent enough, else {@code history}
     * before now (a fresh data directory, or a gap too long to fill).
     */
    static Instant startFrom(Optional<Instant> last, Instant now, Duration history) {
        Instant earliest = now.minus(history);
        return last.map(t -> t.plusMillis(1)).filter(t -> t.isAfter(earliest)).orElse(earliest);
    }
}
