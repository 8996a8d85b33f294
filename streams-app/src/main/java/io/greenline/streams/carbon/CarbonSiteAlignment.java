package io.greenline.streams.carbon;

import io.greenline.events.CarbonHeldInput;
import io.greenline.events.CarbonLedgerClock;
import io.greenline.events.CarbonLedgerInput;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.errors.DeadLetterHandler;
import io.greenline.streams.windows.SortableTime;
import io.greenline.streams.windows.SourceFrontier;
import io.greenline.streams.windows.SourceStamp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Event-time alignment in front of {@link CarbonSiteLedger} (docs/carbon.md, "Site alignment"): holds the records of
 * the carbon ledger's repartition topic until every upstream task that feeds this partition has passed their event
 * time, then releases them to the ledger in event-time order, so that a batch start or end reaches the ledger before
 * the readings it cuts.
 *
 * <p>Why: in a catch-up of a backlog the upstream tasks advance through event time at different speeds (their lines
 * send different numbers of events per hour); a site's shared-meter readings then arrive hours or days ahead of the
 * batch edges of its lines on a slower task, and every late edge re-splits every reading charged after it. Live data
 * does not drift, so there the alignment holds a record for about the time the upstream tasks take to send a record.
 *
 * <p>What a source is: the upstream task (the partition of its task id), stamped on each record with its stream time
 * by {@link SourceStamp} before the repartition. Not the site's entities (each line's batch events and line meter, each
 * shared meter): a line's batch events are hours apart, so its own event time stays at its last edge and would hold the
 * site's readings until its next edge or the idle time; an upstream task's stream time advances with all its inputs,
 * and once it has stamped {@code T} it has sent every record it had up to {@code T}. The frontier
 * ({@link SourceFrontier}) is kept per partition of the repartition topic, over the upstream tasks that send to it:
 * an upstream task's stamp on any record of the partition says how far it got for every site of it.
 *
 * <p>Held records are kept in the store {@code carbon-site-held} (changelogged, so they survive a restart under
 * exactly_once_v2 with the offsets of the records that brought them), keyed {@code paddedEventTime|paddedOffset}
 * (the offset of the record on the repartition partition: unique, and the same key if the record is processed again
 * after a crash), in the versioned state encoding ({@link CarbonHeldInput}). Release is a range read from the last key
 * released to the first key past the new bound, each record deleted as it is forwarded, and only when the bound has
 * reached the first held time (kept in memory): constant work per record, no scan. The bound
 * only moves forward; a record at or below it passes at once. It moves on each record and on a wall-clock punctuation
 * every second (idleness), to the frontier or to {@code cap} behind the newest event time this task has received,
 * whichever is later, so at most {@code cap} of event time is ever held, however far the upstream tasks drift.
 *
 * <p>Forwarded values are ledger inputs or {@link DeadLetter}s; {@link CarbonLedgerTopology} splits them. A held record
 * that is already older than the ledger's clock minus the correction window when it is released (possible only when
 * the upstream tasks drift apart by more than twice the correction window) is dead-lettered here as {@code LATE}, with
 * its own repartition-topic coordinates and bytes: the ledger would refuse it in the context of the record (or
 * punctuation) that released it, and the dead letter would carry that record's coordinates.
 */
final class CarbonSiteAlignment implements Processor<String, CarbonLedgerInput, String, Object> {

    /** A held record the ledger would refuse as LATE: the bytes it had on the repartition topic and the dead-letter headers. */
    record DeadLetter(byte[] value, Headers headers) {
    }

    static final String HELD_METRIC = "greenline.carbon.site-align.held";
    static final String CAPPED_METRIC = "greenline.carbon.site-align.capped";
    private static final int PAD = 19;
    private static final String SEP = "|";
    private static final String HIGH = "\uffff";
    private static final Duration PUNCTUATION = Duration.ofSeconds(1);

