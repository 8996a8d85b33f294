package io.greenline.streams.carbon.pact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.events.BatchFootprint;
import io.greenline.events.FootprintStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Checks the rendering against the PACT Technical Specifications v3.0.0 (wbcsd/data-exchange-protocol,
 * spec/v3/openapi.yaml): required properties of ProductFootprint and CarbonFootprint, their JSON types, decimals as
 * strings matching the spec's Decimal patterns, and the sign rules.
 */
class PactRendererTest {

    /** ProductFootprint.required in PACT v3. */
    static final List<String> PRODUCT_FOOTPRINT_REQUIRED = List.of("id", "specVersion", "created", "status", "companyName",
            "companyIds", "productDescription", "productIds", "productNameCompany", "pcf");
    /** CarbonFootprint.required in PACT v3. */
    static final List<String> CARBON_FOOTPRINT_REQUIRED = List.of("declaredUnitOfMeasurement", "declaredUnitAmount",
            "productMassPerDeclaredUnit", "referencePeriodStart", "referencePeriodEnd", "pcfExcludingBiogenicUptake",
            "pcfIncludingBiogenicUptake", "fossilGhgEmissions", "fossilCarbonContent", "ipccCharacterizationFactors",
            "crossSectoralStandards", "exemptedEmissionsPercent");
    static final List<String> DECLARED_UNITS = List.of("liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule",
            "ton kilometer", "square meter", "piece", "hour", "megabit second");

    // Decimal patterns of the spec's components.schemas
    static final Pattern DECIMAL = Pattern.compile("^[+-]?\\d+(\\.\\d+)?$");
    static final Pattern POSITIVE_NON_ZERO = Pattern.compile("^[+]?(\\d*[1-9]\\d*)(\\.\\d+)?|(0+\\.\\d*[1-9]\\d*)$");
    static final Pattern POSITIVE_OR_ZERO = Pattern.compile("^[+]?\\d+(\\.\\d+)?$");
    static final Pattern NEGATIVE_OR_ZERO = Pattern.compile("^(-\\d+(\\.\\d+)?)|0+(\\.0+)?$");
    static final Pattern URN = Pattern.compile("^([uU][rR][nN]):");
    static final Map<String, Pattern> PCF_DECIMALS = Map.of(
            "declaredUnitAmount", POSITIVE_NON_ZERO,
            "productMassPerDeclaredUnit", DECIMAL,
            "pcfExcludingBiogenicUptake", DECIMAL,
            "pcfIncludingBiogenicUptake", DECIMAL,
            "fossilGhgEmissions", POSITIVE_OR_ZERO,
            "fossilCarbonContent", POSITIVE_OR_ZERO,
            "biogenicCarbonContent", POSITIVE_OR_ZERO,
            "biogenicCO2Uptake", NEGATIVE_OR_ZERO,
            "exemptedEmissionsPercent", DECIMAL,
            "primaryDataShare", DECIMAL);

    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private final PactRenderer renderer = new PactRenderer(PactSettings.from(Map.of(
            PactSettings.COMPANY_NAME, "Greenline Polymers GmbH",
            PactSettings.COMPANY_IDS, "urn:lei:5299000J2N45DDNE4Y28",
            PactSettings.GEOGRAPHY_COUNTRY, "DE")), new ObjectMapper(), Clock.fixed(NOW, ZoneOffset.UTC));

