package io.greenline.streams.carbon.pact;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who publishes the PACT footprints and how products are named ({@code pact.*} keys; environment
 * {@code GREENLINE_PACT_*}).
 *
 * @param companyName                  {@code pact.company-name} (default {@code Greenline operator})
 * @param companyIds                   {@code pact.company-ids}, comma-separated URNs (default {@code urn:greenline:company:unknown})
 * @param urnPrefix                    {@code pact.urn-prefix} (default {@code urn:greenline}): product ids are
 *                                     {@code <prefix>:product:<productId>} and {@code <prefix>:batch:<batchId>}
 * @param productClassifications       {@code pact.product-classifications}, comma-separated URNs (for example
 *                                     {@code urn:pact:productclassification:un-cpc:3470}); default none
 * @param geographyCountry             {@code pact.geography-country}, ISO 3166-1 alpha-2 (default none: no geography)
 * @param boundaryProcessesDescription {@code pact.boundary-processes-description}
 */
public record PactSettings(String companyName, List<String> companyIds, String urnPrefix, List<String> productClassifications,
                           String geographyCountry, String boundaryProcessesDescription) {

    public static final String COMPANY_NAME = "pact.company-name";
    public static final String COMPANY_IDS = "pact.company-ids";
    public static final String URN_PREFIX = "pact.urn-prefix";
    public static final String PRODUCT_CLASSIFICATIONS = "pact.product-classifications";
    public static final String GEOGRAPHY_COUNTRY = "pact.geography-country";
    public static final String BOUNDARY_PROCESSES_DESCRIPTION = "pact.boundary-processes-description";

    /** Every key this record is read from. */
    public static final List<String> KEYS = List.of(COMPANY_NAME, COMPANY_IDS, URN_PREFIX, PRODUCT_CLASSIFICATIONS,
            GEOGRAPHY_COUNTRY, BOUNDARY_PROCESSES_DESCRIPTION);

    static final String DEFAULT_BOUNDARY = "Cradle-to-gate per production batch: upstream materials (supplier cradle-to-gate "
            + "footprints per charge), on-site fuel combustion and direct process CO2, purchased electricity and steam "
            + "metered over the batch's running time (plus idle energy before it), scope 2 on the market basis.";

    public PactSettings {
        if (companyName == null || companyName.isBlank()) {
            throw new IllegalArgumentException(COMPANY_NAME + " must not be blank");
        }
        companyIds = List.copyOf(companyIds);
        if (companyIds.isEmpty() || companyIds.stream().anyMatch(id -> !id.toLowerCase().startsWith("urn:"))) {
            throw new IllegalArgumentException(COMPANY_IDS + " must be one or more URNs: " + companyIds);
        }
        if (!urnPrefix.toLowerCase().startsWith("urn:")) {
            throw new IllegalArgumentException(URN_PREFIX + " must start with urn: " + urnPrefix);
        }
        productClassifications = List.copyOf(productClassifications);
        if (geographyCountry != null && !geographyCountry.matches("^[A-Z]{2}$")) {
            throw new IllegalArgumentException(GEOGRAPHY_COUNTRY + " must be an ISO 3166-1 alpha-2 code: " + geographyCountry);
        }
        Objects.requireNonNull(boundaryProcessesDescription, BOUNDARY_PROCESSES_DESCRIPTION);
    }

    public static PactSettings defaults() {
        return new PactSettings("Greenline operator", List.of("urn:greenline:company:unknown"), "urn:greenline", List.of(), null,
                DEFAULT_BOUNDARY);
    }

    /** Settings from {@code pact.*} keys; a missing key keeps its default. */
    public static PactSettings from(Map<String, String> config) {
        PactSettings d = defaults();
        return new PactSettings(
                config.getOrDefault(COMPANY_NAME, d.companyName()),
                config.containsKey(COMPANY_IDS) ? list(config.get(COMPANY_IDS)) : d.companyIds(),
                config.getOrDefault(URN_PREFIX, d.urnPrefix()),
                config.containsKey(PRODUCT_CLASSIFICATIONS) ? list(config.get(PRODUCT_CLASSIFICATIONS)) : d.productClassifications(),
                config.getOrDefault(GEOGRAPHY_COUNTRY, d.geographyCountry()),
                config.getOrDefault(BOUNDARY_PROCESSES_DESCRIPTION, d.boundaryProcessesDescription()));
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
