package io.greenline.schemas.state;

/** Internal state that this build cannot read: an unknown version, an older encoding, or corrupt bytes. */
public final class StateEncodingException extends RuntimeException {

    public StateEncodingException(String message) {
        super(message);
    }

    public StateEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
