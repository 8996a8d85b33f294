package io.greenline.it.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Field-by-field differences between an expected and an actual Avro record (nested records, lists and maps
 * included). Doubles are equal within a relative 1e-9 (absolute 1e-9 near zero): the oracle adds the same terms
 * as the application, not always in the same order. Everything else must be equal.
 */
final class RecordDiff {

    static final double TOLERANCE = 1e-9;

    private RecordDiff() {
    }

    static List<String> of(SpecificRecord expected, SpecificRecord actual, Set<String> ignored) {
        List<String> out = new ArrayList<>();
        compare("", expected, actual, ignored, out);
        return out;
    }

    private static void compare(String path, Object expected, Object actual, Set<String> ignored, List<String> out) {
        if (expected == null || actual == null) {
            if (expected != actual) {
                out.add(path + ": expected " + expected + " but was " + actual);
            }
            return;
        }
        if (expected instanceof SpecificRecord e && actual instanceof SpecificRecord a) {
            for (Schema.Field f : e.getSchema().getFields()) {
                if (!ignored.contains(f.name())) {
                    compare(path + "." + f.name(), e.get(f.pos()), a.get(f.pos()), ignored, out);
                }
            }
        } else if (expected instanceof Double e && actual instanceof Double a) {
            if (!close(e, a)) {
                out.add(path + ": expected " + e + " but was " + a);
            }
        } else if (expected instanceof List<?> e && actual instanceof List<?> a) {
            if (e.size() != a.size()) {
                out.add(path + ": expected " + e.size() + " elements " + e + " but was " + a.size() + " " + a);
                return;
            }
            for (int i = 0; i < e.size(); i++) {
                compare(path + "[" + i + "]", e.get(i), a.get(i), ignored, out);
            }
        } else if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
            Map<String, Object> em = stringKeys(e);
            Map<String, Object> am = stringKeys(a);
            if (!em.keySet().equals(am.keySet())) {
                out.add(path + ": expected keys " + em.keySet() + " but was " + am.keySet());
                return;
            }
            em.forEach((k, v) -> compare(path + "{" + k + "}", v, am.get(k), ignored, out));
        } else if (!Objects.equals(expected.toString(), actual.toString())) {
            out.add(path + ": expected " + expected + " but was " + actual);
        }
    }

    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new java.util.TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    static boolean close(double e, double a) {
        if (Double.compare(e, a) == 0) {
            return true;
        }
        double scale = Math.max(1.0, Math.max(Math.abs(e), Math.abs(a)));
        return Math.abs(e - a) <= TOLERANCE * scale;
    }
}