    static void assertValidPact(JsonNode pf) {
        PRODUCT_FOOTPRINT_REQUIRED.forEach(name -> assertThat(pf.has(name)).as("ProductFootprint.%s", name).isTrue());
        JsonNode pcf = pf.get("pcf");
        CARBON_FOOTPRINT_REQUIRED.forEach(name -> assertThat(pcf.has(name)).as("CarbonFootprint.%s", name).isTrue());
        assertThat(UUID.fromString(pf.get("id").asText()).toString()).isEqualTo(pf.get("id").asText());
        assertThat(pf.get("specVersion").asText()).isEqualTo("3.0.0");
        assertThat(Instant.parse(pf.get("created").asText())).isNotNull();
        assertThat(pf.get("status").asText()).isIn("Active", "Deprecated");
        assertThat(pf.get("companyName").asText()).isNotEmpty();
        for (String urns : List.of("companyIds", "productIds")) {
            assertThat(pf.get(urns).isArray()).isTrue();
            assertThat(pf.get(urns).size()).isPositive();
            pf.get(urns).forEach(u -> assertThat(URN.matcher(u.asText()).find()).as(u.asText()).isTrue());
        }
        assertThat(pf.get("productNameCompany").asText()).isNotEmpty();
        assertThat(pcf.get("declaredUnitOfMeasurement").asText()).isIn(DECLARED_UNITS);
        PCF_DECIMALS.forEach((name, pattern) -> {
            JsonNode v = pcf.get(name);
            assertThat(v.isTextual()).as("%s is a JSON string", name).isTrue();
            assertThat(pattern.matcher(v.asText()).matches()).as("%s = %s matches %s", name, v.asText(), pattern).isTrue();
        });
        assertThat(Instant.parse(pcf.get("referencePeriodStart").asText())).isBefore(Instant.parse(pcf.get("referencePeriodEnd").asText()));
        assertThat(new BigDecimal(pcf.get("pcfExcludingBiogenicUptake").asText())).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        assertThat(new BigDecimal(pcf.get("pcfIncludingBiogenicUptake").asText())).isEqualByComparingTo(
                new BigDecimal(pcf.get("pcfExcludingBiogenicUptake").asText()).add(new BigDecimal(pcf.get("biogenicCO2Uptake").asText())));
        assertThat(pcf.get("ipccCharacterizationFactors").isArray()).isTrue();
        pcf.get("ipccCharacterizationFactors").forEach(f -> assertThat(f.asText()).matches("^AR\\d+$"));
        assertThat(pcf.get("crossSectoralStandards").isArray()).isTrue();
        assertThat(pcf.get("crossSectoralStandards").size()).isPositive();
        assertThat(pcf.get("packagingEmissionsIncluded").isBoolean()).isTrue();
        if (pf.has("precedingPfIds")) {
            assertThat(pf.get("precedingPfIds").size()).isPositive();
            pf.get("precedingPfIds").forEach(id -> UUID.fromString(id.asText()));
        }
        long geographies = List.of("geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision").stream().filter(pcf::has).count();
        assertThat(geographies).isLessThanOrEqualTo(1);
    }

    @Test
    @DisplayName("The polyolefin footprint renders as a valid PACT v3 ProductFootprint, per kilogram, market basis")
    void polyolefinIsValidPact() {
        BatchFootprint f = io.greenline.streams.carbon.CarbonLedgerTest.polyolefinFootprint();
        f.setVersion(1);
        ObjectNode pf = renderer.render(f).orElseThrow();
        assertValidPact(pf);
        JsonNode pcf = pf.get("pcf");
        assertThat(pf.get("id").asText()).isEqualTo(PactRenderer.footprintId("PO-1", 1).toString());
        assertThat(pf.get("created").asText()).isEqualTo("2026-03-02T09:00:00Z");
        assertThat(pf.get("status").asText()).isEqualTo("Active");
        assertThat(pf.has("precedingPfIds")).isFalse();
        assertThat(pf.get("productIds").get(1).asText()).isEqualTo("urn:greenline:batch:PO-1");
        assertThat(pcf.get("declaredUnitOfMeasurement").asText()).isEqualTo("kilogram");
        assertThat(pcf.get("productMassPerDeclaredUnit").asText()).isEqualTo("1");
        // 1750 kg CO2e / 2000 kg = 0.875; uptake -0.68 x 44/12 = -2.493333(3); including = -1.618333(3)
        assertThat(pcf.get("pcfExcludingBiogenicUptake").asText()).isEqualTo("0.875");
        assertThat(pcf.get("fossilGhgEmissions").asText()).isEqualTo("0.875");
        assertThat(pcf.get("biogenicCarbonContent").asText()).isEqualTo("0.68");
        assertThat(pcf.get("biogenicCO2Uptake").asText()).isEqualTo("-2.493333");
        assertThat(pcf.get("pcfIncludingBiogenicUptake").asText()).isEqualTo("-1.618333");
        assertThat(pcf.get("primaryDataShare").asText()).isEqualTo("42.857143"); // 750 / 1750
        assertThat(pcf.get("referencePeriodStart").asText()).isEqualTo("2026-03-01T08:00:00Z");
        assertThat(pcf.get("referencePeriodEnd").asText()).isEqualTo("2026-03-01T12:00:00Z");
        assertThat(pcf.get("geographyCountry").asText()).isEqualTo("DE");
        assertThat(pf.get("companyIds").get(0).asText()).isEqualTo("urn:lei:5299000J2N45DDNE4Y28");
    }