    private final long idleMs;
    private final long capMs;
    private final long correctionWindowMs;
    private final Serializer<CarbonLedgerInput> inputBytes;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, CarbonHeldInput> held;
    private KeyValueStore<String, CarbonLedgerClock> ledgerClock;
    private String repartitionTopic;
    private SourceFrontier frontier;
    /** Everything at or before this event time has been released (in memory; after a restart from the start). */
    private long releasedUpTo = Long.MIN_VALUE;
    /** The first key that can still be held (the last key released): range reads start here, not below the tombstones. */
    private String lowKey = "";
    private long newestMs = Long.MIN_VALUE;
    /**
     * The event time of the first held record ({@code Long.MAX_VALUE}: none), kept exactly: a put lowers it, a release
     * pass reads the first key it leaves. A bound below it releases nothing and opens no iterator.
     */
    private long heldMinMs = Long.MAX_VALUE;
    private long sequence;
    private final Counter heldCount = Metrics.counter(HELD_METRIC);
    private final Counter cappedCount = Metrics.counter(CAPPED_METRIC);

    /**
     * @param idleMs how long an upstream task may send nothing to this partition before it no longer holds (above 0)
     * @param capMs  how far behind the newest event time received a record is released anyway (above 0)
     * @param correctionWindowMs the ledger's correction window: a released record older than its clock minus this is LATE
     * @param inputBytes the serializer of the repartition topic's values (for dead letters)
     */
    CarbonSiteAlignment(long idleMs, long capMs, long correctionWindowMs, Serializer<CarbonLedgerInput> inputBytes) {
        if (idleMs <= 0 || capMs <= 0) {
            throw new IllegalArgumentException("idle time and cap must be above 0");
        }
        this.idleMs = idleMs;
        this.capMs = capMs;
        this.correctionWindowMs = correctionWindowMs;
        this.inputBytes = inputBytes;
    }

    /**
     * How far behind the newest event time records are held at most: the correction window. A record released by the
     * cap moves the ledger's clock to at most the newest time minus the correction window, so a batch edge still held
     * upstream becomes LATE only when the upstream tasks drift apart by more than twice the correction window
     * (unaligned: by more than once).
     */
    static long capOf(CarbonSettings settings) {
        return settings.correctionWindow().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        held = context.getStateStore(StoreNames.CARBON_SITE_HELD);
        ledgerClock = context.getStateStore(StoreNames.CARBON_CLOCK);
        repartitionTopic = context.applicationId() + "-" + CarbonLedgerTopology.REPARTITION + "-repartition";
        // one read at start: the first held key (the store is in event-time order)
        try (KeyValueIterator<String, CarbonHeldInput> it = held.all()) {
            heldMinMs = it.hasNext() ? timeOf(it.next().key) : Long.MAX_VALUE;
        }
        boolean heldAtStart = heldMinMs != Long.MAX_VALUE;
        // a restart with records held: every upstream task gets the idle time to be heard from before any is released
        frontier = new SourceFrontier(idleMs, context.currentSystemTimeMs(), heldAtStart);
        context.schedule(PUNCTUATION, PunctuationType.WALL_CLOCK_TIME, wallMs -> {
            frontier.touch(wallMs);
            release(wallMs);
        });
    }

    @Override
    public void process(Record<String, CarbonLedgerInput> record) {
        long wallMs = context.currentSystemTimeMs();
        long eventMs = eventTime(record.value());
        int source = SourceStamp.task(record.headers());
        if (source < 0 || eventMs == Long.MIN_VALUE) {
            // unstamped (written before alignment was on) or malformed: the ledger takes it (and dead-letters it) now
            release(wallMs);
            context.forward(record);
            return;
        }
        frontier.observe(source, SourceStamp.streamTime(record.headers()), wallMs);
        newestMs = Math.max(newestMs, eventMs);
        if (eventMs <= Math.max(releasedUpTo, bound(wallMs))) {
            // its turn has come: what is held before it goes first, then it, then what the new bound frees
            if (eventMs > releasedUpTo) {
                releaseUpTo(eventMs);
            }
            context.forward(record);
        } else {
            CarbonLedgerInput in = record.value();
            held.put(key(eventMs, context.recordMetadata().map(RecordMetadata::offset).orElse(sequence++)),
                    new CarbonHeldInput(record.key(), record.timestamp(), in.getBatch(), in.getEnergy(), in.getGridRegion()));
            heldMinMs = Math.min(heldMinMs, eventMs);
            heldCount.increment();
        }
        release(wallMs);
    }

