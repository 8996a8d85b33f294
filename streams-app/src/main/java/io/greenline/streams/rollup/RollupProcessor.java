package io.greenline.streams.rollup;

import io.greenline.events.Granularity;
import io.greenline.events.LineConfig;
import io.greenline.events.RollupAccumulator;
import io.greenline.events.RollupContribution;
import io.greenline.events.RollupMembers;
import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.LineConfigIndex;
import io.greenline.streams.StoreNames;
import io.greenline.streams.errors.BadRecordException;
import io.greenline.streams.windows.Interval;
import io.greenline.streams.windows.PurgeCursor;
import io.greenline.streams.windows.ShiftDefinition;
import io.greenline.streams.windows.SortableTime;
import io.greenline.streams.windows.SourceStamp;
import io.greenline.streams.windows.Window;
import io.greenline.streams.windows.WindowCalendar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * Sums line hours into the windows of one roll-up (an area or a site), per kind (docs/rollup.md). Input: records
 * keyed by roll-up id, each one line's final HOUR window as measures. For each, the processor
 *
 * <ol>
 *   <li>moves the roll-up's clock (latest line-window end seen) and notes the line as known;</li>
 *   <li>replaces that line hour's earlier value if it was summed before (a republished line window), else adds it;</li>
 *   <li>adds it, scaled by overlap / hour, to the roll-up's HOUR window and to the SHIFT and DAY windows of the
 *       roll-up's calendar that overlap the hour;</li>
 *   <li>publishes a window final when every line known to the roll-up (from its windows, or from a line config that
 *       places it there: {@link LineConfigIndex}) has covered its part of the window (once
 *       the roll-up has listened for {@code rollup.wait} of event time, so that lines starting together are all
 *       known), and
 *       every still-open window whose end + {@code rollup.wait} the clock has passed; a contribution to a window
 *       already published republishes it with revision + 1;</li>
 *   <li>drops what is past retention.</li>
 * </ol>
 *
 * <p>Work per record does not grow with the roll-up's lines nor with history: the record's own line is looked up and
 * written under its own key ({@code kind|rollupId|L|lineId}), and whether a window is complete is kept per open
 * window in memory and updated for the record's line only. What reads every line of the roll-up runs once per roll-up
 * window or clock hour, not per record: the calendar vote (cached per member set and hour), the full completeness of a
 * window when it is published (its {@code linesMissing}) or first checked, and the expiry of silent lines when the
 * roll-up's clock moves. The member set is read from the store once per task start and kept in memory.
 */
final class RollupProcessor implements Processor<String, RollupContribution, String, SpecificRecord> {

    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final String SEP = "|";
    private static final Granularity[] GRANULARITIES = {Granularity.HOUR, Granularity.SHIFT, Granularity.DAY};

    private final RollupSettings settings;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, RollupMembers> members;
    private KeyValueStore<String, RollupAccumulator> accumulators;
    private KeyValueStore<String, String> open;
    private KeyValueStore<String, RollupContribution> contributions;
    private VersionedKeyValueStore<String, LineConfig> lineConfigs;
    private final Map<RollupKind, KeyValueStore<String, SpecificRecord>> published = new LinkedHashMap<>();
    /**
     * Line configs by line and instant, and roll-up calendars by roll-up, hour and member count, kept across records:
     * a roll-up's calendar is a vote over its lines and its completeness a look at every line for every hour of a
     * window, so without them a record cost a lookup per line of its area or site (with 1,000 lines in a site the
     * 1,000-line benchmark spent its time there). A calendar is kept per member set (its size and hash). Both are cleared every {@link #CACHE_WALL_MS} of wall-clock time and
     * when large, so a config version that arrives later (the global store has no change notification) is seen
     * within seconds; the reference gate already holds events until their line's config is known.
     */
    private final Map<String, LineConfig> configCache = new HashMap<>();
    private final Map<String, WindowCalendar> calendarCache = new HashMap<>();
    /** The known lines of each roll-up and kind (by base {@code kind|rollupId}), loaded from the store on first use. */
    private final Map<String, Members> memberSets = new HashMap<>();
    /**
     * Per open roll-up window (accumulator key) that was checked for early publication: the known lines that have not
     * yet covered their part of it, and the member-set generation it was computed at. Updated for one line per
     * record; computed in full again when the member set changed or the caches were cleared.
     */
    private final Map<String, MissingLines> missingByWindow = new HashMap<>();
    /** Per roll-up and kind, the horizon of this task's last purge (memory only: after a start the first purge reads from the start). */
    private final Map<String, Long> purgedAt = new HashMap<>();
    private final Map<String, List<String>> configuredCache = new HashMap<>();
    private static final long CACHE_WALL_MS = 10_000;
    private static final int CACHE_MAX_ENTRIES = 100_000;
    private long cacheSinceWallMs = Long.MIN_VALUE;

