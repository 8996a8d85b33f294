package io.greenline.streams.carbon;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the carbon ledger ({@code carbon.*} keys; environment {@code GREENLINE_CARBON_*}).
 *
 * @param idleEnergy            {@code carbon.idle-energy}: {@code next} (default) charges energy used while no batch
 *                              runs to the next batch on the line (or site, for a shared meter); {@code unallocated}
 *                              keeps it in the line's (site's) unallocated ledger
 * @param finalizationDelay     {@code carbon.finalization-delay} (ISO-8601 duration, default PT5M): event time after
 *                              COMPLETED until a PROVISIONAL footprint becomes FINAL
 * @param idleAdvanceInterval   {@code carbon.idle-advance-interval} (default PT30S): how often a wall-clock punctuation
 *                              moves a quiet site's (line's) event clock forward by the wall time that passed and
 *                              prunes old state
 * @param correctionWindow      {@code carbon.correction-window} (default P7D): how long after completion a batch's
 *                              ledger is kept so that late readings and factor corrections still publish a new
 *                              version; readings older than that are dead-lettered as LATE
 * @param factorHistory         {@code carbon.factor-history} (default P3650D): history retention of the versioned
 *                              emission-factor and line-config stores (the latest version is always kept)
 * @param fallbackFactorRegion  {@code carbon.fallback-factor-region} (default GLOBAL): region tried when the line's
 *                              gridRegion has no factor for a carrier and basis
 * @param lineEnergyGrace       {@code carbon.line-energy-grace} (default PT5M): event time after a line-energy window's
 *                              end until it is final and published on mfg.line-energy
 * @param factorRecheckInterval {@code carbon.factor-recheck-interval} (default PT5M): how often published footprints
 *                              still in the correction window are re-priced, to catch factor corrections
 * @param lineEnergyAlignIdle   {@code carbon.line-energy-align-idle} (default PT30S, PT0S turns it off): how long one of a
 *                              line's inputs (line meter readings, production counts) may deliver nothing before it no
 *                              longer holds the line's energy windows open; they are final against the line's aligned
 *                              frontier ({@link io.greenline.streams.windows.InputAlignment}) where the application
 *                              aligns its inputs
 * @param siteAlignIdle         {@code carbon.site-align-idle} (default PT5S, PT0S turns it off): where the application
 *                              aligns its inputs, the carbon site ledger's input is held until every upstream task that
 *                              feeds its partition has passed its event time ({@link CarbonSiteAlignment}); an upstream
 *                              task that sends nothing to the partition for this long of wall-clock time no longer
 *                              holds it. Records are held at most the correction window behind the newest
 *                              event time the task has received, then released anyway
 */
