package io.greenline.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.events.BatchFootprint;
import io.greenline.events.Granularity;
import io.greenline.schemas.WindowKey;
import io.greenline.streams.StoreNames;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The resources of the query API (docs/design.md section 8), translating HTTP to {@link StoreRouter} reads:
 *
 * <ul>
 *   <li>a keyed read (a line's windows, one batch) goes to the instance owning the key's partition; a
 *       request another instance forwarded carries {@code local=true} and is answered here only;</li>
 *   <li>a list (lines, batches) is gathered from every instance, and says which answered
 *       ({@code instances}, {@code complete});</li>
 *   <li>an answer from a standby or restoring store is marked stale ({@code X-Greenline-Stale},
 *       {@code X-Greenline-Lag}, and {@code stale}/{@code lagRecords} in envelopes).</li>
 * </ul>
 */
public final class QueryApi {

    private final StoreRouter router;
    private final RemoteInstances remote;
    private final ObjectMapper json;

    public QueryApi(StoreRouter router, RemoteInstances remote, ObjectMapper json) {
        this.router = router;
        this.remote = remote;
        this.json = json;
    }

    // ---- keyed reads -------------------------------------------------------------------------------

    /** {@code GET /api/v1/lines/{lineId}/oee|quality|energy}: windows of one line, oldest first. */
    public void lineWindows(Context ctx, String store, String what) {
        windows(ctx, ctx.pathParam("lineId"), "lineId", "line", store, what);
    }

    /**
     * {@code GET /api/v1/areas/{id}/oee|quality|energy} and {@code /api/v1/sites/{id}/...}: windows of one roll-up
     * (docs/rollup.md), read like a line's from the roll-up store, keyed and partitioned by {@code area:<id>} or
     * {@code site:<id>}.
     */
    public void rollupWindows(Context ctx, String level, String store, String what) {
        String id = ctx.pathParam("id");
        if (id.isBlank() || id.indexOf(WindowKey.SEPARATOR) >= 0) {
            throw ApiException.badRequest(level + " id must be non-empty and contain no '/'");
        }
        windows(ctx, level + ":" + id, "rollupId", level, store, what);
    }

    private void windows(Context ctx, String lineId, String idField, String noun, String store, String what) {
        if (lineId.isBlank() || lineId.indexOf(WindowKey.SEPARATOR) >= 0) {
            throw ApiException.badRequest(idField + " must be non-empty and contain no '/'");
        }
        Granularity granularity = granularity(ctx.queryParam("granularity"));
        Instant from = instant(ctx, "from");
        Instant to = instant(ctx, "to");
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.badRequest("from (" + from + ") is after to (" + to + ")");
        }
        WindowScan.ProductFilter products = WindowScan.ProductFilter.of(ctx.queryParam("productId"));
        if (!router.serves(store)) {
            throw ApiException.notFound(what + " windows are not computed by this deployment");
        }
        StoreRouter.Location location = router.locate(store, lineId);
        if (forward(ctx, location)) {
            return;
        }
        StoreRouter.Read<List<Object>> read = router.readPartition(store, location.partition(), location.activeHere(), s -> {
            List<Object> windows = WindowScan.range(s, lineId, granularity, from, to, products);
            if (windows.isEmpty() && !WindowScan.hasLine(s, lineId)) {
                return null;
            }
            return windows;
        });
        if (read.value() == null) {
            if (read.stale() || !router.caughtUp(store, location.partition())) {
                throw new StoreUnavailableException(noun + " " + lineId + " is not in this instance's " + what
                        + " store yet: the store is still restoring or catching up");
            }
            throw ApiException.notFound("Unknown " + noun + " " + lineId + ": it has no " + what + " windows");
        }
        ObjectNode body = json.createObjectNode();
        body.put(idField, lineId);
        body.put("granularity", granularity.name());
        body.put("from", from == null ? null : from.toString());
        body.put("to", to == null ? null : to.toString());
        body.set("items", json.valueToTree(read.value()));
        respond(ctx, body, read);
    }

    /** {@code GET /api/v1/batches/{batchId}}: one footprint, from the instance owning the batch. */
    public void batch(Context ctx) {
        String batchId = ctx.pathParam("batchId");
        StoreRouter.Read<BatchFootprint> read = batchFootprint(ctx, batchId);
        if (read == null) {
            return;
        }
        respond(ctx, json.valueToTree(read.value()), read);
    }

    /**
     * The footprint of a batch read where it lives, or null when the request was forwarded and already
     * answered. Other renderings (PACT) use it too.
     */
    public StoreRouter.Read<BatchFootprint> batchFootprint(Context ctx, String batchId) {
        if (!router.serves(StoreNames.BATCH_FOOTPRINTS)) {
            throw ApiException.notFound("Batch footprints are not computed by this deployment");
        }
        StoreRouter.Location location = router.locate(StoreNames.BATCH_FOOTPRINTS, batchId);
        if (forward(ctx, location)) {
            return null;
        }
        StoreRouter.Read<BatchFootprint> read = router.<BatchFootprint, BatchFootprint>readPartition(
                StoreNames.BATCH_FOOTPRINTS, location.partition(), location.activeHere(), s -> s.get(batchId));
        if (read.value() == null) {
            if (read.stale() || !router.caughtUp(StoreNames.BATCH_FOOTPRINTS, location.partition())) {
                throw new StoreUnavailableException("Batch " + batchId + " is not in this instance's store yet: it is still restoring");
            }
            throw ApiException.notFound("Unknown batch " + batchId);
        }
        return read;
    }

    /**
     * Sends the request to the partition's owner unless this instance should answer: it owns it, or the
     * request was already forwarded. When the owner cannot answer and a standby copy is here, this
     * instance answers (stale). Returns true when the owner's answer was passed on.
     */
    private boolean forward(Context ctx, StoreRouter.Location location) {
        if (location.activeHere() || isForwarded(ctx)) {
            return false;
        }
        try {
            RemoteInstances.Answer answer = remote.getNow(location.active(), ctx.path(), ctx.queryString());
            if (answer.status() == 503 && location.standbyHere()) {
                return false;
            }
            ctx.status(answer.status()).contentType("application/json").result(answer.body());
            answer.stale().ifPresent(v -> ctx.header(QueryHeaders.STALE, v));
            answer.lag().ifPresent(v -> ctx.header(QueryHeaders.LAG, v));
            answer.retryAfter().ifPresent(v -> ctx.header("Retry-After", v));
            ctx.header(QueryHeaders.SERVED_BY, server(location.active()));
            return true;
        } catch (StoreUnavailableException e) {
            if (location.standbyHere()) {
                return false;
            }
            throw e;
        }
    }

    // ---- lists gathered from every instance --------------------------------------------------------

    /** {@code GET /api/v1/lines}: every line with its latest hourly OEE, quality and energy windows. */
    public void lines(Context ctx) {
        gatherListing(ctx, "lines", LINE_VIEWS.keySet(), this::localLines, "lineId", (a, b) -> {
            ObjectNode merged = a.deepCopy();
            for (String field : List.of("latestOee", "latestQuality", "latestEnergy")) {
                merged.set(field, later(a.get(field), b.get(field)));
            }
            return merged;
        });
    }

    /** The latest-per-line views ({@link io.greenline.streams.LineLatestView}) and the field each fills. */
    private static final Map<String, String> LINE_VIEWS = orderedMap(StoreNames.LINE_LATEST_OEE, "latestOee",
            StoreNames.LINE_LATEST_QUALITY, "latestQuality", StoreNames.LINE_LATEST_ENERGY, "latestEnergy");

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    /**
     * {@code GET /api/v1/areas} ({@code level} "area") and {@code /api/v1/sites} ("site"): every roll-up of that level
     * known to any instance, with its latest HOUR OEE, quality and energy roll-up windows.
     */
    public void rollups(Context ctx, String level) {
        gatherListing(ctx, level, ROLLUP_VIEWS.keySet(), () -> localRollups(level), "rollupId", (a, b) -> {
            ObjectNode merged = a.deepCopy();
            for (String field : List.of("latestOee", "latestQuality", "latestEnergy")) {
                merged.set(field, later(a.get(field), b.get(field)));
            }
            return merged;
        });
    }

    /** The latest-per-roll-up views ({@link io.greenline.streams.LineLatestView}) and the field each fills. */
    private static final Map<String, String> ROLLUP_VIEWS = orderedMap(StoreNames.ROLLUP_LATEST_OEE, "latestOee",
            StoreNames.ROLLUP_LATEST_QUALITY, "latestQuality", StoreNames.ROLLUP_LATEST_ENERGY, "latestEnergy");

    /** How long a cached list answer may be served while no view changed (a bound, in case a change is not seen). */
    private static final long LIST_CACHE_MAX_AGE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    /**
     * A list answer of this instance, the view versions it was read at, and its items as JSON bytes (rendered once,
     * on the first request that writes them, then shared by every request served from this answer).
     */
    private static final class CachedListing {
        private final List<Long> versions;
        private final long readAtNanos;
        private final StoreRouter.Read<Listing> read;
        private volatile byte[] itemsJson;

        CachedListing(List<Long> versions, long readAtNanos, StoreRouter.Read<Listing> read) {
            this.versions = versions;
            this.readAtNanos = readAtNanos;
            this.read = read;
        }

        byte[] itemsJson(ObjectMapper json) {
            byte[] rendered = itemsJson;
            if (rendered == null) {
                try {
                    rendered = json.writeValueAsBytes(read.value().items());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("list items could not be written as JSON", e);
                }
                itemsJson = rendered;
            }
            return rendered;
        }
    }

    private final Map<String, CachedListing> listings = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * This instance's list answer from the latest-per-line (or per-roll-up) views, built again only when a view was
     * written since ({@link io.greenline.streams.LineLatestView#version}), Kafka Streams is not RUNNING (tasks may be
     * moving) or the answer is older than 5 s. The views change when a window becomes final, so between two hours a
     * list of 1,000 lines is served without reading or converting a record. Answers are shared, never changed.
     */
    private CachedListing cachedLocal(String list, java.util.Collection<String> views, Supplier<StoreRouter.Read<Listing>> read) {
        List<Long> versions = views.stream().map(io.greenline.streams.LineLatestView::version).toList();
        long now = System.nanoTime();
        CachedListing cached = listings.get(list);
        if (cached != null && router.running() && cached.versions.equals(versions)
                && now - cached.readAtNanos < LIST_CACHE_MAX_AGE_NANOS) {
            return cached;
        }
        boolean running = router.running();
        CachedListing fresh = new CachedListing(versions, now, read.get());
        if (running && !fresh.read.stale()) {
            listings.put(list, fresh);
        } else {
            listings.remove(list);
        }
        return fresh;
    }

    /**
     * Answers a list of the latest-per-line or per-roll-up views ({@link #gather}). When this instance answers alone (a
     * request forwarded to it, or a deployment of one instance) the body is its cached answer's items as rendered
     * once, inside the same envelope {@link #gather} writes: serving 1,000 lines then costs a copy of bytes, not a
     * conversion of 3,000 window records to JSON per request.
     */
    private void gatherListing(Context ctx, String list, java.util.Collection<String> views,
                               Supplier<StoreRouter.Read<Listing>> read, String idField,
                               java.util.function.BinaryOperator<ObjectNode> merge) {
        Supplier<StoreRouter.Read<Listing>> local = () -> cachedLocal(list, views, read).read;
        boolean forwarded = isForwarded(ctx);
        if (!forwarded) {
            List<HostInfo> hosts = router.instances();
            if (hosts.size() != 1 || !hosts.get(0).equals(router.self())) {
                gather(ctx, local, idField, merge);
                return;
            }
        }
        CachedListing answer;
        try {
            answer = cachedLocal(list, views, read);
        } catch (ApiException e) {
            if (forwarded) {
                throw e;
            }
            gather(ctx, local, idField, merge);
            return;
        }
        StoreRouter.Read<Listing> readAnswer = answer.read;
        ObjectNode envelope = json.createObjectNode();
        if (!forwarded) {
            ObjectNode instance = envelope.putArray("instances").addObject();
            instance.put("server", server(router.self()));
            instance.put("answered", true);
            instance.put("stale", readAnswer.stale());
            envelope.put("complete", true);
        }
        if (readAnswer.value().scannedTo() != null) {
            envelope.put("scannedTo", readAnswer.value().scannedTo());
        }
        envelope.put("stale", readAnswer.stale());
        envelope.put("lagRecords", readAnswer.lagRecords());
        envelope.put("servedBy", server(router.self()));
        byte[] items = answer.itemsJson(json);
        byte[] rest = envelope.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // {"items":<items>,<the envelope's fields without its opening brace>
        byte[] head = "{\"items\":".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + items.length + 1 + rest.length - 1];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(items, 0, body, head.length, items.length);
        body[head.length + items.length] = ',';
        System.arraycopy(rest, 1, body, head.length + items.length + 1, rest.length - 1);
        qualify(ctx, readAnswer.stale(), readAnswer.lagRecords());
        ctx.contentType("application/json").result(body);
    }

    /**
     * This instance's roll-ups of one level: the key range {@code <level>:} of each small latest-per-roll-up view (one
     * record per area or site), never the window stores, so the cost follows the number of areas and sites.
     */
    private StoreRouter.Read<Listing> localRollups(String level) {
        Map<String, ObjectNode> rollups = new TreeMap<>();
        boolean stale = false;
        long lag = 0;
        boolean anyStore = false;
        String prefix = level + ":";
        // ids sort between "<level>:" and "<level>;" (';' follows ':')
        String end = level + ";";
        for (Map.Entry<String, String> view : ROLLUP_VIEWS.entrySet()) {
            if (!router.serves(view.getKey())) {
                continue;
            }
            anyStore = true;
            StoreRouter.Read<Map<String, Object>> read = router.readLocal(view.getKey(), s -> {
                Map<String, Object> latest = new TreeMap<>();
                try (KeyValueIterator<String, Object> it = s.range(prefix, end)) {
                    it.forEachRemaining(kv -> latest.put(kv.key, kv.value));
                }
                return latest;
            });
            stale |= read.stale();
            lag = Math.max(lag, read.lagRecords());
            read.value().forEach((rollupId, window) -> rollups.computeIfAbsent(rollupId, id -> {
                ObjectNode item = json.createObjectNode();
                item.put("rollupId", id);
                item.put(level + "Id", id.substring(prefix.length()));
                item.putNull("latestOee");
                item.putNull("latestQuality");
                item.putNull("latestEnergy");
                return item;
            }).set(view.getValue(), json.valueToTree(window)));
        }
        if (!anyStore) {
            throw ApiException.notFound("Area and site roll-ups are not part of this deployment");
        }
        return new StoreRouter.Read<>(Listing.of(new ArrayList<>(rollups.values())), stale, lag);
    }

    /**
     * This instance's lines: a read of each small latest-per-line view (one record per line), never of the window
     * stores, so the cost follows the number of lines, not the history kept.
     */
    private StoreRouter.Read<Listing> localLines() {
        Map<String, ObjectNode> lines = new TreeMap<>();
        boolean stale = false;
        long lag = 0;
        boolean anyStore = false;
        for (Map.Entry<String, String> view : LINE_VIEWS.entrySet()) {
            if (!router.serves(view.getKey())) {
                continue;
            }
            anyStore = true;
            StoreRouter.Read<Map<String, Object>> read = router.readLocal(view.getKey(), QueryApi::<Object>allOf);
            stale |= read.stale();
            lag = Math.max(lag, read.lagRecords());
            read.value().forEach((line, window) -> lines.computeIfAbsent(line, this::emptyLine)
                    .set(view.getValue(), json.valueToTree(window)));
        }
        if (!anyStore) {
            throw ApiException.notFound("No line stores are part of this deployment");
        }
        return new StoreRouter.Read<>(Listing.of(new ArrayList<>(lines.values())), stale, lag);
    }

    /** Every entry of a small store (a latest-per-line view: one entry per line). */
    private static <V> Map<String, V> allOf(ReadOnlyKeyValueStore<String, V> store) {
        Map<String, V> out = new TreeMap<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, V> entry = it.next();
                if (entry.value != null) {
                    out.put(entry.key, entry.value);
                }
            }
        }
        return out;
    }

    private ObjectNode emptyLine(String lineId) {
        ObjectNode line = json.createObjectNode();
        line.put("lineId", lineId);
        line.putNull("latestOee");
        line.putNull("latestQuality");
        line.putNull("latestEnergy");
        return line;
    }

    /**
     * {@code GET /api/v1/batches?lineId=&siteId=&status=&from=&to=&limit=&cursor=}: one page of footprints of every
     * instance, in batchId order, merged by batchId (highest version), with {@code nextCursor} while more follow.
     */
    public void batches(Context ctx) {
        String status = ctx.queryParam("status");
        io.greenline.events.FootprintStatus wantedStatus = null;
        if (status != null && !status.isBlank()) {
            try {
                wantedStatus = io.greenline.events.FootprintStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("status must be one of PROVISIONAL, FINAL, CANCELLED: " + status);
            }
        }
        Instant from = instant(ctx, "from");
        Instant to = instant(ctx, "to");
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.badRequest("from (" + from + ") is after to (" + to + ")");
        }
        int limit = limit(ctx.queryParam("limit"));
        String after = BatchPages.batchIdOf(ctx.queryParam("cursor"));
        BatchPages.Filter filter = new BatchPages.Filter(blankToNull(ctx.queryParam("lineId")), blankToNull(ctx.queryParam("siteId")),
                wantedStatus, from, to);
        Gathered gathered = gatherItems(ctx, () -> localBatchPage(after, limit, filter), "batchId",
                (a, b) -> a.path("version").asInt() >= b.path("version").asInt() ? a : b);
        if (gathered == null) {
            return;
        }
        BatchPages.Cut<ObjectNode> page = BatchPages.cut(gathered.items(), n -> n.path("batchId").asText(), gathered.scannedTo(), limit);
        ObjectNode body = json.createObjectNode();
        body.set("items", json.valueToTree(page.items()));
        body.put("limit", limit);
        body.put("nextCursor", page.nextAfter() == null ? null : BatchPages.cursorAfter(page.nextAfter()));
        body.set("instances", gathered.instances());
        body.put("complete", gathered.complete());
        respond(ctx, body, new StoreRouter.Read<>(null, gathered.stale(), gathered.lagRecords()));
    }

    static int limit(String param) {
        if (param == null || param.isBlank()) {
            return BatchPages.DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(param.trim());
            if (limit >= 1 && limit <= BatchPages.MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("limit must be a whole number from 1 to " + BatchPages.MAX_LIMIT + ": " + param);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** One page of this instance's footprints (up to {@code limit + 1}, a bounded scan), as JSON items. */
    private StoreRouter.Read<Listing> localBatchPage(String after, int limit, BatchPages.Filter filter) {
        if (!router.serves(StoreNames.BATCH_FOOTPRINTS)) {
            throw ApiException.notFound("Batch footprints are not computed by this deployment");
        }
        StoreRouter.Read<BatchPages.Page> read = router.<BatchFootprint, BatchPages.Page>readLocal(StoreNames.BATCH_FOOTPRINTS,
                s -> BatchPages.read(s, after, limit, filter, BatchPages.MAX_SCANNED));
        List<ObjectNode> items = read.value().items().stream().map(f -> (ObjectNode) json.valueToTree(f)).toList();
        return new StoreRouter.Read<>(new Listing(items, read.value().scannedTo()), read.stale(), read.lagRecords());
    }

    /** Every footprint of this instance's stores passing {@code filter}. */
    public StoreRouter.Read<List<BatchFootprint>> localFootprints(Function<BatchFootprint, Boolean> filter) {
        if (!router.serves(StoreNames.BATCH_FOOTPRINTS)) {
            throw ApiException.notFound("Batch footprints are not computed by this deployment");
        }
        return router.<BatchFootprint, List<BatchFootprint>>readLocal(StoreNames.BATCH_FOOTPRINTS, s -> {
            List<BatchFootprint> out = new ArrayList<>();
            try (KeyValueIterator<String, BatchFootprint> it = s.all()) {
                while (it.hasNext()) {
                    KeyValue<String, BatchFootprint> kv = it.next();
                    if (kv.value != null && filter.apply(kv.value)) {
                        out.add(kv.value);
                    }
                }
            }
            return out;
        });
    }

    /**
     * Answers a list: a forwarded request ({@code local=true}) with this instance's items; otherwise the
     * items of every instance, merged by {@code idField} (a key held by two instances, active and standby,
     * is merged by {@code merge}), with who answered. 503 only when no instance answered.
     */
    private void gather(Context ctx, Supplier<StoreRouter.Read<Listing>> local, String idField,
                        java.util.function.BinaryOperator<ObjectNode> merge) {
        Gathered gathered = gatherItems(ctx, local, idField, merge);
        if (gathered == null) {
            return;
        }
        ObjectNode body = json.createObjectNode();
        body.set("items", arrayOf(gathered.items()));
        body.set("instances", gathered.instances());
        body.put("complete", gathered.complete());
        respond(ctx, body, new StoreRouter.Read<>(null, gathered.stale(), gathered.lagRecords()));
    }

    /**
     * Items gathered from every instance, and who answered; {@code scannedTo}: the smallest key at which an
     * instance's bounded scan stopped (null when none stopped early).
     */
    public record Gathered(List<ObjectNode> items, ArrayNode instances, boolean complete, boolean stale, long lagRecords,
                           String scannedTo) {
    }

    /** One instance's items, and the key its bounded scan stopped at (null: it read all it needed). */
    public record Listing(List<ObjectNode> items, String scannedTo) {
        public static Listing of(List<ObjectNode> items) {
            return new Listing(items, null);
        }
    }

    /**
     * Gathers a list from every instance (see {@link #gather}); returns null when the request was a forwarded
     * one and this instance's items were already answered as {@code {"items": [...]}}.
     */
    public Gathered gatherItems(Context ctx, Supplier<StoreRouter.Read<Listing>> local, String idField,
                                java.util.function.BinaryOperator<ObjectNode> merge) {
        if (isForwarded(ctx)) {
            StoreRouter.Read<Listing> read = local.get();
            ObjectNode body = json.createObjectNode();
            body.set("items", arrayOf(read.value().items()));
            if (read.value().scannedTo() != null) {
                body.put("scannedTo", read.value().scannedTo());
            }
            respond(ctx, body, read);
            return null;
        }
        List<HostInfo> hosts = router.instances();
        List<CompletableFuture<InstanceAnswer>> answers = new ArrayList<>();
        for (HostInfo host : hosts) {
            if (host.equals(router.self())) {
                answers.add(CompletableFuture.completedFuture(localAnswer(local)));
            } else {
                answers.add(remote.get(host, ctx.path(), ctx.queryString())
                        .handle((answer, error) -> remoteAnswer(host, answer, error)));
            }
        }
        Map<String, ObjectNode> items = new TreeMap<>();
        ArrayNode instances = json.createArrayNode();
        boolean complete = true;
        boolean stale = false;
        long lag = 0;
        int answered = 0;
        String scannedTo = null;
        for (int i = 0; i < hosts.size(); i++) {
            InstanceAnswer answer = answers.get(i).join();
            ObjectNode instance = instances.addObject();
            instance.put("server", server(hosts.get(i)));
            instance.put("answered", answer.items() != null);
            instance.put("stale", answer.stale());
            if (answer.error() != null) {
                instance.put("error", answer.error());
            }
            if (answer.items() == null) {
                complete = false;
                continue;
            }
            answered++;
            if (answer.scannedTo() != null && (scannedTo == null || BatchPages.KEY_ORDER.compare(answer.scannedTo(), scannedTo) < 0)) {
                scannedTo = answer.scannedTo();
            }
            stale |= answer.stale();
            lag = Math.max(lag, answer.lag());
            for (JsonNode item : answer.items()) {
                items.merge(item.path(idField).asText(), (ObjectNode) item, merge);
            }
        }
        if (answered == 0) {
            throw new StoreUnavailableException("No instance could answer: " + instances);
        }
        return new Gathered(new ArrayList<>(items.values()), instances, complete, stale, lag, scannedTo);
    }

    /** Sets the headers that qualify an answer (stale, lag, served by). */
    public void qualify(Context ctx, boolean stale, long lagRecords) {
        ctx.header(QueryHeaders.STALE, String.valueOf(stale));
        if (stale) {
            ctx.header(QueryHeaders.LAG, String.valueOf(lagRecords));
        }
        ctx.header(QueryHeaders.SERVED_BY, server(router.self()));
    }

    private record InstanceAnswer(JsonNode items, boolean stale, long lag, String error, String scannedTo) {
        static InstanceAnswer failed(String error) {
            return new InstanceAnswer(null, false, 0, error, null);
        }
    }

    private InstanceAnswer localAnswer(Supplier<StoreRouter.Read<Listing>> local) {
        try {
            StoreRouter.Read<Listing> read = local.get();
            return new InstanceAnswer(arrayOf(read.value().items()), read.stale(), read.lagRecords(), null,
                    read.value().scannedTo());
        } catch (ApiException e) {
            return InstanceAnswer.failed(e.getMessage());
        }
    }

    private InstanceAnswer remoteAnswer(HostInfo host, RemoteInstances.Answer answer, Throwable error) {
        if (error != null) {
            return InstanceAnswer.failed(server(host) + " did not answer: " + error.getMessage());
        }
        try {
            JsonNode body = json.readTree(answer.body());
            if (answer.status() != 200) {
                return InstanceAnswer.failed(body.path("message").asText("HTTP " + answer.status()));
            }
            boolean stale = body.path("stale").asBoolean(false);
            String scannedTo = body.hasNonNull("scannedTo") ? body.get("scannedTo").asText() : null;
            return new InstanceAnswer(body.path("items"), stale, body.path("lagRecords").asLong(0), null, scannedTo);
        } catch (java.io.IOException e) {
            return InstanceAnswer.failed(server(host) + " answered no JSON (HTTP " + answer.status() + ")");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** The items as a JSON array, the nodes themselves (not copied: list items are never changed once built). */
    private ArrayNode arrayOf(List<ObjectNode> items) {
        ArrayNode array = json.createArrayNode();
        array.addAll(items);
        return array;
    }

    private void respond(Context ctx, JsonNode body, StoreRouter.Read<?> read) {
        if (body instanceof ObjectNode object && object.has("items")) {
            object.put("stale", read.stale());
            object.put("lagRecords", read.lagRecords());
            object.put("servedBy", server(router.self()));
        }
        ctx.header(QueryHeaders.STALE, String.valueOf(read.stale()));
        if (read.stale()) {
            ctx.header(QueryHeaders.LAG, String.valueOf(read.lagRecords()));
        }
        ctx.header(QueryHeaders.SERVED_BY, server(router.self()));
        ctx.contentType("application/json").result(body.toString());
    }

    private static boolean isForwarded(Context ctx) {
        return "true".equalsIgnoreCase(ctx.queryParam(RemoteInstances.LOCAL_PARAM));
    }

    private static JsonNode later(JsonNode a, JsonNode b) {
        if (a == null || a.isNull()) {
            return b;
        }
        if (b == null || b.isNull()) {
            return a;
        }
        Comparator<JsonNode> byStart = Comparator.comparing(n -> Instant.parse(n.path("windowStart").asText()));
        int cmp = byStart.thenComparingInt(n -> n.path("revision").asInt()).compare(a, b);
        return cmp >= 0 ? a : b;
    }

    static Granularity granularity(String param) {
        if (param == null || param.isBlank()) {
            return Granularity.HOUR;
        }
        try {
            return Granularity.valueOf(param.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("granularity must be hour, shift or day: " + param);
        }
    }

    static Instant instant(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be an ISO-8601 instant such as 2026-01-01T00:00:00Z: " + value);
        }
    }

    static String server(HostInfo host) {
        return host.host() + ":" + host.port();
    }
}
