package io.greenline.local.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * What the registry knows, rebuilt by applying the records of its {@code _schemas} log in order.
 *
 * <p>Records use the layout of Confluent's own {@code _schemas} topic: JSON keys
 * {@code {"keytype":"SCHEMA","subject":s,"version":v,"magic":1}} with values
 * {@code {"subject":s,"version":v,"id":n,"schema":"...","deleted":false}}, and
 * {@code {"keytype":"CONFIG","subject":s|null,"magic":0}} with values
 * {@code {"compatibilityLevel":"FULL"}} (a null value removes the setting). Other key types are
 * ignored. A later record for the same key replaces the earlier one, which is what makes the topic
 * safe to compact.
 */
final class RegistryState {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One version of a subject. */
    record Version(String subject, int version, int id, Schema schema, boolean deleted) {
    }

    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    // ---- the log's record layout

    static String schemaKey(String subject, int version) {
        return JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1).toString();
    }

    static String schemaValue(Version version) {
        return JSON.createObjectNode().put("subject", version.subject()).put("version", version.version())
                .put("id", version.id()).put("schema", version.schema().toString()).put("deleted", version.deleted()).toString();
    }

    static String configKey(String subjectOrNull) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG");
        if (subjectOrNull == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subjectOrNull);
        }
        return key.put("magic", 0).toString();
    }

    static String configValue(CompatibilityLevel level) {
        return level == null ? null : JSON.createObjectNode().put("compatibilityLevel", level.name()).toString();
    }

    /** Applies one record of the log. */
    synchronized void apply(String key, String value) {
        JsonNode k = parse(key);
        String type = k.path("keytype").asText();
        if ("SCHEMA".equals(type)) {
            String subject = k.path("subject").asText();
            int version = k.path("version").asInt();
            if (value == null) {
                TreeMap<Integer, Version> versions = subjects.get(subject);
                if (versions != null) {
                    versions.remove(version);
                }
                return;
            }
            JsonNode v = parse(value);
            Schema schema = new Schema.Parser().setValidateDefaults(false).parse(v.path("schema").asText());
            int id = v.path("id").asInt();
            subjects.computeIfAbsent(subject, s -> new TreeMap<>())
                    .put(version, new Version(subject, version, id, schema, v.path("deleted").asBoolean(false)));
            schemasById.putIfAbsent(id, schema);
            idByCanonical.putIfAbsent(schema.toString(), id);
            maxId = Math.max(maxId, id);
        } else if ("CONFIG".equals(type)) {
            JsonNode subject = k.get("subject");
            CompatibilityLevel level = value == null ? null : CompatibilityLevel.parse(parse(value).path("compatibilityLevel").asText());
            if (subject == null || subject.isNull()) {
                globalLevel = level;
            } else if (level == null) {
                subjectLevels.remove(subject.asText());
            } else {
                subjectLevels.put(subject.asText(), level);
            }
        }
    }

    // ---- queries

    /** Subjects with at least one live version (or any version, with {@code includeDeleted}). */
    synchronized List<String> subjects(boolean includeDeleted) {
        List<String> names = new ArrayList<>();
        subjects.forEach((name, versions) -> {
            if (versions.values().stream().anyMatch(v -> includeDeleted || !v.deleted())) {
                names.add(name);
            }
        });
        return names;
    }

    /** Versions of a subject, oldest first; empty when it has none. */
    synchronized List<Version> versions(String subject, boolean includeDeleted) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null) {
            return List.of();
        }
        return versions.values().stream().filter(v -> includeDeleted || !v.deleted()).toList();
    }

    synchronized Optional<Schema> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /** The global id of a schema registered under any subject, matched on its normalised text. */
    synchronized Optional<Integer> idOf(Schema schema) {
        return Optional.ofNullable(idByCanonical.get(schema.toString()));
    }

    synchronized int maxId() {
        return maxId;
    }

    /** Highest version number the subject ever had, deleted ones included (versions are never reused). */
    synchronized int maxVersion(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel == null ? CompatibilityLevel.DEFAULT : globalLevel;
    }

    synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel());
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable record in the schema log: " + json, e);
        }
    }
}