public record CarbonSettings(IdleEnergy idleEnergy, Duration finalizationDelay, Duration idleAdvanceInterval,
                             Duration correctionWindow, Duration factorHistory, String fallbackFactorRegion,
                             Duration lineEnergyGrace, Duration factorRecheckInterval, Duration lineEnergyAlignIdle,
                             Duration siteAlignIdle) {

    public static final String IDLE_ENERGY = "carbon.idle-energy";
    public static final String FINALIZATION_DELAY = "carbon.finalization-delay";
    public static final String IDLE_ADVANCE_INTERVAL = "carbon.idle-advance-interval";
    public static final String CORRECTION_WINDOW = "carbon.correction-window";
    public static final String FACTOR_HISTORY = "carbon.factor-history";
    public static final String FALLBACK_FACTOR_REGION = "carbon.fallback-factor-region";
    public static final String LINE_ENERGY_GRACE = "carbon.line-energy-grace";
    public static final String FACTOR_RECHECK_INTERVAL = "carbon.factor-recheck-interval";
    public static final String LINE_ENERGY_ALIGN_IDLE = "carbon.line-energy-align-idle";
    public static final String SITE_ALIGN_IDLE = "carbon.site-align-idle";

    /** Every key {@link #from(Map)} reads. */
    public static final List<String> KEYS = List.of(IDLE_ENERGY, FINALIZATION_DELAY, IDLE_ADVANCE_INTERVAL, CORRECTION_WINDOW,
            FACTOR_HISTORY, FALLBACK_FACTOR_REGION, LINE_ENERGY_GRACE, FACTOR_RECHECK_INTERVAL, LINE_ENERGY_ALIGN_IDLE,
            SITE_ALIGN_IDLE);

    /** Where energy used while no batch runs is charged. */
    public enum IdleEnergy {
        /** To the next batch that starts on the line (setup, heat-up belong to the batch they prepare). */
        NEXT,
        /** To the line's (or site's) unallocated ledger. */
        UNALLOCATED;

        public static IdleEnergy parse(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "next", "next-batch" -> NEXT;
                case "unallocated" -> UNALLOCATED;
                default -> throw new IllegalArgumentException(IDLE_ENERGY + " must be next or unallocated, not " + value);
            };
        }
    }

    public CarbonSettings {
        Objects.requireNonNull(idleEnergy, "idleEnergy");
        requirePositive(finalizationDelay, FINALIZATION_DELAY, true);
        requirePositive(idleAdvanceInterval, IDLE_ADVANCE_INTERVAL, false);
        requirePositive(correctionWindow, CORRECTION_WINDOW, false);
        requirePositive(factorHistory, FACTOR_HISTORY, false);
        if (correctionWindow.compareTo(finalizationDelay) < 0) {
            throw new IllegalArgumentException(CORRECTION_WINDOW + " must not be shorter than " + FINALIZATION_DELAY);
        }
        Objects.requireNonNull(fallbackFactorRegion, "fallbackFactorRegion");
        requirePositive(lineEnergyGrace, LINE_ENERGY_GRACE, true);
        requirePositive(factorRecheckInterval, FACTOR_RECHECK_INTERVAL, false);
        requirePositive(lineEnergyAlignIdle, LINE_ENERGY_ALIGN_IDLE, true);
        requirePositive(siteAlignIdle, SITE_ALIGN_IDLE, true);
    }

    public static CarbonSettings defaults() {
        return new CarbonSettings(IdleEnergy.NEXT, Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofDays(7),
                Duration.ofDays(3650), "GLOBAL", Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    /** Settings from {@code carbon.*} keys; a missing key keeps its default. */
    public static CarbonSettings from(Map<String, String> config) {
        CarbonSettings d = defaults();
        return new CarbonSettings(
                config.containsKey(IDLE_ENERGY) ? IdleEnergy.parse(config.get(IDLE_ENERGY)) : d.idleEnergy(),
                duration(config, FINALIZATION_DELAY, d.finalizationDelay()),
                duration(config, IDLE_ADVANCE_INTERVAL, d.idleAdvanceInterval()),
                duration(config, CORRECTION_WINDOW, d.correctionWindow()),
                duration(config, FACTOR_HISTORY, d.factorHistory()),
                config.getOrDefault(FALLBACK_FACTOR_REGION, d.fallbackFactorRegion()),
                duration(config, LINE_ENERGY_GRACE, d.lineEnergyGrace()),
                duration(config, FACTOR_RECHECK_INTERVAL, d.factorRecheckInterval()),
                duration(config, LINE_ENERGY_ALIGN_IDLE, d.lineEnergyAlignIdle()),
                duration(config, SITE_ALIGN_IDLE, d.siteAlignIdle()));
    }

    public CarbonSettings withIdleEnergy(IdleEnergy mode) {
        return new CarbonSettings(mode, finalizationDelay, idleAdvanceInterval, correctionWindow, factorHistory, fallbackFactorRegion,
                lineEnergyGrace, factorRecheckInterval, lineEnergyAlignIdle, siteAlignIdle);
    }

    private static Duration duration(Map<String, String> config, String key, Duration fallback) {
        String value = config.get(key);
        return value == null || value.isBlank() ? fallback : Duration.parse(value.trim());
    }

    private static void requirePositive(Duration d, String key, boolean zeroAllowed) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(key + " must be positive: " + d);
        }
    }
}
