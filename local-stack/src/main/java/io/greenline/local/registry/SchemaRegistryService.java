package io.greenline.local.registry;

import io.greenline.local.registry.RegistryState.Version;
import io.greenline.schemas.registry.CompatibilityLevel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.avro.Schema;
import org.apache.avro.AvroRuntimeException;

/**
 * The registry's operations, in the Confluent protocol's terms (versions, global ids, compatibility
 * levels) and with its refusals ({@link RegistryError}). Reads come from the {@link RegistryState};
 * writes go to the {@link SchemaLog} and are visible once it has applied them. Writes are serialised
 * by one lock, so ids and versions are assigned without gaps or clashes.
 */
final class SchemaRegistryService {

    private final RegistryState state;
    private final SchemaLog log;
    private final ReentrantLock writeLock = new ReentrantLock();

    SchemaRegistryService(RegistryState state, SchemaLog log) {
        this.state = state;
        this.log = log;
    }

    /** Parses a schema sent by a client; anything but Avro without references is refused (42201). */
    static Schema parse(String schemaText, String schemaType, boolean hasReferences) {
        if (schemaType != null && !"AVRO".equalsIgnoreCase(schemaType)) {
            throw RegistryError.invalidSchema("only AVRO schemas are supported, not " + schemaType);
        }
        if (hasReferences) {
            throw RegistryError.invalidSchema("schema references are not supported");
        }
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryError.invalidSchema("the request has no schema");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (AvroRuntimeException | IllegalArgumentException | NullPointerException e) {
            // SchemaParseException, AvroTypeException (a default of the wrong type), ...: Confluent answers 422/42201
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    /** {@code POST /subjects/{s}/versions}: the id of the schema, registering it as a new version if needed. */
    int register(String subject, Schema schema) {
        Optional<Version> existing = find(subject, schema);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        writeLock.lock();
        try {
            existing = find(subject, schema);
            if (existing.isPresent()) {
                return existing.get().id();
            }
            List<Schema> history = state.versions(subject, false).stream().map(Version::schema).toList();
            List<String> problems = state.effectiveLevel(subject).check(schema, history);
            if (!problems.isEmpty()) {
                throw new RegistryError(409, RegistryError.INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible with an earlier schema for subject \""
                        + subject + "\" (" + state.effectiveLevel(subject) + "): " + String.join("; ", problems));
            }
            int id = state.idOf(schema).orElse(state.maxId() + 1);
            Version version = new Version(subject, state.maxVersion(subject) + 1, id, schema, false);
            log.append(RegistryState.schemaKey(subject, version.version()), RegistryState.schemaValue(version));
            return id;
        } finally {
            writeLock.unlock();
        }
    }

    /** {@code POST /subjects/{s}}: the version under which the subject has this schema. */
    Version lookup(String subject, Schema schema) {
        if (state.versions(subject, false).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return find(subject, schema).orElseThrow(() -> RegistryError.schemaNotFound("under subject " + subject));
    }

    List<String> subjects(boolean includeDeleted) {
        return state.subjects(includeDeleted);
    }

    List<Integer> versions(String subject, boolean includeDeleted) {
        List<Version> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions.stream().map(Version::version).toList();
    }

    /** A version by number, or {@code latest} / {@code -1}. */
    Version version(String subject, String versionText) {
        List<Version> versions = state.versions(subject, false);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        if ("latest".equalsIgnoreCase(versionText) || "-1".equals(versionText)) {
            return versions.get(versions.size() - 1);
        }
        int number = versionNumber(versionText);
        return versions.stream().filter(v -> v.version() == number).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(subject, number));
    }

    Schema schemaById(int id) {
        return state.schemaById(id).orElseThrow(() -> RegistryError.schemaNotFound(String.valueOf(id)));
    }

    /**
     * {@code POST /compatibility/subjects/{s}/versions/{v}}: the problems that would make the registry
     * refuse the schema. Against {@code latest} (or no version) the subject's level decides, transitive
     * levels included; against a numbered version, that version alone is checked in the level's direction.
     */
    List<String> compatibility(String subject, String versionText, Schema schema) {
        CompatibilityLevel level = state.effectiveLevel(subject);
        if (versionText == null || "latest".equalsIgnoreCase(versionText) || "-1".equals(versionText)) {
            List<Version> versions = state.versions(subject, false);
            if (versionText != null && versions.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            return level.check(schema, versions.stream().map(Version::schema).toList());
        }
        return level.check(schema, List.of(version(subject, versionText).schema()));
    }

    CompatibilityLevel globalLevel() {
        return state.globalLevel();
    }

    /** The subject's own level; with {@code defaultToGlobal} the global one when it has none. */
    CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
        Optional<CompatibilityLevel> own = state.subjectLevel(subject);
        if (own.isPresent()) {
            return own.get();
        }
        if (defaultToGlobal) {
            return state.globalLevel();
        }
        throw new RegistryError(404, RegistryError.SUBJECT_LEVEL_NOT_CONFIGURED,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    /** {@code PUT /config} or {@code PUT /config/{s}} (subject null for the global level). */
    CompatibilityLevel setLevel(String subjectOrNull, String levelText) {
        CompatibilityLevel level = CompatibilityLevel.parse(levelText);
        if (level == null) {
            throw new RegistryError(422, RegistryError.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
        }
        writeLock.lock();
        try {
            log.append(RegistryState.configKey(subjectOrNull), RegistryState.configValue(level));
        } finally {
            writeLock.unlock();
        }
        return level;
    }

    /** {@code DELETE /config/{s}}: back to the global level; returns the level the subject had. */
    CompatibilityLevel clearLevel(String subject) {
        CompatibilityLevel previous = subjectLevel(subject, false);
        writeLock.lock();
        try {
            log.append(RegistryState.configKey(subject), null);
        } finally {
            writeLock.unlock();
        }
        return previous;
    }

    /**
     * {@code DELETE /subjects/{s}}: soft delete, as Confluent's registry does by default: the versions
     * disappear from the subject but their ids keep resolving, so records already written stay readable.
     */
    List<Integer> deleteSubject(String subject) {
        writeLock.lock();
        try {
            List<Version> versions = state.versions(subject, false);
            if (versions.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            for (Version v : versions) {
                log.append(RegistryState.schemaKey(subject, v.version()),
                        RegistryState.schemaValue(new Version(subject, v.version(), v.id(), v.schema(), true)));
            }
            return versions.stream().map(Version::version).toList();
        } finally {
            writeLock.unlock();
        }
    }

    private Optional<Version> find(String subject, Schema schema) {
        String canonical = schema.toString();
        return state.versions(subject, false).stream().filter(v -> v.schema().toString().equals(canonical)).findFirst();
    }

    private static int versionNumber(String text) {
        try {
            int number = Integer.parseInt(text);
            if (number < 1) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new RegistryError(422, RegistryError.INVALID_VERSION,
                    "The specified version '" + text + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
    }
}
