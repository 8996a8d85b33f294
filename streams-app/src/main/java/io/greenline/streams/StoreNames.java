package io.greenline.streams;

/**
 * Every state store of the application: the names the topologies materialize and the query service
 * reads. Window stores are key-value stores keyed by {@link io.greenline.schemas.WindowKey} strings,
 * partitioned like their input topics (by lineId), so {@code queryMetadataForKey(store, lineId)} finds
 * their owner; footprints are keyed and partitioned by batchId.
 */
public final class StoreNames {

    // OEE (OeeTopology)
    /** {@code KeyValueStore<String WindowKey, OeeWindow>}: live and final OEE windows of every granularity. */
    public static final String OEE_WINDOWS = "oee-windows";
    /** {@code KeyValueStore<String, OeeLedgerEntry>} (versioned state encoding): per line its ledger (clock, running totals of open windows) under {@code L/lineId}, and its recent state changes under {@code T/lineId/time/seq}. */
    public static final String OEE_LINE_LEDGER = "oee-line-ledger";
    /** {@code WindowStore<String lineId/type/eventId, Long>}: event ids seen recently, to ignore duplicates. */
    public static final String OEE_DEDUP = "oee-dedup";

    // Quality (QualityTopology)
    /** {@code KeyValueStore<String WindowKey, QualityWindow>}: line (productId null) and line+product windows. */
    public static final String QUALITY_WINDOWS = "quality-windows";
    /** {@code KeyValueStore<String lineId, LineClock>} (JSON): each line's event-time clock for the quality windows. */
    public static final String QUALITY_LINE_CLOCKS = "quality-line-clocks";
    /** {@code KeyValueStore<String lineId/unitId, QualityUnitMemory>}: first inspections of units, for first pass yield (TTL). */
    public static final String QUALITY_UNITS = "quality-units";
    /**
     * {@code KeyValueStore<String lineId/lastInspectedMs(13 digits)/unitId, String "">}: the unit memory in the order it
     * expires, so the TTL sweep visits only the units it forgets.
     */
    public static final String QUALITY_UNIT_EXPIRY = "quality-unit-expiry";
    /** {@code WindowStore<String lineId/eventId, Long>}: inspection eventIds already counted (duplicate detection). */
    public static final String QUALITY_SEEN_EVENTS = "quality-seen-events";
    /** {@code WindowStore<String alertId, Long>}: OEE_BELOW_TARGET alerts already raised, so each is raised once. */
    public static final String QUALITY_OEE_ALERTS_RAISED = "quality-oee-alerts-raised";

    // Carbon (CarbonLedgerTopology)
    /** {@code KeyValueStore<String batchId, BatchFootprint>}: latest footprint version of each batch. */
    public static final String BATCH_FOOTPRINTS = "batch-footprints";
    /** {@code KeyValueStore<String WindowKey, LineEnergyWindow>}: energy per line and window. */
    public static final String LINE_ENERGY_WINDOWS = "line-energy-windows";
    /** Global {@code VersionedKeyValueStore<String carrier/region/basis, EmissionFactor>}, versioned by validFrom. */
    public static final String EMISSION_FACTOR_VERSIONS = "emission-factor-versions";
    /**
     * Global {@code VersionedKeyValueStore<String lineId, LineConfig>}, versioned by validFrom: the application's one
     * reader of mfg.line-config (added by CarbonLedgerTopology); any processor may look a line's config up in it.
     */
    public static final String LINE_CONFIG_VERSIONS = "line-config-versions";
    /** {@code KeyValueStore<String batchId, CarbonBatchState>}: what mfg.batch said about each batch (partitioned by siteId). */
    public static final String CARBON_BATCHES = "carbon-batches";
    /** {@code KeyValueStore<String owner|spanEnd|batchId, CarbonBatchSpan>}: batches by line and by site, in span-end order (by siteId). */
    public static final String CARBON_BATCH_SPANS = "carbon-batch-spans";
    /** {@code KeyValueStore<String line:lineId|site:siteId, CarbonOwnerState>}: running batches; a line's site and latest grid region (by siteId). */
    public static final String CARBON_OWNERS = "carbon-owners";
    /** {@code KeyValueStore<String batchId|carrier|unit|region|pricing, CarbonEnergyTotal>}: running energy totals per batch (by siteId). */
    public static final String CARBON_BATCH_ENERGY = "carbon-batch-energy";
    /** {@code KeyValueStore<String eventId, CarbonReading>}: energy readings and where their parts are, for the correction window (by siteId). */
    public static final String CARBON_READINGS = "carbon-readings";
    /** {@code KeyValueStore<String kind|dueMs|ref, CarbonDue>}: finalization, expiry and stale pending energy in event-time order (by siteId). */
    public static final String CARBON_DUE = "carbon-due";
    /** {@code KeyValueStore<String batchId|periodEnd|eventId|n, EnergyAllocation>}: energy charged to each batch (by siteId). */
    public static final String CARBON_ALLOCATIONS = "carbon-allocations";
    /** {@code KeyValueStore<String owner|eventId|n, EnergyAllocation>}: idle energy waiting for the next batch (by siteId). */
    public static final String CARBON_PENDING = "carbon-pending-energy";
    /** {@code KeyValueStore<String line:lineId|site:siteId, BatchFootprint>}: unallocated-energy ledgers (by siteId). */
    public static final String CARBON_UNALLOCATED = "carbon-unallocated";
    /** {@code WindowStore<String batch|eventId or energy|eventId, Long>}: event ids already applied, expired after the correction window (by siteId). */
    public static final String CARBON_SEEN_EVENTS = "carbon-seen-events";
    /** {@code KeyValueStore<String, CarbonLedgerClock>}: the event-time clock of each carbon ledger task. */
    public static final String CARBON_CLOCK = "carbon-clock";
    /** {@code KeyValueStore<String paddedEventTime|paddedOffset, CarbonHeldInput>}: ledger input held by the site alignment (whole application only). */
    public static final String CARBON_SITE_HELD = "carbon-site-held";
    /** {@code KeyValueStore<String lineId, LineClock>} (JSON): event-time clock of each line's energy windows. */
    public static final String CARBON_LINE_CLOCKS = "carbon-line-clocks";
    /** {@code WindowStore<String lineId/type/eventId, Long>}: readings and counts already in the energy windows. */
    public static final String CARBON_LINE_ENERGY_DEDUP = "carbon-line-energy-dedup";

