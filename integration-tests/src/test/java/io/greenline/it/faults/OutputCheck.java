package io.greenline.it.faults;

import io.greenline.events.Alert;
import io.greenline.events.BatchFootprint;
import io.greenline.events.FootprintStatus;
import io.greenline.events.LineEnergyWindow;
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
 * Compares what the application published (every record of {@code mfg.oee}, {@code mfg.quality},
 * {@code mfg.batch-footprint}, {@code mfg.line-energy} and {@code mfg.alerts}, read_committed, in offset order) with
 * the {@link Oracle}:
 * <ul>
 *   <li>lost: an expected final window, footprint or alert with no record;</li>
 *   <li>duplicated: more than one record for one window, for one footprint (batch, version, status), for one
 *       line-energy window revision (a long reading legitimately republishes a final line-energy window with a
 *       higher revision: the last one must hold the expected content), or for one alert id;</li>
 *   <li>mismatched: a window whose record differs from the expected one, or a footprint whose last record does
 *       (content; and FINAL or CANCELLED when the oracle says the status must be final by now), or a final record
 *       the oracle does not expect at all.</li>
 * </ul>
 * Revision, version and replacesVersion are bookkeeping of the publication, not results, and are not compared; nor
 * is an alert's message (prose: every field it is made from is compared).
 */
final class OutputCheck {

    /** One published record: its key and value. */
    record Published<V>(String key, V value) {
    }

    private static final Set<String> WINDOW_BOOKKEEPING = Set.of("revision");
    private static final Set<String> FOOTPRINT_BOOKKEEPING = Set.of("version", "replacesVersion", "status");
    private static final Set<String> ALERT_PROSE = Set.of("message");

    int expected;
    int published;
    int lost;
    int duplicated;
    int mismatched;
    final List<String> samples = new ArrayList<>();

    /** Per output topic: expected, published, lost, duplicated, mismatched. */
    final Map<String, int[]> byTopic = new LinkedHashMap<>();

    static OutputCheck of(Oracle oracle, List<Published<OeeWindow>> oee, List<Published<QualityWindow>> quality,
            List<Published<BatchFootprint>> footprints, List<Published<LineEnergyWindow>> lineEnergy, List<Published<Alert>> alerts) {
        OutputCheck c = new OutputCheck();
        c.track("mfg.oee", () -> c.windows("mfg.oee", oracle.oee(), oee));
        c.track("mfg.quality", () -> c.windows("mfg.quality", oracle.quality(), quality));
        c.track("mfg.batch-footprint", () -> c.footprints(oracle, footprints));
        c.track("mfg.line-energy", () -> c.lineEnergy(oracle.lineEnergy(), lineEnergy));
        c.track("mfg.alerts", () -> c.alerts(oracle.alerts(), alerts));
        return c;
    }

    private void track(String topic, Runnable check) {
        int[] before = {expected, published, lost, duplicated, mismatched};
        check.run();
        byTopic.put(topic, new int[] {expected - before[0], published - before[1], lost - before[2], duplicated - before[3],
                mismatched - before[4]});
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

    /** Line-energy windows: the last record of a window must be the expected one; one record per revision. */
    private void lineEnergy(Map<String, LineEnergyWindow> expected, List<Published<LineEnergyWindow>> actual) {
        this.expected += expected.size();
        this.published += actual.size();
        Map<String, LineEnergyWindow> last = new HashMap<>();
        Map<String, Integer> revisions = new HashMap<>();
        for (Published<LineEnergyWindow> p : actual) {
            last.put(p.key(), p.value());
            String revision = p.key() + "@" + p.value().getRevision();
            if (revisions.merge(revision, 1, Integer::sum) == 2) {
                duplicated++;
                sample("mfg.line-energy duplicate " + revision);
            }
        }
        expected.forEach((key, want) -> {
            LineEnergyWindow got = last.get(key);
            if (got == null) {
                lost++;
                sample("mfg.line-energy lost " + key);
                return;
            }
            List<String> diff = RecordDiff.of(want, got, WINDOW_BOOKKEEPING);
            if (!diff.isEmpty()) {
                mismatched++;
                sample("mfg.line-energy " + key + " " + diff);
            }
        });
        last.forEach((key, got) -> {
            if (!expected.containsKey(key)) {
                mismatched++;
                sample("mfg.line-energy unexpected final record " + key + " " + got);
            }
        });
    }

    /** Alerts by alert id: each expected one exactly once, with the expected fields; none other. */
    private void alerts(Map<String, Alert> expected, List<Published<Alert>> actual) {
        this.expected += expected.size();
        this.published += actual.size();
        Map<String, List<Alert>> byId = new LinkedHashMap<>();
        actual.forEach(p -> byId.computeIfAbsent(p.value().getAlertId(), k -> new ArrayList<>()).add(p.value()));
        expected.forEach((id, want) -> {
            List<Alert> got = byId.get(id);
            if (got == null) {
                lost++;
                sample("mfg.alerts lost " + id);
                return;
            }
            if (got.size() > 1) {
                duplicated++;
                sample("mfg.alerts " + got.size() + " records for " + id);
            }
            List<String> diff = RecordDiff.of(want, got.get(0), ALERT_PROSE);
            if (!diff.isEmpty()) {
                mismatched++;
                sample("mfg.alerts " + id + " " + diff);
            }
        });
        byId.forEach((id, got) -> {
            if (!expected.containsKey(id)) {
                mismatched++;
                sample("mfg.alerts unexpected " + got.get(0));
            }
        });
        actual.forEach(p -> {
            if (!p.key().equals(p.value().getLineId())) {
                mismatched++;
                sample("mfg.alerts key " + p.key() + " is not the lineId of " + p.value().getAlertId());
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
        StringBuilder topics = new StringBuilder();
        byTopic.forEach((topic, n) -> topics.append(topics.length() == 0 ? " (" : "; ").append(topic).append(' ').append(n[0])
                .append('/').append(n[1]).append('/').append(n[2]).append('/').append(n[3]).append('/').append(n[4]));
        return "expected " + expected + ", published " + published + ", lost " + lost + ", duplicated " + duplicated
                + ", mismatched " + mismatched + (topics.length() == 0 ? "" : topics + "; expected/published/lost/duplicated/mismatched)")
                + (samples.isEmpty() ? "" : "\n  " + String.join("\n  ", samples));
    }
}