    /** The release bound now: the frontier, or the cap behind the newest event time, whichever is later. */
    private long bound(long wallMs) {
        long f = frontier.frontier(wallMs);
        long capped = newestMs == Long.MIN_VALUE ? Long.MIN_VALUE : newestMs - capMs;
        return Math.max(f, capped);
    }

    private void release(long wallMs) {
        long f = frontier.frontier(wallMs);
        long b = bound(wallMs);
        if (b > releasedUpTo) {
            int released = releaseUpTo(b);
            if (f < b) {
                cappedCount.increment(released);
            }
        }
    }

    /**
     * Forwards, in event-time order, every held record up to {@code upToMs} and deletes it: one range read from the last
     * key released, which stops at the first key past the bound (and learns the new first held time from it).
     */
    private int releaseUpTo(long upToMs) {
        int released = 0;
        long lastMs = Long.MIN_VALUE;
        if (upToMs >= heldMinMs) {
            String last = null;
            long next = Long.MAX_VALUE;
            try (KeyValueIterator<String, CarbonHeldInput> it = held.range(lowKey, HIGH)) {
                while (it.hasNext()) {
                    KeyValue<String, CarbonHeldInput> kv = it.next();
                    long atMs = timeOf(kv.key);
                    if (atMs > upToMs) {
                        next = atMs;
                        break;
                    }
                    CarbonHeldInput h = kv.value;
                    held.delete(kv.key);
                    last = kv.key;
                    lastMs = atMs;
                    toLedger(kv.key, new Record<>(h.getSiteId(), new CarbonLedgerInput(h.getBatch(), h.getEnergy(), h.getGridRegion()),
                            h.getTimestampMs()));
                    released++;
                }
            }
            heldMinMs = next;
            if (last != null) {
                lowKey = last;
            }
        }
        // what came is released up to the bound; a later record at or before it passes at once. Never past what
        // came (an empty frontier releases everything held but says nothing of records still on their way)
        releasedUpTo = Math.max(releasedUpTo, Math.min(upToMs, Math.max(newestMs, lastMs)));
        return released;
    }

    private static long timeOf(String heldKey) {
        return Long.parseLong(heldKey.substring(0, PAD));
    }

    /** Forwards a released record to the ledger, or as a dead letter when the ledger's clock is past it by the correction window. */
    private void toLedger(String heldKey, Record<String, CarbonLedgerInput> record) {
        CarbonLedgerClock clock = ledgerClock.get(CarbonSiteLedger.CLOCK_KEY);
        long eventMs = eventTime(record.value());
        if (clock == null || eventMs >= clock.getEventClockMs() - correctionWindowMs) {
            context.forward(record);
            return;
        }
        long offset = Long.parseLong(heldKey.substring(PAD + SEP.length()));
        String what = record.value().getBatch() != null ? "batch event " + record.value().getBatch().getEventId()
                : "energy reading " + record.value().getEnergy().getEventId();
        Headers headers = DeadLetterHandler.headers(DeadLetterReason.LATE, repartitionTopic, context.taskId().partition(), offset,
                BadRecordException.class.getName(), what + " at " + Instant.ofEpochMilli(eventMs) + " is older than the correction window "
                        + Duration.ofMillis(correctionWindowMs) + " (event clock " + Instant.ofEpochMilli(clock.getEventClockMs())
                        + ") when the site alignment released it");
        byte[] value = inputBytes.serialize(repartitionTopic, record.value());
        context.forward(new Record<>(record.key(), (Object) new DeadLetter(value, headers), record.timestamp(), headers));
    }

    /** The event time the ledger goes by: the batch event's or the reading's timestamp. */
    static long eventTime(CarbonLedgerInput in) {
        if (in == null) {
            return Long.MIN_VALUE;
        }
        if (in.getBatch() != null && in.getEnergy() == null && in.getBatch().getTimestamp() != null) {
            return in.getBatch().getTimestamp().toEpochMilli();
        }
        if (in.getEnergy() != null && in.getBatch() == null && in.getEnergy().getTimestamp() != null) {
            return in.getEnergy().getTimestamp().toEpochMilli();
        }
        return Long.MIN_VALUE;
    }

    private static String key(long eventMs, long offset) {
        return pad(eventMs) + SEP + pad(offset);
    }

    private static String pad(long ms) {
        return SortableTime.digits(ms, PAD);
    }
}
