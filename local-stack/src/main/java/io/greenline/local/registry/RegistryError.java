package io.greenline.local.registry;

/**
 * A refusal in the Confluent registry's terms: the HTTP status and the {@code error_code} of its
 * JSON error body {@code {"error_code": 40401, "message": "..."}}.
 */
final class RegistryError extends RuntimeException {
    static final int UNAUTHORIZED = 40101;
    static final int SUBJECT_NOT_FOUND = 40401;
    static final int VERSION_NOT_FOUND = 40402;
    static final int SCHEMA_NOT_FOUND = 40403;
    static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;
    static final int INCOMPATIBLE_SCHEMA = 409;
    static final int INVALID_SCHEMA = 42201;
    static final int INVALID_VERSION = 42202;
    static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    static final int STORE_ERROR = 50001;
    static final int STORE_TIMEOUT = 50002;

    private final int httpStatus;
    private final int errorCode;

    RegistryError(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    RegistryError(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static RegistryError versionNotFound(String subject, Object version) {
        return new RegistryError(404, VERSION_NOT_FOUND, "Version " + version + " not found for subject '" + subject + "'.");
    }

    static RegistryError schemaNotFound(String what) {
        return new RegistryError(404, SCHEMA_NOT_FOUND, "Schema " + what + " not found");
    }

    static RegistryError invalidSchema(String message) {
        return new RegistryError(422, INVALID_SCHEMA, "Invalid schema: " + message);
    }

    int httpStatus() {
        return httpStatus;
    }

    int errorCode() {
        return errorCode;
    }
}