    // Reference gate (ReferenceGate, in front of the topologies of the whole application)
    /** {@code KeyValueStore<String lineId, ParkedLine>}: lines with events held back, waiting for their line config. */
    public static final String REFERENCE_PARKED_LINES = "reference-parked-lines";
    /** {@code KeyValueStore<String lineId/sequence, ParkedEvent>}: the held events, in arrival order per line. */
    public static final String REFERENCE_PARKED_EVENTS = "reference-parked-events";
    // Latest-per-line views of the window outputs (LineLatestView), read by GET /api/v1/lines
    /** {@code KeyValueStore<String lineId, OeeWindow>} (persistent, logged): each line's latest final hourly OEE window. */
    public static final String LINE_LATEST_OEE = "line-latest-oee";
    /** {@code KeyValueStore<String lineId, QualityWindow>} (persistent, logged): each line's latest final hourly quality window. */
    public static final String LINE_LATEST_QUALITY = "line-latest-quality";
    /** {@code KeyValueStore<String lineId, LineEnergyWindow>} (persistent, logged): each line's latest hourly energy window on mfg.line-energy. */
    public static final String LINE_LATEST_ENERGY = "line-latest-energy";
    // Area and site roll-ups (RollupTopology), partitioned by roll-up id (area:<id> or site:<id>)
    /** {@code KeyValueStore<String area:<id>|site:<id>/GRANULARITY/start, OeeRollupWindow>}: published roll-up windows. */
    public static final String OEE_ROLLUP_WINDOWS = "oee-rollup-windows";
    /** {@code KeyValueStore<String area:<id>|site:<id>/GRANULARITY/start, QualityRollupWindow>}: published roll-up windows. */
    public static final String QUALITY_ROLLUP_WINDOWS = "quality-rollup-windows";
    /** {@code KeyValueStore<String area:<id>|site:<id>/GRANULARITY/start, EnergyRollupWindow>}: published roll-up windows. */
    public static final String ENERGY_ROLLUP_WINDOWS = "energy-rollup-windows";
    /** {@code KeyValueStore<String area:<id>|site:<id>, OeeRollupWindow>} (LineLatestView): each roll-up's latest HOUR window, read by GET /api/v1/areas and /sites. */
    public static final String ROLLUP_LATEST_OEE = "rollup-latest-oee";
    /** {@code KeyValueStore<String area:<id>|site:<id>, QualityRollupWindow>} (LineLatestView): each roll-up's latest HOUR window. */
    public static final String ROLLUP_LATEST_QUALITY = "rollup-latest-quality";
    /** {@code KeyValueStore<String area:<id>|site:<id>, EnergyRollupWindow>} (LineLatestView): each roll-up's latest HOUR window. */
    public static final String ROLLUP_LATEST_ENERGY = "rollup-latest-energy";
    /** {@code KeyValueStore<String kind|rollupId, RollupMembers>}: lines known to a roll-up and its clock. */
    public static final String ROLLUP_MEMBERS = "rollup-members";
    /** {@code KeyValueStore<String kind|rollupId|GRANULARITY|startMs, RollupAccumulator>}: running sums per roll-up window. */
    public static final String ROLLUP_ACCUMULATORS = "rollup-accumulators";
    /** {@code KeyValueStore<String kind|rollupId|endMs|GRANULARITY|startMs, String>}: roll-up windows not yet final, by end. */
    public static final String ROLLUP_OPEN = "rollup-open";
    /** {@code KeyValueStore<String kind|rollupId|hourStartMs|lineId, RollupContribution>}: line hours already summed. */
    public static final String ROLLUP_CONTRIBUTIONS = "rollup-contributions";

    private StoreNames() {
    }
}