    /** Wall-clock ms a line may deliver nothing and still hold due windows (0: no holding; a roll-up built alone). */
    private final long alignIdleMs;
    /** A pause of the task longer than this (no record, no punctuation) is a stall, not silence of its lines. */
    private final long resumeGapMs;
    private long lastActivityWallMs = Long.MIN_VALUE;
    private long resumedWallMs = Long.MIN_VALUE;
    /** Roll-ups (bases) with windows due by their clock but held by a line still on its way. */
    private final java.util.Set<String> held = new java.util.HashSet<>();
    /**
     * Where the next due check of each rollup starts in {@code open}: published entries are deleted from its front, and
     * a range from the prefix would step over all their tombstones on every record (docs/benchmarks.md).
     */
    private final PurgeCursor dueFrom = new PurgeCursor();

    RollupProcessor(RollupSettings settings) {
        this(settings, false);
    }

    /** @param aligned whether due windows wait for lines still delivering ({@code rollup.align-idle}; the application) */
    RollupProcessor(RollupSettings settings, boolean aligned) {
        this.settings = settings;
        this.alignIdleMs = aligned ? settings.alignIdle().toMillis() : 0;
        this.resumeGapMs = Math.max(2_000, alignIdleMs / 6);
    }

    /** The lines known to one roll-up and kind: their last contributed window end, in line order. */
    private static final class Members {
        final TreeMap<String, Long> lastSeen = new TreeMap<>();
        /**
         * Per line, per relay (the task that read the line's window from its output topic and sent it here,
         * {@link SourceStamp}; -1 unstamped): the latest window end it delivered and the wall-clock time it did (memory
         * only; absent: nothing since the task started). A line's hours are keyed by hour on its output topic, so
         * they reach the roll-up through every relay, each at its own pace.
         */
        final Map<String, Map<Integer, long[]>> delivered = new HashMap<>();
        /** The aligned frontier and the wall time it was computed at (recomputed at most once per second). */
        long frontier = Long.MIN_VALUE;
        long frontierWallMs = Long.MIN_VALUE;
        /** The correction window's end ({@link #horizon}, stored): only moves forward. */
        long horizon = Long.MIN_VALUE;
        /** Per relay: the latest completion of a footprint it delivered, and the wall-clock time it did (memory only). */
        final Map<Integer, long[]> footprints = new HashMap<>();
        /** Changes whenever a line joins or leaves, so caches keyed by it see a new member set. */
        long generation;
        private String key;

        /** A short key of the member set (generation-stamped), for caches that depend on it. */
        String key() {
            if (key == null) {
                key = lastSeen.size() + "#" + lastSeen.keySet().hashCode();
            }
            return key;
        }

        void changed() {
            generation++;
            key = null;
        }
    }

    private record MissingLines(long generation, java.util.Set<String> lines) {
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        configCache.clear();
        calendarCache.clear();
        memberSets.clear();
        missingByWindow.clear();
        purgedAt.clear();
        held.clear();
        lastActivityWallMs = Long.MIN_VALUE;
        resumedWallMs = context.currentSystemTimeMs();
        if (alignIdleMs > 0) {
            context.schedule(java.time.Duration.ofSeconds(1), org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME,
                    this::releaseHeld);
        }
        members = context.getStateStore(StoreNames.ROLLUP_MEMBERS);
        accumulators = context.getStateStore(StoreNames.ROLLUP_ACCUMULATORS);
        open = context.getStateStore(StoreNames.ROLLUP_OPEN);
        contributions = context.getStateStore(StoreNames.ROLLUP_CONTRIBUTIONS);
        lineConfigs = context.getStateStore(StoreNames.LINE_CONFIG_VERSIONS);
        published.put(RollupKind.OEE, context.getStateStore(StoreNames.OEE_ROLLUP_WINDOWS));
        published.put(RollupKind.QUALITY, context.getStateStore(StoreNames.QUALITY_ROLLUP_WINDOWS));
        published.put(RollupKind.ENERGY, context.getStateStore(StoreNames.ENERGY_ROLLUP_WINDOWS));
    }

