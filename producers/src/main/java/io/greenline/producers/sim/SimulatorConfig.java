package io.greenline.producers.sim;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.greenline.events.DayOfWeek;
import io.greenline.events.EmissionBasis;
import io.greenline.events.EmissionScope;
import io.greenline.events.EnergyCarrier;
import io.greenline.events.EnergyUnit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Every rate, probability and size the factory simulators use, read from YAML.
 *
 * <p>The defaults live in the {@code simulator.yaml} resource, which documents each key; a user edits a
 * copy and passes it with {@code --config FILE}. Unknown keys are rejected so a typo does not silently
 * fall back to a default. Durations carry their unit in the key name ({@code mtbfHours},
 * {@code durationSeconds}).
 */
public record SimulatorConfig(
        long seed,
        int meterPeriodMinutes,
        List<BrakeDrumLine> brakeDrumLines,
        List<PolyolefinPlant> polyolefinPlants,
        List<SiteMeter> siteMeters,
        List<Factor> emissionFactors) {

    public static final String DEFAULT_RESOURCE = "/simulator.yaml";

    public SimulatorConfig {
        brakeDrumLines = brakeDrumLines == null ? List.of() : List.copyOf(brakeDrumLines);
        polyolefinPlants = polyolefinPlants == null ? List.of() : List.copyOf(polyolefinPlants);
        siteMeters = siteMeters == null ? List.of() : List.copyOf(siteMeters);
        emissionFactors = emissionFactors == null ? List.of() : List.copyOf(emissionFactors);
        if (meterPeriodMinutes <= 0) {
            throw new IllegalArgumentException("meterPeriodMinutes must be positive");
        }
    }

    /** The built-in configuration (the {@code simulator.yaml} resource). */
    public static SimulatorConfig defaults() {
        try (InputStream in = SimulatorConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            }
            return mapper().readValue(in, SimulatorConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A configuration file written by a user. */
    public static SimulatorConfig load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return mapper().readValue(in, SimulatorConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read simulator config " + file + ": " + e.getMessage(), e);
        }
    }

    /** The same configuration with another seed. */
    public SimulatorConfig withSeed(long newSeed) {
        return new SimulatorConfig(newSeed, meterPeriodMinutes, brakeDrumLines, polyolefinPlants, siteMeters, emissionFactors);
    }

    /**
     * The whole factory {@code copies} times over, for load tests: copy k's line, site and meter ids get
     * the suffix {@code -k} (so each copy keeps its own site meters), and the emission factors are shared.
     */
    public SimulatorConfig replicated(int copies) {
        if (copies < 1) {
            throw new IllegalArgumentException("copies must be >= 1");
        }
        List<String> suffixes = new java.util.ArrayList<>();
        for (int copy = 1; copy <= copies; copy++) {
            suffixes.add("-" + copy);
        }
        return replicated(suffixes);
    }

    /**
     * The whole factory once per suffix, in order: each copy's line, site and meter ids get its suffix; the
     * emission factors are shared.
     */
    public SimulatorConfig replicated(List<String> suffixes) {
        if (suffixes.isEmpty() || new java.util.HashSet<>(suffixes).size() != suffixes.size()) {
            throw new IllegalArgumentException("suffixes must be distinct and at least one: " + suffixes);
        }
        ObjectMapper mapper = mapper();
        List<BrakeDrumLine> drumLines = new java.util.ArrayList<>();
        List<PolyolefinPlant> plants = new java.util.ArrayList<>();
        List<SiteMeter> meters = new java.util.ArrayList<>();
        for (String suffix : suffixes) {
            com.fasterxml.jackson.databind.JsonNode tree = mapper.valueToTree(this);
            suffixIds(tree, suffix);
            SimulatorConfig renamed = mapper.convertValue(tree, SimulatorConfig.class);
            drumLines.addAll(renamed.brakeDrumLines());
            plants.addAll(renamed.polyolefinPlants());
            meters.addAll(renamed.siteMeters());
        }
        return new SimulatorConfig(seed, meterPeriodMinutes, drumLines, plants, meters, emissionFactors);
    }

    /**
     * Copy suffixes ({@code -k}, k counting up from 1, skipping those that do not fit) for {@code copies} copies
     * spread evenly over {@code partitions} partitions: every line and site id of copy i (the input topics' keys)
     * lands in partition {@code i mod partitions} by {@code partitionOfKey}. With 20 lines on 4 partitions, the plain
     * suffixes 1..10 put 5 of the 10 drum lines on one partition and 1 on another, so a benchmark's tasks finish
     * minutes apart and its last part runs on one thread; a plant of hundreds of lines spreads evenly by hashing.
     */
    public List<String> evenSuffixes(int copies, int partitions, java.util.function.ToIntFunction<String> partitionOfKey) {
        if (copies < 1 || partitions < 1) {
            throw new IllegalArgumentException("copies and partitions must be >= 1");
        }
        java.util.Set<String> keys = new java.util.TreeSet<>();
        brakeDrumLines.forEach(l -> keys.addAll(List.of(l.line().lineId(), l.line().siteId())));
        polyolefinPlants.forEach(p -> keys.addAll(List.of(p.line().lineId(), p.line().siteId())));
        siteMeters.forEach(m -> keys.add(m.siteId()));
        List<String> suffixes = new java.util.ArrayList<>();
        for (int copy = 0; copy < copies; copy++) {
            int target = copy % partitions;
            String suffix = null;
            for (long k = 1; suffix == null; k++) {
                if (k > 1_000_000L * partitions) {
                    throw new IllegalStateException("no suffix puts every id of " + keys + " in partition " + target);
                }
                String candidate = "-" + k;
                if (!suffixes.contains(candidate) && allIn(keys, candidate, target, partitionOfKey)) {
                    suffix = candidate;
                }
            }
            suffixes.add(suffix);
        }
        return suffixes;
    }

    private static boolean allIn(java.util.Set<String> keys, String suffix, int partition, java.util.function.ToIntFunction<String> partitionOfKey) {
        for (String key : keys) {
            if (partitionOfKey.applyAsInt(key + suffix) != partition) {
                return false;
            }
        }
        return true;
    }

    private static void suffixIds(com.fasterxml.jackson.databind.JsonNode node, String suffix) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            for (String idField : List.of("lineId", "siteId", "meterId")) {
                if (object.hasNonNull(idField)) {
                    object.put(idField, object.get(idField).asText() + suffix);
                }
            }
        }
        node.forEach(child -> suffixIds(child, suffix));
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** A uniform range {@code [min, max]}. */
    public record Range(double min, double max) {
        public Range {
            if (max < min) {
                throw new IllegalArgumentException("range max " + max + " < min " + min);
            }
        }
    }

    /** The line's identity and reference data (published as a {@code LineConfig}). */
    public record LineIdentity(
            String lineId, String siteId, String areaId, String name, String timezone, String gridRegion,
            Double oeeTarget, long microStopThresholdSeconds, List<ShiftDef> shifts) {
        public LineIdentity {
            shifts = shifts == null ? List.of() : List.copyOf(shifts);
        }
    }

    /** One shift of a calendar, in the line's timezone; {@code end <= start} crosses midnight. */
    public record ShiftDef(String name, String start, String end, List<DayOfWeek> days) {
    }

    /** A planned stop (maintenance) that repeats on the given days at a local time. */
    public record PlannedStop(List<DayOfWeek> days, String start, double durationMinutes, String reasonCode) {
    }

    /** Unplanned stops: faults of one workcell, exponential time between failures and to repair. */
    public record Workcell(String workcellId, double cycleSeconds, double mtbfHours, double mttrMinutes,
                           List<String> faultReasons) {
    }

    /** Short stops (jams, misfeeds): exponential time between them, uniform duration. */
    public record MinorStops(double meanIntervalMinutes, Range durationSeconds, List<String> reasons) {
    }

    /** Power drawn in each machine state, metered per period with a small multiplicative noise. */
    public record PowerModel(String meterId, EnergyCarrier carrier, EnergyUnit unit,
                             Map<String, Double> perHourByState, double noise) {
        /** Consumption per hour in a state (a {@link io.greenline.events.MachineState} name). */
        public double perHour(String state) {
            Double value = perHourByState.get(state);
            if (value == null) {
                throw new IllegalArgumentException("meter " + meterId + " has no rate for state " + state);
            }
            return value;
        }
    }

    /** A material used per piece (discrete line) or per tonne of feed (process plant). */
    public record Material(String materialId, double share, double footprintKgCo2ePerKg, double biogenicCarbonKgPerKg) {
    }

    /** A drum type made on the line. */
    public record DrumProduct(String productId, double massKg, double idealCycleSeconds, List<Material> materials) {
    }

    /** Inspection outcomes of a drum, and the defect codes that go with them (weights, not probabilities). */
    public record DrumQuality(double scrapProbability, double reworkProbability, double reworkPassProbability,
                              Range reworkDelayMinutes, double secondDefectProbability,
                              Map<String, Double> scrapDefects, Map<String, Double> reworkDefects) {
    }

    /** The automated brake-drum line. */
    public record BrakeDrumLine(
            LineIdentity line, String outputWorkcellId, String inspectionStationId, List<DrumProduct> products,
            Range speedLossFactor, Range workOrderPieces, Range setupMinutes, List<Workcell> workcells,
            MinorStops minorStops, List<PlannedStop> plannedStops, DrumQuality quality,
            int countPeriodMinutes, List<PowerModel> meters) {
        public BrakeDrumLine {
            plannedStops = plannedStops == null ? List.of() : List.copyOf(plannedStops);
        }
    }

    /** A polyolefin grade made in the plant, with its ideal rate (tonnes per hour). */
    public record Grade(String productId, double idealTonnesPerHour) {
    }

    /** The bio-based polyolefin plant. */
    public record PolyolefinPlant(
            LineIdentity line, String workcellId, List<Grade> grades, double lotSizeTonnes, Range batchTonnes,
            Range rateFactor, Range chargeMinutes, Range gradeChangeMinutes, Range feedYield, List<Material> feed,
            Range feedShareJitter, double processCo2KgPerTonneFeed, Range offSpecFraction,
            double productCarbonKgPerKg, double biogenicMeasurementNoise, List<Workcell> workcells,
            MinorStops minorStops, List<PlannedStop> plannedStops, int countPeriodMinutes,
            List<PowerModel> meters) {
        public PolyolefinPlant {
            plannedStops = plannedStops == null ? List.of() : List.copyOf(plannedStops);
        }
    }

    /** A meter shared by a site (lineId null, keyed by siteId): a constant draw with noise. */
    public record SiteMeter(String siteId, String meterId, EnergyCarrier carrier, EnergyUnit unit,
                            double perHour, double noise) {
    }

    /**
     * An emission factor; {@code validFromHours} is relative to the simulation start, so a positive value
     * is a mid-run update that is published when the simulated clock reaches it.
     */
    public record Factor(EnergyCarrier carrier, String region, EmissionBasis basis, EmissionScope scope,
                         double kgCo2ePerUnit, EnergyUnit unit, double validFromHours, String source) {
    }
}
