package io.greenline.streams.windows;

import io.greenline.events.LineClockState;
import io.greenline.schemas.state.StateSerde;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The serde of a {@link LineClock} in a state store: its {@link LineClockState} in the versioned state encoding. */
public final class LineClockSerde implements Serde<LineClock> {

    private static final StateSerde<LineClockState> STATE = StateSerde.of(LineClockState.class);

    @Override
    public Serializer<LineClock> serializer() {
        return (topic, clock) -> clock == null ? null : STATE.encode(clock.toState());
    }

    @Override
    public Deserializer<LineClock> deserializer() {
        return (topic, bytes) -> bytes == null ? null : LineClock.fromState(STATE.decode(bytes));
    }
}
