package io.greenline.streams.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The frontier over upstream tasks, worked by hand: idle time 5,000 ms, the processor started at wall time 0. */
class SourceFrontierTest {

    private static final long IDLE = 5_000;

    private static SourceFrontier started() {
        return new SourceFrontier(IDLE, 0, true);
    }

    @Test
    void nothingIsReleasedForTheIdleTimeAfterAStartWhileRecordsArriveThenTheLeastStampHolds() {
        SourceFrontier f = started();
        assertThat(f.frontier(0)).as("nothing came yet, within the start-up wait").isEqualTo(SourceFrontier.UNKNOWN);
        f.observe(0, 1_000, 100);
        f.observe(1, 400, 200);
        assertThat(f.frontier(300)).as("a task not heard from yet may still send older records").isEqualTo(SourceFrontier.UNKNOWN);
        f.observe(0, 2_000, 4_900);
        f.observe(1, 500, 4_950);
        assertThat(f.frontier(5_000)).isEqualTo(500);
        assertThat(f.sources()).isEqualTo(2);
    }

    @Test
    void withoutAStartUpWaitTheTasksHeardFromHoldAtOnce() {
        SourceFrontier f = new SourceFrontier(IDLE, 0, false);
        assertThat(f.frontier(0)).as("nothing held, nothing came: nothing to hold").isEqualTo(SourceFrontier.NONE);
        f.observe(0, 1_000, 100);
        assertThat(f.frontier(100)).isEqualTo(1_000);
        f.observe(1, 400, 200);
        assertThat(f.frontier(200)).isEqualTo(400);
    }

    @Test
    void nothingArrivingWithinTheIdleTimeAfterAStartReleasesEverything() {
        SourceFrontier f = started();
        assertThat(f.frontier(4_999)).isEqualTo(SourceFrontier.UNKNOWN);
        assertThat(f.frontier(5_000)).isEqualTo(SourceFrontier.NONE);
    }

    @Test
    void aTaskThatSendsNothingWhileTheOthersSendNoLongerHoldsAfterTheIdleTime() {
        SourceFrontier f = started();
        f.observe(1, 300, 5_000);
        f.observe(0, 900, 6_000); // task 1 behind since 6,000
        assertThat(f.frontier(6_000)).isEqualTo(300);
        for (long wall = 7_000; wall <= 11_000; wall += 1_000) {
            f.observe(0, 900 + wall, wall);
        }
        assertThat(f.frontier(10_999)).as("behind for 4,999 ms: still holds").isEqualTo(300);
        assertThat(f.frontier(11_000)).as("behind for 5,000 ms: no longer holds").isEqualTo(11_900);
        // it sends again: it holds with its new stamp
        f.observe(1, 700, 11_500);
        assertThat(f.frontier(11_500)).isEqualTo(700);
    }

    @Test
    void everyTaskSilentForTheIdleTimeReleasesEverythingAndTheFirstToSendAgainReArmsTheWait() {
        SourceFrontier f = started();
        f.observe(0, 1_000, 5_000);
        f.observe(1, 800, 5_100);
        assertThat(f.frontier(5_100)).isEqualTo(800);
        assertThat(f.frontier(10_100)).isEqualTo(SourceFrontier.NONE);
        f.touch(20_000);
        f.observe(0, 3_000, 20_500);
        assertThat(f.frontier(20_500)).as("task 1 gets the idle time again to send").isEqualTo(800);
        assertThat(f.frontier(25_499)).isEqualTo(800);
        f.touch(25_500);
        assertThat(f.frontier(25_500)).isEqualTo(SourceFrontier.NONE);
    }

    @Test
    void aPauseOfTheTaskIsNotSilence() {
        SourceFrontier f = started();
        f.observe(0, 1_000, 5_000);
        f.observe(1, 800, 5_100);
        f.observe(0, 1_200, 5_200); // task 1 behind since 5,200
        // the task stalls (a commit blocked in a failover) for 4 s: more than the resume gap (2 s), less than the idle time
        f.observe(0, 1_400, 9_200);
        f.touch(10_000);
        f.touch(11_000);
        f.touch(12_000);
        f.observe(0, 1_600, 13_000);
        assertThat(f.frontier(10_200)).as("5 s after task 1 fell behind, but the stall does not count").isEqualTo(800);
        assertThat(f.frontier(14_199)).isEqualTo(800);
        assertThat(f.frontier(14_200)).as("5 s after the resume").isEqualTo(1_600);
    }

    @Test
    void idleTimeMustBePositive() {
        assertThatThrownBy(() -> new SourceFrontier(0, 0, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
