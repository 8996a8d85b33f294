package io.greenline.streams.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** Reads a duration setting (ISO-8601, e.g. {@code PT5M}, {@code P7D}) the same way for every topology's settings. */
public final class DurationSetting {

    private DurationSetting() {
    }

    /**
     * The value of {@code key} in {@code config} as an ISO-8601 duration; {@code fallback} when it is absent or
     * blank. A value that is not a duration is refused with an {@link IllegalArgumentException} that names the key.
     */
    public static Duration read(Map<String, ?> config, String key, Duration fallback) {
        Object raw = config.get(key);
        if (raw == null || raw.toString().isBlank()) {
            return fallback;
        }
        try {
            return Duration.parse(raw.toString().trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": cannot read '" + raw + "' as an ISO-8601 duration (e.g. PT5M, P7D)", e);
        }
    }
}
