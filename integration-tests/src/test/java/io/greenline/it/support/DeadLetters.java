package io.greenline.it.support;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reading the labels of a dead letter ({@code mfg.dlq}): {@code DeadLetterHandler} writes them as UTF-8 headers
 * ({@code reason}, {@code source.topic}, ...), the one way every dead letter is labelled.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** The header {@code name} of {@code record} as text, null when it has none. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The header {@code name} of {@code record} as text, {@code "?"} when it has none. */
    public static String headerOrUnknown(ConsumerRecord<?, ?> record, String name) {
        String value = header(record, name);
        return value == null ? "?" : value;
    }
}
