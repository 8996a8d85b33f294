package io.greenline.producers.sim;

import java.time.Instant;
import java.time.InstantSource;

/**
 * Maps wall-clock time to simulated time. Simulated time before "now" is history and is generated as
 * fast as possible; from then on the clock runs at {@code speed} simulated seconds per wall second
 * (1 = real time, 60 = an hour a minute). A speed of 0 means no pacing at all: as fast as possible, up
 * to the run's end time. The clock only decides when events are released, never which events exist,
 * so the event sequence does not depend on it.
 */
public final class SimClock {

    private final double speed;
    private final InstantSource wall;
    private final long anchorWall;
    private final long anchorSim;

    public SimClock(Instant start, double speed, InstantSource wall) {
        if (speed < 0 || Double.isNaN(speed)) {
            throw new IllegalArgumentException("speed must be >= 0, was " + speed);
        }
        this.speed = speed;
        this.wall = wall;
        this.anchorWall = wall.millis();
        this.anchorSim = Math.max(start.toEpochMilli(), anchorWall);
    }

    /** The simulated instant reached now: everything up to it may be emitted. */
    public long simulatedNow() {
        if (speed == 0) {
            return Long.MAX_VALUE;
        }
        double elapsed = (wall.millis() - anchorWall) * speed;
        return anchorSim + (long) elapsed;
    }

    /** Wall milliseconds until simulated time {@code simTime} is reached (0 when already reached). */
    public long wallMillisUntil(long simTime) {
        if (speed == 0) {
            return 0;
        }
        long ahead = simTime - simulatedNow();
        return ahead <= 0 ? 0 : (long) Math.ceil(ahead / speed);
    }

    public double speed() {
        return speed;
    }
}
