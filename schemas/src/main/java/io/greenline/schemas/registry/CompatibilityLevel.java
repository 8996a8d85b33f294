package io.greenline.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaValidationException;
import org.apache.avro.SchemaValidator;
import org.apache.avro.SchemaValidatorBuilder;

/**
 * The schema registry's compatibility levels, decided by Avro's own {@link SchemaValidatorBuilder}.
 *
 * <p>BACKWARD: the new schema can read data written with the latest one (consumers upgrade first).
 * FORWARD: the latest schema can read data written with the new one (producers upgrade first). FULL:
 * both. The {@code _TRANSITIVE} forms check against every earlier version, not just the latest.
 *
 * <p>A schema is refused when Avro's {@link SchemaValidator} refuses it or when Avro's
 * {@link SchemaCompatibility} finds an incompatibility (the validator alone lets a removed enum symbol
 * through). Each refusal says what was found and where (for example
 * {@code READER_FIELD_MISSING_DEFAULT_VALUE at /fields/6: operatorId}), naming the field or the enum
 * symbol at fault.
 */
public enum CompatibilityLevel {
    NONE(null, false),
    BACKWARD(Direction.NEW_READS_OLD, false),
    BACKWARD_TRANSITIVE(Direction.NEW_READS_OLD, true),
    FORWARD(Direction.OLD_READS_NEW, false),
    FORWARD_TRANSITIVE(Direction.OLD_READS_NEW, true),
    FULL(Direction.BOTH, false),
    FULL_TRANSITIVE(Direction.BOTH, true);

    /** The level of a subject without its own: Confluent's default. */
    public static final CompatibilityLevel DEFAULT = BACKWARD;

    private enum Direction { NEW_READS_OLD, OLD_READS_NEW, BOTH }

    private final Direction direction;
    private final boolean transitive;

    CompatibilityLevel(Direction direction, boolean transitive) {
        this.direction = direction;
        this.transitive = transitive;
    }

    /** Parses a level name as the registry's REST API spells it (case-insensitive); null when unknown. */
    public static CompatibilityLevel parse(String name) {
        if (name == null) {
            return null;
        }
        for (CompatibilityLevel level : values()) {
            if (level.name().equalsIgnoreCase(name.trim())) {
                return level;
            }
        }
        return null;
    }

    /**
     * Why {@code candidate} may not follow {@code history} (oldest first) under this level; empty when
     * it may. Each entry names the incompatibility, its location in the schema and the field or symbols
     * concerned.
     */
    public List<String> check(Schema candidate, List<Schema> history) {
        if (direction == null || history.isEmpty()) {
            return List.of();
        }
        // Avro's validators take the existing schemas newest first
        List<Schema> newestFirst = new ArrayList<>(history);
        java.util.Collections.reverse(newestFirst);
        String validatorVerdict = null;
        try {
            validator().validate(candidate, newestFirst);
        } catch (SchemaValidationException e) {
            validatorVerdict = e.getMessage();
        }
        // The validator misses removed enum symbols (its resolving grammar defers them to the records
        // that carry them); Avro's SchemaCompatibility, which Confluent's registry uses, catches them.
        List<String> problems = new ArrayList<>();
        List<Schema> checked = transitive ? history : List.of(history.get(history.size() - 1));
        for (Schema existing : checked) {
            if (direction != Direction.OLD_READS_NEW) {
                describe("new schema cannot read data written with an earlier one", candidate, existing, problems);
            }
            if (direction != Direction.NEW_READS_OLD) {
                describe("an earlier schema cannot read data written with the new one", existing, candidate, problems);
            }
        }
        if (problems.isEmpty() && validatorVerdict != null) {
            problems.add(validatorVerdict);
        }
        return problems;
    }

    /** True when {@code candidate} may follow {@code history} (oldest first). */
    public boolean isCompatible(Schema candidate, List<Schema> history) {
        return check(candidate, history).isEmpty();
    }

    private SchemaValidator validator() {
        SchemaValidatorBuilder builder = new SchemaValidatorBuilder();
        builder = switch (direction) {
            case NEW_READS_OLD -> builder.canReadStrategy();
            case OLD_READS_NEW -> builder.canBeReadStrategy();
            case BOTH -> builder.mutualReadStrategy();
        };
        return transitive ? builder.validateAll() : builder.validateLatest();
    }

    private static void describe(String what, Schema reader, Schema writer, List<String> problems) {
        SchemaCompatibility.SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        for (SchemaCompatibility.Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            problems.add(what + ": " + incompatibility.getType() + " at " + incompatibility.getLocation()
                    + ": " + incompatibility.getMessage());
        }
    }
}
