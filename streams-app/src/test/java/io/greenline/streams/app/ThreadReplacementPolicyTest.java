package io.greenline.streams.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ThreadReplacementPolicyTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private static final RuntimeException BOOM = new IllegalStateException("boom");

    @Test
    @DisplayName("A dead thread is replaced up to max times within the window; one more shuts the client down")
    void boundedReplacement() {
        ManualClock clock = new ManualClock();
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(3, Duration.ofMinutes(1), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(policy.handle(BOOM)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(policy.handle(BOOM)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    @DisplayName("Replacements older than the window no longer count")
    void windowSlides() {
        ManualClock clock = new ManualClock();
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(1), clock);
        assertThat(policy.handle(BOOM)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD); // t = 0
        clock.advance(Duration.ofSeconds(30));
        assertThat(policy.handle(BOOM)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD); // t = 30 s
        clock.advance(Duration.ofSeconds(31));
        // t = 61 s: the one at t = 0 left the window, so only one counts
        assertThat(policy.handle(BOOM)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.handle(BOOM)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
}
