package io.greenline.schemas;

/** An exception that says why its record is bad data and belongs in the dead-letter topic. */
public interface DeadLetterable {
    DeadLetterReason reason();
}
