package io.greenline.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaValidationException;
import org.apache.avro.SchemaValidatorBuilder;

/**
 * A registry that lives in this JVM, selected by a {@code mock://scope} URL as with Confluent's serdes:
 * every serde configured with the same scope shares one registry. For topology tests that need no
 * network; it applies the same BACKWARD compatibility rule as the real registries.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private static final Map<String, InMemorySchemaRegistryClient> SCOPES = new ConcurrentHashMap<>();

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<Schema, Integer> idOf = new HashMap<>();
    private final Map<String, List<Schema>> subjects = new HashMap<>();

    /** The registry of a {@code mock://} scope, created on first use. */
    public static InMemorySchemaRegistryClient forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistryClient());
    }

    /** Forgets a scope, so the next {@link #forScope} starts empty. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Schema> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(schema)) {
            if (!versions.isEmpty() && !compatible(versions.get(versions.size() - 1), schema)) {
                throw new RegistryException(409, RegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with the latest version of subject " + subject);
            }
            versions.add(schema);
        }
        return idOf.computeIfAbsent(schema, s -> {
            int id = byId.size() + 1;
            byId.put(id, s);
            return id;
        });
    }

    @Override
    public synchronized SubjectSchema lookup(String subject, Schema schema) {
        List<Schema> versions = subjects.get(subject);
        if (versions == null) {
            throw new RegistryException(404, RegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        int index = versions.indexOf(schema);
        if (index < 0) {
            throw new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found under subject " + subject);
        }
        return new SubjectSchema(subject, index + 1, idOf.get(schema), schema);
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized SubjectSchema latest(String subject) {
        List<Schema> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new RegistryException(404, RegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        Schema schema = versions.get(versions.size() - 1);
        return new SubjectSchema(subject, versions.size(), idOf.get(schema), schema);
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        List<Schema> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() || compatible(versions.get(versions.size() - 1), schema);
    }

    private static boolean compatible(Schema existing, Schema candidate) {
        try {
            new SchemaValidatorBuilder().canReadStrategy().validateLatest().validate(candidate, List.of(existing));
            return true;
        } catch (SchemaValidationException e) {
            return false;
        }
    }
}
