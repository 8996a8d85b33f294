package io.greenline.producers.replay;

import io.greenline.producers.EventSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Replays a JSON Lines file into the input topics: each non-blank line is parsed by
 * {@link JsonEventParser} and sent to its topic. A line that does not parse or validate is reported with
 * its line number and skipped, or, in strict mode, stops the replay. Blank lines are ignored.
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

    /** Reads every line of {@code input}, sending good events to {@code sink}; {@code onRejected} hears each bad line. */
    public Summary replay(BufferedReader input, EventSink sink, Consumer<Rejected> onRejected) throws IOException {
        Map<String, Long> sent = new TreeMap<>();
        List<Rejected> rejected = new ArrayList<>();
        long lineNumber = 0;
        String line;
        while ((line = input.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonEventParser.ParsedEvent<?> event;
            try {
                event = parser.parse(line);
            } catch (JsonEventParser.InvalidEventException e) {
                Rejected bad = new Rejected(lineNumber, e.getMessage());
                rejected.add(bad);
                onRejected.accept(bad);
                if (strict) {
                    return new Summary(sent, List.copyOf(rejected), true);
                }
                continue;
            }
            event.sendTo(sink);
            sent.merge(event.topic().name(), 1L, Long::sum);
        }
        return new Summary(sent, List.copyOf(rejected), false);
    }
}