    @Override
    public void process(Record<String, RollupContribution> record) {
        long wallMs = context.currentSystemTimeMs();
        touch(wallMs);
        if (wallMs - cacheSinceWallMs >= CACHE_WALL_MS || configCache.size() + calendarCache.size() > CACHE_MAX_ENTRIES) {
            configCache.clear();
            calendarCache.clear();
            missingByWindow.clear();
            configuredCache.clear();
            cacheSinceWallMs = wallMs;
        }
        if (RollupFootprints.KIND.equals(record.value().getKind())) {
            footprint(record);
            return;
        }
        RollupContribution c = record.value();
        String rollupId = record.key();
        RollupKind kind = RollupKind.valueOf(c.getKind());
        String base = kind + SEP + rollupId;

        Members lines = members(base);
        RollupMembers known = members.get(base);
        if (known == null) {
            known = new RollupMembers(Long.MIN_VALUE, c.getWindowEnd(), Map.of());
        }
        long accepted = horizon(base, lines, known.getClockMs(), wallMs);
        if (accepted != Long.MIN_VALUE && c.getWindowStart() < accepted - settings.correctionWindow().toMillis()) {
            throw new BadRecordException(DeadLetterReason.LATE, "line window " + c.getLineId() + " " + kind + " "
                    + Instant.ofEpochMilli(c.getWindowStart()) + " for " + rollupId + " is older than the roll-up's correction window ("
                    + settings.correctionWindow() + " before " + Instant.ofEpochMilli(accepted) + horizonNote(accepted, known.getClockMs()) + ")");
        }
        long clock = Math.max(known.getClockMs(), c.getWindowEnd());
        long[] holdsAgain = alignIdleMs > 0 ? delivered(lines.delivered.computeIfAbsent(c.getLineId(), l -> new HashMap<>()),
                SourceStamp.task(record.headers()), c.getWindowEnd(), wallMs) : null;
        if (holdsAgain != null) {
            // a line delivering (again) through a relay can only lower the frontier: at once, not a second later, or
            // the horizon, which never moves back, would pass it (lowered in place: with 1,000 lines a full
            // recomputation per relay heard again cost a pass over every line and relay)
            lines.frontier = Math.min(lines.frontier, holdsAgain[0]);
        }
        Long lastSeen = lines.lastSeen.get(c.getLineId());
        if (lastSeen == null || lastSeen < c.getWindowEnd()) {
            lines.lastSeen.put(c.getLineId(), c.getWindowEnd());
            // a line's own key: clockMs is the end of its latest contributed window (sinceMs the same; no map)
            members.put(memberKey(base, c.getLineId()), new RollupMembers(c.getWindowEnd(), c.getWindowEnd(), Map.of()));
            if (lastSeen == null) {
                lines.changed();
            }
        }
        if (clock != known.getClockMs()) {
            known = new RollupMembers(clock, known.getSinceMs(), Map.of());
            members.put(base, known);
            expireSilentLines(base, lines, clock, wallMs);
        }
        boolean earlyAllowed = clock >= known.getSinceMs() + settings.waitForLines().toMillis();

        String contributionKey = base + SEP + pad(c.getWindowStart()) + SEP + c.getLineId();
        RollupContribution previous = contributions.get(contributionKey);
        contributions.put(contributionKey, c);

        Interval hour = new Interval(Instant.ofEpochMilli(c.getWindowStart()), Instant.ofEpochMilli(c.getWindowEnd()));
        for (Window window : targets(rollupId, hour, lines)) {
            add(base, window, c, previous, hour, record, lines, earlyAllowed);
        }
        publishDue(base, clock, record, lines);
        purge(base, rollupId, kind, horizon(base, lines, clock, wallMs));
    }

    /**
     * The known lines of a roll-up and kind: read once from their keys {@code base|L|lineId} (a key range of this
     * roll-up), then kept in memory and written through. State of the earlier layout (every line in one map under
     * {@code base}) is moved to the per-line keys when first read.
     */
    private Members members(String base) {
        Members loaded = memberSets.get(base);
        if (loaded != null) {
            return loaded;
        }
        loaded = new Members();
        String prefix = memberKey(base, "");
        try (KeyValueIterator<String, RollupMembers> it = members.range(prefix, prefix + '\uffff')) {
            while (it.hasNext()) {
                KeyValue<String, RollupMembers> kv = it.next();
                if (kv.value != null) {
                    loaded.lastSeen.put(kv.key.substring(prefix.length()), kv.value.getClockMs());
                }
            }
        }
        RollupMembers horizon = members.get(horizonKey(base));
        if (horizon != null) {
            loaded.horizon = horizon.getClockMs();
        }
        RollupMembers rollup = members.get(base);
        if (rollup != null && !rollup.getLastSeenMs().isEmpty()) {
            for (Map.Entry<String, Long> line : rollup.getLastSeenMs().entrySet()) {
                loaded.lastSeen.merge(line.getKey(), line.getValue(), Math::max);
                long last = loaded.lastSeen.get(line.getKey());
                members.put(memberKey(base, line.getKey()), new RollupMembers(last, last, Map.of()));
            }
            members.put(base, new RollupMembers(rollup.getClockMs(), rollup.getSinceMs(), Map.of()));
        }
        loaded.changed();
        memberSets.put(base, loaded);
        return loaded;
    }

    /**
     * A line silent for {@code rollup.member-ttl} of the roll-up's clock is no longer known (runs when the clock moves).
     * Aligned, a line still delivering is not silent, however far behind (a catch-up): it stays, and holds.
     */
    private void expireSilentLines(String base, Members lines, long clock, long wallMs) {
        long cutoff = clock - settings.memberTtl().toMillis();
        List<String> silent = new ArrayList<>();
        lines.lastSeen.forEach((line, last) -> {
            Map<Integer, long[]> relays = lines.delivered.get(line);
            if (last < cutoff && (alignIdleMs == 0 || relays == null || stillDelivering(relays, wallMs) == Long.MAX_VALUE)) {
                silent.add(line);
            }
        });
        for (String line : silent) {
            lines.lastSeen.remove(line);
            lines.delivered.remove(line);
            members.delete(memberKey(base, line));
        }
        if (!silent.isEmpty()) {
            lines.changed();
        }
    }

