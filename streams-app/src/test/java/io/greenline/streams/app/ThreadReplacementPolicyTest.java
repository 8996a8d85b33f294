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

    @Test
    @DisplayName("A thread dying every 55 s never trips 3 per minute, but 7 deaths within 10 minutes shut the client down; liveness sees it first")
    void slowCrashLoop() {
        ManualClock clock = new ManualClock();
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(3, Duration.ofMinutes(1), clock);
        for (int i = 0; i < 6; i++) {
            assertThat(policy.handle(BOOM)).as("death %d", i + 1).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            assertThat(policy.crashLooping()).isFalse();
            clock.advance(Duration.ofSeconds(55));
        }
        // t = 330 s: six deaths in the last 10 minutes, at most two in any minute
        assertThat(policy.replaced()).isEqualTo(6);
        assertThat(policy.handle(BOOM)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(policy.crashLooping()).isTrue();
    }

    @Test
    @DisplayName("After max deaths within the window the instance counts as crash-looping (liveness fails) until the window passes")
    void crashLoopingFeedsLiveness() {
        ManualClock clock = new ManualClock();
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(1), clock);
        policy.handle(BOOM);
        assertThat(policy.crashLooping()).isFalse();
        policy.handle(BOOM);
        assertThat(policy.crashLooping()).isTrue();
        clock.advance(Duration.ofSeconds(61));
        assertThat(policy.crashLooping()).isFalse();
    }
}
