package io.greenline.schemas.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent schema registry REST protocol that Greenline's serdes and tools use.
 *
 * <p>Implementations cache ids and schemas, so a serde asks the registry once per schema, not once per
 * record. A definite refusal is a {@link RegistryException}; an outage is a
 * {@link RegistryUnavailableException}.
 */
public interface SchemaRegistryClient {

    /** A schema as registered under a subject. */
    record SubjectSchema(String subject, int version, int id, Schema schema) {
    }

    /** {@code POST /subjects/{subject}/versions}: registers (or finds) the schema, returns its global id. */
    int register(String subject, Schema schema);

    /** {@code POST /subjects/{subject}}: the id of a schema already registered under the subject. */
    SubjectSchema lookup(String subject, Schema schema);

    /** {@code GET /schemas/ids/{id}}. */
    Schema getById(int id);

    /** {@code GET /subjects/{subject}/versions/latest}. */
    SubjectSchema latest(String subject);

    /** {@code POST /compatibility/subjects/{subject}/versions/latest}. */
    boolean isCompatible(String subject, Schema schema);
}