    private static String memberKey(String base, String lineId) {
        return base + SEP + "L" + SEP + lineId;
    }

    /**
     * A final (or cancelled) batch footprint of a site: replaces the parts its batch added to the site's DAY energy
     * windows before with its new parts ({@link RollupFootprints}); each DAY window that changes is republished when it
     * was already published, else waits for its lines as usual. It moves no clock and makes no line known. Work: the
     * days of the batch's run.
     */
    private void footprint(Record<String, RollupContribution> record) {
        RollupContribution c = record.value();
        String rollupId = record.key();
        String base = RollupKind.ENERGY + SEP + rollupId;
        RollupMembers known = members.get(base);
        Members lines = members(base);
        long wallMs = context.currentSystemTimeMs();
        long clock = known == null ? Long.MIN_VALUE : known.getClockMs();
        long accepted = horizon(base, lines, clock, wallMs);
        if (accepted != Long.MIN_VALUE && c.getWindowEnd() < accepted - settings.correctionWindow().toMillis()) {
            throw new BadRecordException(DeadLetterReason.LATE, "footprint of batch " + c.getBatchId() + " completed "
                    + Instant.ofEpochMilli(c.getWindowEnd()) + " for " + rollupId + " is older than the roll-up's correction window ("
                    + settings.correctionWindow() + " before " + Instant.ofEpochMilli(accepted) + horizonNote(accepted, clock) + ")");
        }
        if (alignIdleMs > 0) {
            delivered(lines.footprints, SourceStamp.task(record.headers()), c.getWindowEnd(), wallMs);
        }
        // the days of the roll-up's calendar as of the batch's end; before any line is known, its own line's calendar
        long last = Math.max(c.getWindowStart(), c.getWindowEnd() - 1);
        WindowCalendar calendar = lines.lastSeen.isEmpty() ? calendar(rollupId, last, List.of(c.getLineId()), "line:" + c.getLineId())
                : calendar(rollupId, last, lines.lastSeen.keySet(), lines.key());
        List<Window> days = calendar.windows(Granularity.DAY, Instant.ofEpochMilli(Math.min(c.getWindowStart(), last)),
                Instant.ofEpochMilli(last + 1));
        Map<String, Double> parts = RollupFootprints.parts(c, days);

        String byBatch = footprintKey(base, c.getBatchId());
        RollupContribution previous = contributions.get(byBatch);
        Map<String, Double> delta = new TreeMap<>(parts);
        if (previous != null) {
            RollupMeasures.add(delta, previous.getMeasures(), -1);
            contributions.delete(footprintMarker(base, previous));
        }
        if (parts.isEmpty()) {
            contributions.delete(byBatch);
        } else {
            RollupContribution remembered = new RollupContribution(RollupFootprints.KIND, rollupId, c.getLineId(),
                    c.getWindowStart(), c.getWindowEnd(), parts, c.getBatchId());
            contributions.put(byBatch, remembered);
            contributions.put(footprintMarker(base, remembered), remembered);
        }

        Map<String, Map<String, Double>> byDay = new TreeMap<>();
        delta.forEach((part, value) -> byDay.computeIfAbsent(RollupFootprints.day(part), d -> new HashMap<>())
                .put(RollupFootprints.measure(part), value));
        for (Map.Entry<String, Map<String, Double>> day : byDay.entrySet()) {
            long[] window = RollupFootprints.window(day.getKey());
            String key = accumulatorKey(base, Granularity.DAY, window[0]);
            RollupAccumulator acc = accumulators.get(key);
            if (acc == null) {
                acc = new RollupAccumulator(rollupId, RollupKind.ENERGY.name(), Granularity.DAY.name(), null,
                        window[0], window[1], new HashMap<>(), new HashMap<>(), false, 0);
            }
            Map<String, Double> sums = new HashMap<>(acc.getMeasures());
            RollupMeasures.add(sums, day.getValue(), 1);
            acc.setMeasures(sums);
            if (acc.getEmitted()) {
                acc.setRevision(acc.getRevision() + 1);
                accumulators.put(key, acc);
                publish(key, acc, record, lines, null);
            } else {
                accumulators.put(key, acc);
                addOpen(base, acc, key);
            }
        }
    }

    /** Where a batch's footprint parts are remembered, by batch (outside the time-ordered range the purge reads). */
    private static String footprintKey(String base, String batchId) {
        return base + SEP + "F" + SEP + batchId;
    }

    /** The same parts, in the time-ordered range of contributions, so they leave with the correction window. */
    private static String footprintMarker(String base, RollupContribution footprint) {
        return base + SEP + pad(footprint.getWindowEnd()) + SEP + RollupFootprints.KIND + ":" + footprint.getBatchId();
    }

    /** The roll-up windows a line hour falls into: its own hour, and the overlapping shifts and days of the roll-up's calendar. */
    private List<Window> targets(String rollupId, Interval hour, Members lines) {
        List<Window> out = new ArrayList<>();
        out.add(new Window(Granularity.HOUR, null, hour.start(), hour.end()));
        WindowCalendar calendar = calendar(rollupId, hour.start().toEpochMilli(), lines.lastSeen.keySet(), lines.key());
        out.addAll(calendar.windows(Granularity.SHIFT, hour.start(), hour.end()));
        out.addAll(calendar.windows(Granularity.DAY, hour.start(), hour.end()));
        return out;
    }