    @Test
    @DisplayName("A brake-drum lot renders per piece with its mass per piece")
    void pieceDeclaredUnit() {
        BatchFootprint f = io.greenline.streams.carbon.CarbonLedgerTest.polyolefinFootprint();
        f.setBatchId("BD-1");
        f.setProductId("DRUM-70");
        f.setVersion(1);
        f.setDeclaredUnit("piece");
        f.setPieces(100L);
        f.setOutputGoodMassKg(7000.0);
        f.setProductMassPerDeclaredUnitKg(70.0);
        f.setTotalMarketKgCo2e(6500.0);
        f.setFossilGhgEmissionsKgCo2e(6500.0);
        f.setPcfExcludingBiogenicUptake(65.0);
        f.setPcfIncludingBiogenicUptake(65.0);
        f.setBiogenicCarbonKgPerKg(0.0);
        f.setBiogenicCo2UptakeKgCo2ePerKg(0.0);
        ObjectNode pf = renderer.render(f).orElseThrow();
        assertValidPact(pf);
        JsonNode pcf = pf.get("pcf");
        assertThat(pcf.get("declaredUnitOfMeasurement").asText()).isEqualTo("piece");
        assertThat(pcf.get("productMassPerDeclaredUnit").asText()).isEqualTo("70");
        assertThat(pcf.get("pcfExcludingBiogenicUptake").asText()).isEqualTo("65");
        assertThat(pcf.get("fossilGhgEmissions").asText()).isEqualTo("65"); // 6500 / 7000 x 70
        assertThat(pcf.get("biogenicCO2Uptake").asText()).isEqualTo("0");
    }

    @Test
    @DisplayName("Version 3 lists the ids of versions 1 and 2 as precedingPfIds; a cancelled batch is Deprecated")
    void precedingIdsAndDeprecated() {
        BatchFootprint f = io.greenline.streams.carbon.CarbonLedgerTest.polyolefinFootprint();
        f.setVersion(3);
        f.setReplacesVersion(2);
        ObjectNode pf = renderer.render(f).orElseThrow();
        assertValidPact(pf);
        assertThat(pf.get("precedingPfIds")).extracting(JsonNode::asText).containsExactly(
                PactRenderer.footprintId("PO-1", 1).toString(), PactRenderer.footprintId("PO-1", 2).toString());
        assertThat(pf.get("id").asText()).isEqualTo(PactRenderer.footprintId("PO-1", 3).toString()).isNotEqualTo(PactRenderer.footprintId("PO-1", 2).toString());

        f.setStatus(FootprintStatus.CANCELLED);
        assertThat(renderer.render(f).orElseThrow().get("status").asText()).isEqualTo("Deprecated");
    }

    @Test
    @DisplayName("A footprint with no good output has no PCF to declare and is not rendered")
    void noOutputNoPcf() {
        BatchFootprint f = io.greenline.streams.carbon.CarbonLedgerTest.polyolefinFootprint();
        f.setPcfExcludingBiogenicUptake(null);
        assertThat(renderer.render(f)).isEmpty();
    }

    @Test
    @DisplayName("PACT decimals are plain strings rounded to 6 places, never exponents or negative zero")
    void decimals() {
        assertThat(PactRenderer.decimal(1e-9)).isEqualTo("0");
        assertThat(PactRenderer.decimal(-0.0)).isEqualTo("0");
        assertThat(PactRenderer.decimal(1.5e7)).isEqualTo("15000000");
        assertThat(PactRenderer.decimal(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(PactRenderer.decimal(-2.4933333333)).isEqualTo("-2.493333");
    }
}
