package io.greenline.streams.windows;

/**
 * Epoch milliseconds as fixed-width decimal digits, so store keys that embed a time sort by that time and a range
 * scan from one time to another visits only the keys between. Negative times (before 1970, refused upstream by the
 * event-time guard) count as 0.
 */
public final class SortableTime {

    private SortableTime() {
    }

    /** {@code ms} as {@code width} digits, zero-padded on the left ({@code width} 13 covers years 2001 to 2286). */
    public static String digits(long ms, int width) {
        String digits = Long.toString(Math.max(0, ms));
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
