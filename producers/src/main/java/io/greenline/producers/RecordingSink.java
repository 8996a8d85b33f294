package io.greenline.producers;

import io.greenline.schemas.Topic;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** An {@link EventSink} that keeps every event in memory, in order: for tests and dry runs. */
public final class RecordingSink implements EventSink {

    /** One event as it would have been produced. */
    public record Sent(String topic, String key, SpecificRecord value, long timestampMs) {
    }

    private final List<Sent> events = new ArrayList<>();

    @Override
    public synchronized <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
        events.add(new Sent(topic.name(), key, value, timestampMs));
    }

    public synchronized List<Sent> events() {
        return Collections.unmodifiableList(new ArrayList<>(events));
    }

    /** The values sent to one topic, cast to their type. */
    public synchronized <V extends SpecificRecord> List<V> values(Topic<String, V> topic, Class<V> type) {
        List<V> values = new ArrayList<>();
        for (Sent sent : events) {
            if (sent.topic().equals(topic.name())) {
                values.add(type.cast(sent.value()));
            }
        }
        return values;
    }
}
