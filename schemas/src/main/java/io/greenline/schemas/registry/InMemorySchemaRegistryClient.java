package io.greenline.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry that lives in this JVM, selected by a {@code mock://scope} URL as with Confluent's serdes:
 * every serde configured with the same scope shares one registry. For topology tests that need no
 * network; it applies the same compatibility rule as the real registries (BACKWARD unless set), gives
 * one global id per distinct schema, and counts the calls made to it so tests can check caching.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private static final Map<String, InMemorySchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

    private final Map<Integer, Schema> byId = new HashMap<>();
    /** By the schema's normalised text, as the real registries match schemas (docs included). */
    private final Map<String, Integer> idOf = new HashMap<>();
    private final Map<String, List<Schema>> subjects = new HashMap<>();
    private final Map<String, CompatibilityLevel> levels = new HashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private int nextId = 1;

    /** The registry of a {@code mock://} scope, created on first use. */
    public static InMemorySchemaRegistryClient forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistryClient());
    }

    /** Forgets a scope, so the next {@link #forScope} starts empty. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    /** How many client calls this registry has answered (each would be one HTTP request to a real one). */
    public int calls() {
        return calls.get();
    }

    /** Sets the compatibility level of one subject ({@code PUT /config/{subject}}). */
    public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
        levels.put(subject, level);
    }

    /**
     * Registers a schema under a given id, as a registry in import mode does: for tests that must
     * reproduce bytes written elsewhere with a known id. Later ids continue above the highest one.
     */
    public synchronized int registerWithId(String subject, Schema schema, int id) {
        Schema existing = byId.get(id);
        if (existing != null && !existing.equals(schema)) {
            throw new IllegalStateException("id " + id + " is taken by another schema");
        }
        byId.put(id, schema);
        idOf.put(schema.toString(), id);
        nextId = Math.max(nextId, id + 1);
        return register(subject, schema);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        calls.incrementAndGet();
        List<Schema> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (indexOf(versions, schema) < 0) {
            List<String> problems = levels.getOrDefault(subject, CompatibilityLevel.DEFAULT).check(schema, versions);
            if (!problems.isEmpty()) {
                throw new RegistryException(409, RegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\": "
                                + String.join("; ", problems));
            }
            versions.add(schema);
        }
        return idOf.computeIfAbsent(schema.toString(), s -> {
            int id = nextId++;
            byId.put(id, schema);
            return id;
        });
    }

    @Override
    public synchronized SubjectSchema lookup(String subject, Schema schema) {
        calls.incrementAndGet();
        List<Schema> versions = subjects.get(subject);
        if (versions == null) {
            throw new RegistryException(404, RegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        int index = indexOf(versions, schema);
        if (index < 0) {
            throw new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found under subject " + subject);
        }
        return new SubjectSchema(subject, index + 1, idOf.get(schema.toString()), versions.get(index));
    }

    @Override
    public synchronized Schema getById(int id) {
        calls.incrementAndGet();
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized SubjectSchema latest(String subject) {
        calls.incrementAndGet();
        List<Schema> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new RegistryException(404, RegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        Schema schema = versions.get(versions.size() - 1);
        return new SubjectSchema(subject, versions.size(), idOf.get(schema.toString()), schema);
    }

    /** The latest schema of a subject, or null; for tests, not counted as a call. */
    public synchronized SubjectSchema latestOrNull(String subject) {
        List<Schema> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            return null;
        }
        Schema schema = versions.get(versions.size() - 1);
        return new SubjectSchema(subject, versions.size(), idOf.get(schema.toString()), schema);
    }

    private static int indexOf(List<Schema> versions, Schema schema) {
        String text = schema.toString();
        for (int i = 0; i < versions.size(); i++) {
            if (versions.get(i).toString().equals(text)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        calls.incrementAndGet();
        List<Schema> versions = subjects.getOrDefault(subject, List.of());
        return levels.getOrDefault(subject, CompatibilityLevel.DEFAULT).isCompatible(schema, versions);
    }
}
