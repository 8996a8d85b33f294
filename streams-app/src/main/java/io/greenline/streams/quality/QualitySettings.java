package io.greenline.streams.quality;

import io.greenline.events.Granularity;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Settings of the quality topology; every field has a default ({@link #defaults()}) and a config key
 * ({@link #fromConfig(Map)}: durations are ISO-8601, e.g. {@code PT5M}, {@code P7D}).
 *
 * @param grace                 how long after a window's end its events are still accepted ({@code quality.grace}, PT5M)
 * @param unitTtl               how long a unit is remembered after its last inspection, for first pass yield ({@code quality.unit-ttl}, P7D)
 * @param spcGranularity        the window size the p-chart judges ({@code quality.spc.granularity}, HOUR)
 * @param spcWindows            how many preceding windows make p-bar ({@code quality.spc.windows}, 24)
 * @param spcMinWindows         how many preceding windows are needed before anything is judged ({@code quality.spc.min-windows}, 20)
 * @param oeeAlertGranularities which final OEE windows are compared with the target ({@code quality.oee-alert.granularities}, HOUR,SHIFT,DAY)
 * @param idleAfter             wall-clock quiet time after which a line's clock is advanced by the wall-clock time passed ({@code quality.idle-after}, PT1M)
 * @param punctuateEvery        wall-clock period of idle advance and housekeeping ({@code quality.punctuate-every}, PT30S)
 * @param dedupRetention        how long an eventId is remembered for duplicate detection ({@code quality.dedup-retention}, P1D)
 * @param windowRetention       how long final windows stay queryable in the store ({@code quality.window-retention}, P35D)
 * @param alertRetention        how long raised alert ids are remembered ({@code quality.alert-retention}, P7D)
 * @param lineConfigHistory     how far back line-config versions are kept for lookups ({@code quality.line-config-history}, P365D)
 */
public record QualitySettings(Duration grace, Duration unitTtl, Granularity spcGranularity, int spcWindows,
                              int spcMinWindows, Set<Granularity> oeeAlertGranularities, Duration idleAfter,
                              Duration punctuateEvery, Duration dedupRetention, Duration windowRetention,
                              Duration alertRetention, Duration lineConfigHistory) {

    /** Every key {@link #fromConfig(Map)} reads. */
    public static final List<String> KEYS = List.of("quality.grace", "quality.unit-ttl", "quality.spc.granularity",
            "quality.spc.windows", "quality.spc.min-windows", "quality.oee-alert.granularities", "quality.idle-after",
            "quality.punctuate-every", "quality.dedup-retention", "quality.window-retention", "quality.alert-retention",
            "quality.line-config-history");

    public QualitySettings {
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(unitTtl, "unitTtl");
        Objects.requireNonNull(spcGranularity, "spcGranularity");
        oeeAlertGranularities = Set.copyOf(oeeAlertGranularities);
        new PChart(spcWindows, spcMinWindows); // validates the pair
        for (Duration d : new Duration[] {grace, unitTtl, idleAfter, punctuateEvery, dedupRetention, windowRetention,
                alertRetention, lineConfigHistory}) {
            if (Objects.requireNonNull(d).isNegative()) {
                throw new IllegalArgumentException("negative duration in quality settings: " + d);
            }
        }
        if (punctuateEvery.isZero()) {
            throw new IllegalArgumentException("quality.punctuate-every must be positive");
        }
    }

    public static QualitySettings defaults() {
        return new QualitySettings(Duration.ofMinutes(5), Duration.ofDays(7), Granularity.HOUR, 24, 20,
                EnumSet.allOf(Granularity.class), Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofDays(1),
                Duration.ofDays(35), Duration.ofDays(7), Duration.ofDays(365));
    }

    /** Defaults overridden by the {@code quality.*} keys present in {@code config}. */
    public static QualitySettings fromConfig(Map<String, ?> config) {
        QualitySettings d = defaults();
        return new QualitySettings(
                get(config, "quality.grace", Duration::parse, d.grace),
                get(config, "quality.unit-ttl", Duration::parse, d.unitTtl),
                get(config, "quality.spc.granularity", s -> Granularity.valueOf(s.toUpperCase()), d.spcGranularity),
                get(config, "quality.spc.windows", Integer::parseInt, d.spcWindows),
                get(config, "quality.spc.min-windows", Integer::parseInt, d.spcMinWindows),
                get(config, "quality.oee-alert.granularities", QualitySettings::granularities, d.oeeAlertGranularities),
                get(config, "quality.idle-after", Duration::parse, d.idleAfter),
                get(config, "quality.punctuate-every", Duration::parse, d.punctuateEvery),
                get(config, "quality.dedup-retention", Duration::parse, d.dedupRetention),
                get(config, "quality.window-retention", Duration::parse, d.windowRetention),
                get(config, "quality.alert-retention", Duration::parse, d.alertRetention),
                get(config, "quality.line-config-history", Duration::parse, d.lineConfigHistory));
    }

    public QualitySettings withGrace(Duration value) {
        return new QualitySettings(value, unitTtl, spcGranularity, spcWindows, spcMinWindows, oeeAlertGranularities,
                idleAfter, punctuateEvery, dedupRetention, windowRetention, alertRetention, lineConfigHistory);
    }

    public QualitySettings withUnitTtl(Duration value) {
        return new QualitySettings(grace, value, spcGranularity, spcWindows, spcMinWindows, oeeAlertGranularities,
                idleAfter, punctuateEvery, dedupRetention, windowRetention, alertRetention, lineConfigHistory);
    }

    public QualitySettings withSpc(Granularity granularity, int windows, int minWindows) {
        return new QualitySettings(grace, unitTtl, granularity, windows, minWindows, oeeAlertGranularities,
                idleAfter, punctuateEvery, dedupRetention, windowRetention, alertRetention, lineConfigHistory);
    }

    private static Set<Granularity> granularities(String csv) {
        Set<Granularity> set = EnumSet.noneOf(Granularity.class);
        for (String part : csv.split(",")) {
            if (!part.isBlank()) {
                set.add(Granularity.valueOf(part.trim().toUpperCase()));
            }
        }
        return set;
    }

    private static <T> T get(Map<String, ?> config, String key, Function<String, T> parse, T fallback) {
        Object raw = config.get(key);
        if (raw == null || raw.toString().isBlank()) {
            return fallback;
        }
        try {
            return parse.apply(raw.toString().trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": cannot read '" + raw + "': " + e.getMessage(), e);
        }
    }
}
