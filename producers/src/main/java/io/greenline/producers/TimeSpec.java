package io.greenline.producers;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Instants and durations as users type them on the command line: {@code now}, {@code now-6h},
 * {@code now+30m}, an ISO-8601 instant ({@code 2026-11-28T06:00:00Z}) or epoch milliseconds; durations
 * as {@code 90s}, {@code 15m}, {@code 6h}, {@code 2d} or ISO-8601 ({@code PT6H}).
 */
public final class TimeSpec {

    private TimeSpec() {
    }

    /** Parses an instant relative to {@code now} where it says so. */
    public static Instant instant(String text, Instant now) {
        String value = text.trim();
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.equals("now")) {
            return now;
        }
        if (lower.startsWith("now-")) {
            return now.minus(duration(value.substring(4)));
        }
        if (lower.startsWith("now+")) {
            return now.plus(duration(value.substring(4)));
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochMilli(Long.parseLong(value));
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an instant: '" + text
                    + "' (use now, now-6h, now+30m, an ISO-8601 instant or epoch milliseconds)");
        }
    }

    /** Parses a duration such as {@code 90s}, {@code 15m}, {@code 6h}, {@code 2d} or {@code PT6H}. */
    public static Duration duration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            long amount = Long.parseLong(value.substring(0, value.length() - 1));
            return switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException("unit");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use 90s, 15m, 6h, 2d or PT6H)");
        }
    }
}
