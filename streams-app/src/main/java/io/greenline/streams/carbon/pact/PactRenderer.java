package io.greenline.streams.carbon.pact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.events.BatchFootprint;
import io.greenline.events.FootprintStatus;
import io.greenline.streams.carbon.CarbonLedger;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Renders a batch footprint as a PACT v3 ProductFootprint (Technical Specifications for PCF Data Exchange 3.0.0):
 * the JSON the query service serves at {@code /pact/3/footprints}.
 *
 * <p>Mapping: emissions on the MARKET basis, per declared unit ({@code kilogram}, or {@code piece} with
 * {@code productMassPerDeclaredUnit} = good output / pieces); decimals are JSON strings rounded to 6 decimal places;
 * {@code biogenicCO2Uptake} is negative or zero, {@code pcfIncludingBiogenicUptake} = excluding + uptake. The id is a
 * name-based UUID of batchId and version, so every version has a stable id and a new version lists the ids of all
 * earlier ones in {@code precedingPfIds}. A CANCELLED batch renders as {@code Deprecated}. Greenline meters no
 * product fossil carbon content: {@code fossilCarbonContent} (mandatory) is "0" and the comment says so.
 */
public final class PactRenderer {

    public static final String SPEC_VERSION = "3.0.0";
    private static final int SCALE = 6;

    private final PactSettings settings;
    private final ObjectMapper mapper;
    private final Clock clock;

    public PactRenderer(PactSettings settings, ObjectMapper mapper, Clock clock) {
        this.settings = settings;
        this.mapper = mapper;
        this.clock = clock;
    }

    public PactRenderer(PactSettings settings) {
        this(settings, new ObjectMapper(), Clock.systemUTC());
    }

    /** The ProductFootprint id of a batch's footprint version: a name-based UUID, the same on every instance. */
    public static UUID footprintId(String batchId, int version) {
        return UUID.nameUUIDFromBytes(("greenline:batch-footprint:" + batchId + "@" + version).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The ProductFootprint of {@code f}, or empty when it has no PCF to declare (no good output mass, or pieces
     * without a mass per piece), such as the unallocated-energy ledger.
     */
    public Optional<ObjectNode> render(BatchFootprint f) {
        if (f.getUnallocatedLedger() || f.getPcfExcludingBiogenicUptake() == null || f.getPcfIncludingBiogenicUptake() == null
                || f.getProductMassPerDeclaredUnitKg() == null || f.getStartedAt() == null) {
            return Optional.empty();
        }
        double massPerUnit = f.getProductMassPerDeclaredUnitKg();
        Instant end = f.getCompletedAt() != null ? f.getCompletedAt() : f.getCancelledAt();
        if (end == null) {
            return Optional.empty();
        }
        ObjectNode pf = mapper.createObjectNode();
        pf.put("id", footprintId(f.getBatchId(), f.getVersion()).toString());
        pf.put("specVersion", SPEC_VERSION);
        if (f.getVersion() > 1) {
            ArrayNode preceding = pf.putArray("precedingPfIds");
            for (int v = 1; v < f.getVersion(); v++) {
                preceding.add(footprintId(f.getBatchId(), v).toString());
            }
        }
        pf.put("created", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        pf.put("status", f.getStatus() == FootprintStatus.CANCELLED ? "Deprecated" : "Active");
        pf.put("companyName", settings.companyName());
        strings(pf.putArray("companyIds"), settings.companyIds());
        pf.put("productDescription", f.getProductId() + ", production batch " + f.getBatchId() + " of line " + f.getLineId()
                + (f.getSiteId() == null ? "" : " at site " + f.getSiteId()));
        strings(pf.putArray("productIds"), List.of(
                settings.urnPrefix() + ":product:" + f.getProductId(),
                settings.urnPrefix() + ":batch:" + f.getBatchId()));
        if (!settings.productClassifications().isEmpty()) {
            strings(pf.putArray("productClassifications"), settings.productClassifications());
        }
        pf.put("productNameCompany", f.getProductId());
        pf.put("comment", comment(f));

        ObjectNode pcf = pf.putObject("pcf");
        pcf.put("declaredUnitOfMeasurement", f.getDeclaredUnit());
        pcf.put("declaredUnitAmount", "1");
        pcf.put("productMassPerDeclaredUnit", decimal(massPerUnit));
        pcf.put("referencePeriodStart", f.getStartedAt().toString());
        pcf.put("referencePeriodEnd", end.toString());
        if (settings.geographyCountry() != null) {
            pcf.put("geographyCountry", settings.geographyCountry());
        }
        pcf.put("boundaryProcessesDescription", settings.boundaryProcessesDescription());
        pcf.put("pcfExcludingBiogenicUptake", decimal(f.getPcfExcludingBiogenicUptake()));
        pcf.put("pcfIncludingBiogenicUptake", decimal(f.getPcfIncludingBiogenicUptake()));
        pcf.put("fossilCarbonContent", "0");
        pcf.put("biogenicCarbonContent", decimal(f.getBiogenicCarbonKgPerKg() * massPerUnit));
        double goodMass = f.getOutputGoodMassKg() == null ? 0 : f.getOutputGoodMassKg();
        double fossilPerUnit = goodMass > 0 ? f.getFossilGhgEmissionsKgCo2e() / goodMass * massPerUnit : 0;
        pcf.put("fossilGhgEmissions", decimal(fossilPerUnit));
        pcf.put("biogenicCO2Uptake", decimal(Math.min(0.0, -f.getBiogenicCarbonKgPerKg() * CarbonLedger.CO2_PER_C * massPerUnit)));
        pcf.put("packagingEmissionsIncluded", false);
        strings(pcf.putArray("ipccCharacterizationFactors"), List.of("AR6"));
        strings(pcf.putArray("crossSectoralStandards"), List.of("ISO14067", "GHGP-Product", "PACT-3.0"));
        pcf.put("exemptedEmissionsPercent", "0");
        pcf.put("allocationRulesDescription", "All emissions of a batch are borne by its good output (by mass, or per piece); "
                + "shared site meters are split equally among the batches running at the site.");
        pcf.put("primaryDataShare", decimal(f.getPrimaryDataShare()));
        return Optional.of(pf);
    }

    private String comment(BatchFootprint f) {
        StringBuilder c = new StringBuilder("Greenline batch footprint ").append(f.getBatchId()).append(" version ")
                .append(f.getVersion()).append(" (").append(f.getStatus()).append("). Scope 2 on the market basis. ")
                .append("fossilCarbonContent is not metered and reported as 0.");
        if (!f.getGaps().isEmpty()) {
            c.append(' ').append(f.getGaps().size()).append(" energy reading part(s) had no valid emission factor and are "
                    + "not included (see primaryDataShare).");
        }
        f.getNotes().forEach(n -> c.append(' ').append(n).append('.'));
        return c.toString();
    }

    /** A PACT decimal: a JSON string, plain notation, at most 6 decimal places, no negative zero. */
    public static String decimal(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite decimal: " + value);
        }
        BigDecimal d = BigDecimal.valueOf(value).setScale(SCALE, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (d.signum() == 0) {
            return "0";
        }
        return d.toPlainString();
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
