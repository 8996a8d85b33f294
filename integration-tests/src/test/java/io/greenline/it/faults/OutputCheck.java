package io.greenline.it.faults;

import io.greenline.events.BatchFootprint;
import io.greenline.events.FootprintStatus;
import io.greenline.events.OeeWindow;
import io.greenline.events.QualityWindow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * Compares what the application published (every record of {@code mfg.oee}, {@code mfg.quality} and
 * {@code mfg.batch-footprint}, read_committed, in offset order) with the {@link Oracle}:
 * <ul>
 *   <li>lost: an expected final window or footprint with no record;</li>
 *   <li>duplicated: more than one record for one window, or for one footprint (batch, version, status);</li>
 *   <li>mismatched: a window whose record differs from the expected one, or a footprint whose last record does
 *       (content; and FINAL or CANCELLED when the oracle says the status must be final by now), or a final record
 *       the oracle does not expect at all.</li>
 * </ul>
 * Revision, version and replacesVersion are bookkeeping of the publication, not results, and are not compared.
 */
final class OutputCheck {

    /** One published record: its key and value. */
    record Published<V>(String key, V value) {
    }

    private static final Set<String> WINDOW_BOOKKEEPING = Set.of("revision");
    private static final Set<String> FOOTPRINT_BOOKKEEPING = Set.of("version", "replacesVersion", "status");

    int expected;
    int published;
    int lost;
    int duplicated;
    int mismatched;
    final List<String> samples = new ArrayList<>();

    static OutputCheck of(Oracle oracle, List<Published<OeeWindow>> oee, List<Published<QualityWindow>> quality,
            List<Published<BatchFootprint>> footprints) {
        OutputCheck c = new OutputCheck();
        c.windows("mfg.oee", oracle.oee(), oee);
        c.windows("mfg.quality", oracle.quality(), quality);
        c.footprints(oracle, footprints);
        return c;
    }

    boolean clean() {
        return lost == 0 && duplicated == 0 && mismatched == 0;
    }

    private <V extends SpecificRecord> void windows(String topic, Map<String, V> expected, List<Published<V>> actual) {
        this.expected += expected.size();
        this.published += actual.size();
        Map<String, List<V>> byKey = new LinkedHashMap<>();
        actual.forEach(p -> byKey.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.value()));
        expected.forEach((key, want) -> {
            List<V> got = byKey.get(key);
            if (got == null) {
                lost++;
                sample(topic + " lost " + key);
                return;
            }
            if (got.size() > 1) {
                duplicated++;
                sample(topic + " " + got.size() + " records for " + key);
            }
            List<String> diff = RecordDiff.of(want, got.get(got.size() - 1), WINDOW_BOOKKEEPING);
            if (!diff.isEmpty()) {
                mismatched++;
                sample(topic + " " + key + " " + diff);
            }
        });
        byKey.forEach((key, got) -> {
            if (!expected.containsKey(key)) {
                mismatched++;
                sample(topic + " unexpected final record " + key + " " + got.get(0));
            }
        });
    }

    private void footprints(Oracle oracle, List<Published<BatchFootprint>> actual) {
        this.expected += oracle.footprints().size();
        this.published += actual.size();
        Map<String, BatchFootprint> last = new HashMap<>();
        Map<String, Integer> versions = new HashMap<>();
        for (Published<BatchFootprint> p : actual) {
            last.put(p.key(), p.value());
            String version = p.key() + "@" + p.value().getVersion() + "/" + p.value().getStatus();
            if (versions.merge(version, 1, Integer::sum) == 2) {
                duplicated++;
                sample("mfg.batch-footprint duplicate " + version);
            }
        }
        oracle.footprints().forEach((batchId, want) -> {
            BatchFootprint got = last.get(batchId);
            if (got == null) {
                lost++;
                sample("mfg.batch-footprint lost " + batchId);
                return;
            }
            List<String> diff = new ArrayList<>(RecordDiff.of(want, got, FOOTPRINT_BOOKKEEPING));
            boolean cancelled = want.getStatus() == FootprintStatus.CANCELLED;
            if (cancelled != (got.getStatus() == FootprintStatus.CANCELLED)
                    || oracle.surelyFinalFootprints().contains(batchId) && got.getStatus() == FootprintStatus.PROVISIONAL) {
                diff.add(".status: expected " + want.getStatus() + " but was " + got.getStatus());
            }
            if (!diff.isEmpty()) {
                mismatched++;
                sample("mfg.batch-footprint " + batchId + " v" + got.getVersion() + " " + diff);
            }
        });
        last.keySet().stream().filter(k -> !oracle.footprints().containsKey(k)).forEach(k -> {
            mismatched++;
            sample("mfg.batch-footprint unexpected " + k);
        });
    }

    private void sample(String s) {
        if (samples.size() < 20) {
            samples.add(s.length() > 600 ? s.substring(0, 600) + "..." : s);
        }
    }

    @Override
    public String toString() {
        return "expected " + expected + ", published " + published + ", lost " + lost + ", duplicated " + duplicated
                + ", mismatched " + mismatched + (samples.isEmpty() ? "" : "\n  " + String.join("\n  ", samples));
    }
}
