package io.greenline.producers.replay;

import io.greenline.producers.EventSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Replays a JSON Lines file into the input topics: each non-blank line is parsed by
 * {@link JsonEventParser} and sent to its topic. A line that does not parse or validate is reported with
 * its line number and skipped, or, in strict mode, stops the replay; so is a line whose record the Kafka client or
 * broker refuses (too large, a time before 1970). Blank lines are ignored.
 */
public final class JsonLinesReplay {

    /** A rejected line. */
    public record Rejected(long lineNumber, String message) {
        @Override
        public String toString() {
            return "line " + lineNumber + ": " + message;
        }
    }

    /** What a replay did: events per topic, rejected lines, and whether strict mode stopped it. */
    public record Summary(Map<String, Long> sentByTopic, List<Rejected> rejected, boolean stoppedEarly) {
        public long sent() {
            return sentByTopic.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final JsonEventParser parser;
    private final boolean strict;

    public JsonLinesReplay(JsonEventParser parser, boolean strict) {
        this.parser = parser;
        this.strict = strict;
    }

    /**
     * Reads every line of {@code input}, sending good events to {@code sink}; {@code onRejected} hears each bad line:
     * one that does not parse or validate, and one the Kafka client refuses (too large for {@code max.request.size}
     * or the broker's {@code message.max.bytes}, a timestamp the broker refuses, a value that does not serialize).
     * Lines refused at once stop a strict replay like bad lines; refusals the broker sends back later are reported
     * after the sink is flushed, at the end, with their line numbers. Failures that are not about one record (the
     * broker unreachable) stay the sink's own.
     */
    public Summary replay(BufferedReader input, EventSink sink, Consumer<Rejected> onRejected) throws IOException {
        Map<String, Long> sent = new TreeMap<>();
        List<Rejected> rejected = new ArrayList<>();
        List<Refusal> refusals = Collections.synchronizedList(new ArrayList<>());
        Thread replaying = Thread.currentThread();
        long lineNumber = 0;
        String line;
        while ((line = input.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonEventParser.ParsedEvent<?> event;
            Rejected bad = null;
            try {
                event = parser.parse(line);
                long number = lineNumber;
                String topic = event.topic().name();
                AtomicReference<Exception> refusedNow = new AtomicReference<>();
                try {
                    event.sendTo(sink, error -> {
                        if (!isAboutTheRecord(error)) {
                            return false;
                        }
                        // the client refuses an over-large record at once, in this thread: reported in its place
                        if (Thread.currentThread() == replaying) {
                            refusedNow.set(error);
                        } else {
                            refusals.add(new Refusal(number, topic, error));
                        }
                        return true;
                    });
                } catch (RuntimeException e) {
                    if (!isAboutTheRecord(e)) {
                        throw e;
                    }
                    refusedNow.set(e);
                }
                if (refusedNow.get() == null) {
                    sent.merge(topic, 1L, Long::sum);
                } else {
                    bad = new Refusal(number, topic, refusedNow.get()).rejected();
                }
            } catch (JsonEventParser.InvalidEventException e) {
                bad = new Rejected(lineNumber, e.getMessage());
            }
            if (bad != null) {
                rejected.add(bad);
                onRejected.accept(bad);
                if (strict) {
                    return new Summary(withoutEmpty(sent), List.copyOf(rejected), true);
                }
            }
        }
        sink.flush();
        List<Refusal> late;
        synchronized (refusals) {
            late = new ArrayList<>(refusals);
        }
        late.sort(Comparator.comparingLong(Refusal::lineNumber));
        for (Refusal refusal : late) {
            sent.merge(refusal.topic(), -1L, Long::sum);
            rejected.add(refusal.rejected());
            onRejected.accept(refusal.rejected());
        }
        rejected.sort(Comparator.comparingLong(Rejected::lineNumber));
        return new Summary(withoutEmpty(sent), List.copyOf(rejected), false);
    }

    /** A record the Kafka client or broker refused, with the line it came from. */
    private record Refusal(long lineNumber, String topic, Exception error) {
        Rejected rejected() {
            return new Rejected(lineNumber, "not sent: " + error.getClass().getSimpleName() + ": " + error.getMessage());
        }
    }

    /** Whether a send failure is about the record itself (so its line is bad), not about the connection. */
    static boolean isAboutTheRecord(Exception error) {
        return error instanceof RecordTooLargeException || error instanceof InvalidTimestampException
                || error instanceof InvalidRecordException || error instanceof SerializationException
                || error instanceof IllegalArgumentException;
    }

    private static Map<String, Long> withoutEmpty(Map<String, Long> sent) {
        sent.values().removeIf(count -> count == 0);
        return sent;
    }
}