    /**
     * The roll-up's calendar as of {@code atMs}: the calendar of the line named by {@code rollup.calendar.<level>.<id>},
     * else the calendar (timezone and shifts) shared by most of its lines at that time, ties to the one of the
     * smallest lineId.
     */
    WindowCalendar calendar(String rollupId, long atMs, java.util.Collection<String> lines, String membersKey) {
        String key = rollupId + SEP + Math.floorDiv(atMs, HOUR_MS) + SEP + membersKey;
        WindowCalendar cached = calendarCache.get(key);
        if (cached == null) {
            cached = vote(rollupId, atMs, lines);
            calendarCache.put(key, cached);
        }
        return cached;
    }

    private WindowCalendar vote(String rollupId, long atMs, Iterable<String> lines) {
        String chosen = settings.calendarLines().get(rollupId);
        if (chosen != null) {
            LineConfig config = config(chosen, atMs);
            if (config != null) {
                return WindowCalendar.of(config);
            }
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        Map<String, WindowCalendar> calendars = new HashMap<>();
        for (String line : new TreeSet<>(toList(lines))) {
            LineConfig config = config(line, atMs);
            if (config != null && rollupId.equals(RollupIds.sameLevel(rollupId, config))) {
                WindowCalendar calendar = WindowCalendar.of(config);
                String key = signature(calendar);
                votes.merge(key, 1, Integer::sum);
                calendars.putIfAbsent(key, calendar);
            }
        }
        String best = null;
        for (Map.Entry<String, Integer> vote : votes.entrySet()) {
            if (best == null || vote.getValue() > votes.get(best)) {
                best = vote.getKey();
            }
        }
        return best == null ? WindowCalendar.utc24x7() : calendars.get(best);
    }

    private static String signature(WindowCalendar calendar) {
        return calendar.zone().getId() + ";" + calendar.shifts().stream()
                .map(RollupProcessor::signature).sorted().collect(Collectors.joining(","));
    }

    private static String signature(ShiftDefinition shift) {
        return shift.name() + "@" + shift.start() + "-" + shift.end() + "@" + new TreeSet<>(shift.days());
    }

    private void add(String base, Window window, RollupContribution c, RollupContribution previous, Interval hour,
                     Record<String, RollupContribution> record, Members lines, boolean earlyAllowed) {
        Interval part = window.interval().intersect(hour);
        if (part.isEmpty()) {
            return;
        }
        double share = (double) part.lengthMs() / hour.lengthMs();
        String key = accumulatorKey(base, window.granularity(), window.startMs());
        RollupAccumulator acc = accumulators.get(key);
        if (acc == null) {
            acc = new RollupAccumulator(record.key(), c.getKind(), window.granularity().name(), window.shiftName(),
                    window.startMs(), window.endMs(), new HashMap<>(), new HashMap<>(), false, 0);
        }
        Map<String, Double> sums = new HashMap<>(acc.getMeasures());
        if (previous != null) {
            RollupMeasures.add(sums, previous.getMeasures(), -share);
        } else {
            Map<String, Long> covered = new HashMap<>(acc.getCoveredMs());
            covered.merge(c.getLineId(), part.lengthMs(), Long::sum);
            acc.setCoveredMs(covered);
        }
        RollupMeasures.add(sums, c.getMeasures(), share);
        acc.setMeasures(sums);
        if (acc.getEmitted()) {
            acc.setRevision(acc.getRevision() + 1);
            accumulators.put(key, acc);
            publish(key, acc, record, lines, c.getLineId());
            return;
        }
        accumulators.put(key, acc);
        addOpen(base, acc, key);
        if (earlyAllowed && stillMissing(key, acc, c.getLineId(), lines).isEmpty()) {
            publishFinal(base, key, acc, record, lines);
        }
    }

    /**
     * The roll-up's aligned frontier: the least window end reached by the known lines, through each relay that
     * delivered their hours within {@code rollup.align-idle} of wall-clock time (a line behind the others is on its
     * way: its upstream task is behind; an hour behind the line's others is on its way through a relay that is
     * behind: a line's windows are keyed by hour on its output topic, so its hours come through every relay task,
     * each reading its partitions at its own pace); {@link Long#MAX_VALUE} when none did, or not aligned. Lines and
     * relays silent for longer, or known only from before this task started and silent since for that long, do not
     * hold. Recomputed at most once per second of wall clock.
     */
    private long frontier(Members lines, long wallNowMs) {
        if (alignIdleMs == 0) {
            return Long.MAX_VALUE;
        }
        if (lines.frontierWallMs != Long.MIN_VALUE && wallNowMs - lines.frontierWallMs < 1_000 && wallNowMs >= lines.frontierWallMs) {
            return lines.frontier;
        }
        long least = Long.MAX_VALUE;
        for (Map.Entry<String, Long> line : lines.lastSeen.entrySet()) {
            Map<Integer, long[]> relays = lines.delivered.get(line.getKey());
            if (relays == null) {
                // known from before this task started, silent since
                if (wallNowMs - resumedWallMs < alignIdleMs) {
                    least = Math.min(least, line.getValue());
                }
            } else {
                least = Math.min(least, stillDelivering(relays, wallNowMs));
            }
        }
        lines.frontier = least;
        lines.frontierWallMs = wallNowMs;
        return least;
    }

    /**
     * Notes that {@code relay} delivered something ending at {@code endMs} at {@code wallMs}. Returns what it holds at
     * ({@code [0]}: the latest end it delivered) when it is new or delivers again after a silence of
     * {@code rollup.align-idle} (so it holds again, and may lower a frontier); null when it was holding already.
     */
    private long[] delivered(Map<Integer, long[]> relays, int relay, long endMs, long wallMs) {
        long[] seen = relays.get(relay);
        if (seen == null) {
            seen = new long[] {endMs, wallMs};
            relays.put(relay, seen);
            return seen;
        }
        boolean again = wallMs - seen[1] >= alignIdleMs;
        seen[0] = Math.max(seen[0], endMs);
        seen[1] = Math.max(seen[1], wallMs);
        return again ? seen : null;
    }

    /**
     * The least end delivered by the relays still delivering (within {@code rollup.align-idle}, a pause of the task not
     * counted), {@link Long#MAX_VALUE} when none is.
     */
    private long stillDelivering(Map<Integer, long[]> relays, long wallNowMs) {
        long least = Long.MAX_VALUE;
        for (long[] seen : relays.values()) {
            if (wallNowMs - Math.max(resumedWallMs, seen[1]) < alignIdleMs) {
                least = Math.min(least, seen[0]);
            }
        }
        return least;
    }

    /**
     * Where the correction window of a roll-up ends ({@code rollup.correction-window} before it a line hour or
     * footprint is {@code LATE}, and its remembered contributions and past-retention windows are purged). Unaligned
     * (a roll-up built alone) the clock, the latest line-window end seen. Aligned (the application), held behind the
     * clock by what is still on its way: in a catch-up the upstream tasks drift apart by days of event time, and the
     * fastest line's clock alone refused the hours of the lines of slower tasks and the footprints of the carbon
     * ledger, which follows its slowest upstream task (the 1,000,000-event benchmark dead-lettered 4 % of its input
     * so). Held at
     * <ul>
     *   <li>the {@link #frontier}: the least window end of the lines still delivering, through each relay;</li>
     *   <li>the least of the latest footprint completions through each relay still delivering footprints (within
     *       {@code rollup.align-idle});</li>
     *   <li>for {@code rollup.align-idle} after the task starts or resumes, when it cannot know yet what is behind: as
     *       far as the bound below.</li>
     * </ul>
     * At most {@code rollup.max-hold} behind the clock, so the hold, and what it keeps, is bounded. It never moves
     * back, and, aligned, it is stored (key {@code kind|rollupId|H}) whenever it moves on: a line hour or footprint once purged is
     * never summed again, across restarts too. {@link Long#MIN_VALUE} before the roll-up has a clock.
     */
    private long horizon(String base, Members lines, long clock, long wallNowMs) {
        if (clock == Long.MIN_VALUE) {
            return lines.horizon;
        }
        long held = Math.min(clock, frontier(lines, wallNowMs));
        if (alignIdleMs > 0) {
            held = Math.min(held, stillDelivering(lines.footprints, wallNowMs));
            if (wallNowMs - resumedWallMs < alignIdleMs) {
                held = Long.MIN_VALUE;
            }
        }
        long horizon = Math.max(held, clock - settings.maxHold().toMillis());
        if (horizon > lines.horizon) {
            lines.horizon = horizon;
            if (alignIdleMs > 0) {
                // unaligned it is the clock, which the roll-up's own key stores already
                members.put(horizonKey(base), new RollupMembers(horizon, horizon, Map.of()));
            }
        }
        return lines.horizon;
    }

    private static String horizonKey(String base) {
        return base + SEP + "H";
    }

    private static String horizonNote(long horizon, long clock) {
        return horizon == clock ? "" : ", held behind the clock for what is still on its way; the clock is at " + Instant.ofEpochMilli(clock);
    }

    /** Records activity; after a pause of the task (a stall, a rebalance) its lines' silence counts from now. */
    private void touch(long wallMs) {
        if (lastActivityWallMs != Long.MIN_VALUE && wallMs - lastActivityWallMs > resumeGapMs) {
            resumedWallMs = wallMs;
            // every known line holds again from now: the frontiers can only go down, recompute them now
            memberSets.values().forEach(lines -> lines.frontierWallMs = Long.MIN_VALUE);
        }
        lastActivityWallMs = Math.max(lastActivityWallMs, wallMs);
    }

    /** Wall-clock punctuation (aligned only): publishes the held windows whose holding lines went silent. */
    private void releaseHeld(long wallNowMs) {
        touch(wallNowMs);
        for (String base : new ArrayList<>(held)) {
            RollupMembers known = members.get(base);
            if (known == null) {
                held.remove(base);
                continue;
            }
            publishDue(base, known.getClockMs(), new Record<>(base, null, known.getClockMs()), members(base));
        }
    }

    /**
     * The known lines that have not yet covered their part of a window (open, or published and revised by late line
     * hours): computed in full the first time (and after the member set changed or the caches were cleared), then
     * updated for the line of each record only ({@code lineId}; null: nothing changed since).
     */
    private java.util.Set<String> stillMissing(String key, RollupAccumulator acc, String lineId, Members lines) {
        MissingLines tracked = missingByWindow.get(key);
        if (tracked == null || tracked.generation() != lines.generation) {
            tracked = new MissingLines(lines.generation, new java.util.HashSet<>(completeness(acc, lines.lastSeen.keySet()).missing()));
            missingByWindow.put(key, tracked);
        } else if (lineId == null) {
            return tracked.lines();
        } else if (missing(acc, lineId)) {
            tracked.lines().add(lineId);
        } else {
            tracked.lines().remove(lineId);
        }
        return tracked.lines();
    }

    /**
     * Publishes every open window of the roll-up whose end + wait the clock has passed (a key range of this roll-up)
     * and, aligned, whose end the {@link #frontier} has passed too.
     */
    private void publishDue(String base, long clock, Record<String, RollupContribution> record, Members lines) {
        long byClock = clock - settings.waitForLines().toMillis();
        long due = Math.min(byClock, frontier(lines, context.currentSystemTimeMs()));
        if (due < byClock) {
            held.add(base);
        } else {
            held.remove(base);
        }
        if (due < 0) {
            return;
        }
        String prefix = base + SEP;
        String to = prefix + pad(due) + SEP + '\uffff';
        if (dueFrom.done(prefix, to)) {
            return;
        }
        List<KeyValue<String, String>> ready = new ArrayList<>();
        // from where the previous call stopped: it took (and deleted) every entry before
        try (KeyValueIterator<String, String> it = open.range(dueFrom.from(prefix), to)) {
            it.forEachRemaining(ready::add);
        }
        dueFrom.purged(prefix, to, null);
        for (KeyValue<String, String> entry : ready) {
            RollupAccumulator acc = accumulators.get(entry.value);
            if (acc == null) {
                open.delete(entry.key);
            } else {
                publishFinal(base, entry.value, acc, record, lines);
            }
        }
    }

    private void publishFinal(String base, String key, RollupAccumulator acc, Record<String, RollupContribution> record,
                              Members lines) {
        acc.setEmitted(true);
        accumulators.put(key, acc);
        open.delete(openKey(base, acc));
        publish(key, acc, record, lines, null);
    }

    /**
     * Publishes a window with its completeness: the missing lines as tracked for the window ({@link #stillMissing},
     * updated for {@code lineId}), so a revision by a late line hour does not look at every line again.
     */
    private void publish(String accumulatorKey, RollupAccumulator acc, Record<String, RollupContribution> record, Members lines,
                         String lineId) {
        List<String> missing = new ArrayList<>(stillMissing(accumulatorKey, acc, lineId, lines));
        java.util.Collections.sort(missing);
        SpecificRecord value = RollupRecords.of(acc, completeness(acc, missing));
        String key = WindowKey.of(acc.getRollupId(), Granularity.valueOf(acc.getGranularity()),
                Instant.ofEpochMilli(acc.getWindowStart())).format();
        published.get(RollupKind.valueOf(acc.getKind())).put(key, value);
        context.forward(new Record<>(key, value, record.timestamp(), record.headers()));
    }

    /**
     * Which lines contributed to a window, and which known lines (those that sent windows, and those any line config
     * placed in the roll-up) have not covered their part of it: a line's part is
     * the window's time in the UTC hours whose start its config (as of that hour) places in this roll-up.
     */
    RollupRecords.Completeness completeness(RollupAccumulator acc, Iterable<String> lines) {
        List<String> missing = new ArrayList<>();
        TreeSet<String> expectedLines = new TreeSet<>(toList(lines));
        expectedLines.addAll(configuredLines(acc.getRollupId()));
        for (String line : expectedLines) {
            if (missing(acc, line)) {
                missing.add(line);
            }
        }
        return completeness(acc, missing);
    }

    /** The completeness of a window whose missing lines are known (sorted). */
    private RollupRecords.Completeness completeness(RollupAccumulator acc, List<String> missing) {
        Map<String, Long> covered = acc.getCoveredMs();
        List<String> contributing = covered.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .sorted().toList();
        String siteId = null;
        if (acc.getRollupId().startsWith(RollupIds.AREA) && !contributing.isEmpty()) {
            LineConfig config = config(contributing.get(0), acc.getWindowStart());
            siteId = config == null ? null : config.getSiteId();
        }
        return new RollupRecords.Completeness(contributing, missing, siteId);
    }

    /**
     * True when the line's config places it in this roll-up for some of the window's UTC hours and it has covered
     * less of the window than those hours.
     */
    private boolean missing(RollupAccumulator acc, String line) {
        Interval window = new Interval(Instant.ofEpochMilli(acc.getWindowStart()), Instant.ofEpochMilli(acc.getWindowEnd()));
        long expected = 0;
        long firstHour = Math.floorDiv(acc.getWindowStart(), HOUR_MS) * HOUR_MS;
        for (long h = firstHour; h < acc.getWindowEnd(); h += HOUR_MS) {
            LineConfig config = config(line, h);
            if (config != null && acc.getRollupId().equals(RollupIds.sameLevel(acc.getRollupId(), config))) {
                expected += window.intersect(new Interval(Instant.ofEpochMilli(h), Instant.ofEpochMilli(h + HOUR_MS))).lengthMs();
            }
        }
        return expected > 0 && acc.getCoveredMs().getOrDefault(line, 0L) < expected;
    }

    /**
     * Drops published windows past their retention and remembered contributions past the correction window, both
     * counted back from the {@link #horizon}.
     */
    private void purge(String base, String rollupId, RollupKind kind, long horizon) {
        // only when the horizon moved; each range starts where the last purge of this task ended, so it never walks the
        // deleted keys of earlier purges (RocksDB skips tombstones one by one until they are compacted away)
        Long previous = purgedAt.get(base);
        if (previous != null && previous >= horizon) {
            return;
        }
        purgedAt.put(base, horizon);
        for (Granularity g : GRANULARITIES) {
            long cutoff = horizon - settings.retention(g).toMillis();
            if (cutoff <= 0) {
                continue;
            }
            // a window created since the last purge starts at most a correction window and a day before the horizon
            String from = previous == null ? base + SEP + g + SEP : accumulatorKey(base, g,
                    Math.min(previous - settings.retention(g).toMillis(), previous - settings.correctionWindow().toMillis() - DAY_MS));
            List<KeyValue<String, RollupAccumulator>> old = new ArrayList<>();
            try (KeyValueIterator<String, RollupAccumulator> it = accumulators.range(from,
                    accumulatorKey(base, g, cutoff - 1))) {
                it.forEachRemaining(old::add);
            }
            for (KeyValue<String, RollupAccumulator> entry : old) {
                accumulators.delete(entry.key);
                missingByWindow.remove(entry.key);
                if (entry.value != null) {
                    open.delete(openKey(base, entry.value));
                    published.get(kind).delete(WindowKey.of(rollupId, g, Instant.ofEpochMilli(entry.value.getWindowStart())).format());
                }
            }
        }
        long cutoff = horizon - settings.correctionWindow().toMillis();
        if (cutoff > 0) {
            List<String> old = new ArrayList<>();
            // a line hour or footprint older than the correction window is refused LATE, so none is added below it
            String from = previous == null ? base + SEP : base + SEP + pad(previous - settings.correctionWindow().toMillis());
            try (KeyValueIterator<String, RollupContribution> it = contributions.range(from, base + SEP + pad(cutoff - 1) + SEP + '\uffff')) {
                it.forEachRemaining(kv -> {
                    old.add(kv.key);
                    if (kv.value != null && RollupFootprints.KIND.equals(kv.value.getKind())) {
                        old.add(footprintKey(base, kv.value.getBatchId()));
                    }
                });
            }
            old.forEach(contributions::delete);
        }
    }

    /**
     * The lines any config version has placed in the roll-up ({@link LineConfigIndex}: one lookup per line of this
     * area or site), kept with the config cache; whether each belongs to a window is decided per hour by its config.
     */
    private List<String> configuredLines(String rollupId) {
        return configuredCache.computeIfAbsent(rollupId, id -> LineConfigIndex.lines(lineConfigs, id));
    }

    private LineConfig config(String lineId, long atMs) {
        return configCache.computeIfAbsent(lineId + SEP + atMs, k -> {
            VersionedRecord<LineConfig> found = lineConfigs.get(lineId, atMs);
            return found == null ? null : found.value();
        });
    }

    private static String accumulatorKey(String base, Granularity g, long startMs) {
        return base + SEP + g + SEP + pad(startMs);
    }

    /** Indexes a window not yet published by when it is due; a late one may be due already, behind {@link #dueFrom}. */
    private void addOpen(String base, RollupAccumulator acc, String accumulatorKey) {
        String key = openKey(base, acc);
        open.put(key, accumulatorKey);
        dueFrom.added(base + SEP, key);
    }

    private static String openKey(String base, RollupAccumulator acc) {
        return base + SEP + pad(acc.getWindowEnd()) + SEP + acc.getGranularity() + SEP + pad(acc.getWindowStart());
    }

    /** Epoch ms as 13 digits, so keys sort by time (years 2001 to 2286). */
    static String pad(long ms) {
        return SortableTime.digits(ms, 13);
    }

    private static List<String> toList(Iterable<String> lines) {
        List<String> out = new ArrayList<>();
        lines.forEach(out::add);
        return out;
    }
}
