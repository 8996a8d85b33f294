package io.greenline.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 loads generated classes by name only from trusted packages. Greenline's own event classes
 * ({@code io.greenline.events}) are added to whatever the JVM already trusts, once.
 */
public final class TrustedEventClasses {
    static final String EVENTS_PACKAGE = "io.greenline.events";
    private static boolean installed;

    private TrustedEventClasses() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                type -> EVENTS_PACKAGE.equals(type.getPackageName())));
        installed = true;
    }
}
