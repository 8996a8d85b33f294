package io.greenline.it.faults;

import io.greenline.producers.EventSink;
import io.greenline.schemas.Topic;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The recorded input of a run: every event in the order it was produced, with its topic, key and record
 * timestamp. The simulator writes into it (it is an {@link EventSink}); the harness sends it to Kafka and the
 * {@link Oracle} recomputes the expected results from it.
 */
final class EventLog implements EventSink {

    /** One produced event. */
    record Entry(long seq, String topic, String key, SpecificRecord value, long timestampMs) {
    }

    private final List<Entry> entries = new ArrayList<>();

    @Override
    public <V extends SpecificRecord> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
        add(topic.name(), key, value, timestampMs);
    }

    void add(String topic, String key, SpecificRecord value, long timestampMs) {
        entries.add(new Entry(entries.size(), topic, key, value, timestampMs));
    }

    List<Entry> entries() {
        return entries;
    }

    int size() {
        return entries.size();
    }

    /** The entries of one topic, in order. */
    List<Entry> of(String topic) {
        return entries.stream().filter(e -> e.topic().equals(topic)).toList();
    }
}
