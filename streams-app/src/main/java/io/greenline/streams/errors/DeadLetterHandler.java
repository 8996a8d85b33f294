package io.greenline.streams.errors;

import io.greenline.schemas.DeadLetterReason;
import io.greenline.schemas.DeadLetterable;
import io.greenline.schemas.TopicNames;
import io.micrometer.core.instrument.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dead-letter policy for both places a record can prove bad: deserialization and processing
 * (Kafka's KIP-1034 handlers, which hand us the record's original bytes).
 *
 * <ul>
 *   <li>Bad data (a {@link DeadLetterable} anywhere in the cause chain, or any other non-retriable error)
 *       goes to {@code mfg.dlq} with the original key and value bytes and the headers {@code reason},
 *       {@code source.topic}, {@code source.partition}, {@code source.offset}, {@code exception} and
 *       {@code exception.message}; the counter {@code greenline.dlq.records} (tags reason, topic) counts
 *       it, and processing resumes.</li>
 *   <li>A retriable error (the registry or broker unreachable) is never dead-lettered: the handler
 *       answers FAIL, the stream thread is replaced and the record is read again from the last commit.</li>
 * </ul>
 *
 * <p>The topic is {@code errors.dead.letter.queue.topic.name} when set, else {@code mfg.dlq}. The dead letters of
 * the global thread (the reference topics) are written by the handler itself ({@link GlobalDeadLetters}).
 *
 * <p>A failure the handler never sees (an {@link Error} such as OutOfMemoryError kills the stream thread) is
 * counted per record by {@link io.greenline.streams.guard.EventTimeGuard}, which refuses the record as
 * {@code POISON} after {@code greenline.poison.max.attempts} deaths; this handler then dead-letters it like any
 * other bad record. The guard also refuses implausible event times ({@code TIMESTAMP_OUT_OF_RANGE}).
 */
public class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {

    public static final String HEADER_REASON = "reason";
    public static final String HEADER_SOURCE_TOPIC = "source.topic";
    public static final String HEADER_SOURCE_PARTITION = "source.partition";
    public static final String HEADER_SOURCE_OFFSET = "source.offset";
    public static final String HEADER_EXCEPTION = "exception";
    public static final String HEADER_EXCEPTION_MESSAGE = "exception.message";
    public static final String METRIC = "greenline.dlq.records";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String topic = TopicNames.DLQ;
    private GlobalDeadLetters global = new GlobalDeadLetters(Map.of());

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (configured != null && !configured.toString().isBlank()) {
            topic = configured.toString();
        }
        global = new GlobalDeadLetters(configs);
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (isRetriable(exception)) {
            log.warn("Retriable error reading {}-{}@{}; the thread restarts and reads it again: {}",
                    context.topic(), context.partition(), context.offset(), exception.toString());
            return DeserializationExceptionHandler.Response.fail();
        }
        DeadLetterReason reason = reasonOf(exception, DeadLetterReason.MALFORMED);
        return DeserializationExceptionHandler.Response.resume(deadLetters(context, record.key(), record.value(), reason, exception));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (isRetriable(exception)) {
            log.warn("Retriable error processing {}-{}@{}; the thread restarts and reads it again: {}",
                    context.topic(), context.partition(), context.offset(), exception.toString());
            return ProcessingExceptionHandler.Response.fail();
        }
        DeadLetterReason reason = reasonOf(exception, DeadLetterReason.PROCESSING_ERROR);
        if (reason == DeadLetterReason.PROCESSING_ERROR) {
            log.error("Unexpected error processing {}-{}@{} in {}; record dead-lettered",
                    context.topic(), context.partition(), context.offset(), context.processorNodeId(), exception);
        }
        return ProcessingExceptionHandler.Response.resume(
                deadLetters(context, context.sourceRawKey(), context.sourceRawValue(), reason, exception));
    }

    /**
     * The dead letters for Kafka Streams to send: the one record, or none for a record of the global thread, whose
     * dead letter this handler writes itself ({@link GlobalDeadLetters}: Kafka Streams cannot send it, and fails the
     * global thread if asked to).
     */
    private List<ProducerRecord<byte[], byte[]>> deadLetters(ErrorHandlerContext context, byte[] key, byte[] value,
                                                             DeadLetterReason reason, Exception exception) {
        ProducerRecord<byte[], byte[]> deadLetter = deadLetter(context, key, value, reason, exception);
        if (GlobalDeadLetters.isGlobal(context)) {
            log.warn("Dead-lettering reference record {}-{}@{} as {}: {}", context.topic(), context.partition(), context.offset(),
                    reason, String.valueOf(rootDeadLetterable(exception).getMessage()));
            global.write(deadLetter);
            return List.of();
        }
        return List.of(deadLetter);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, byte[] key, byte[] value,
                                                      DeadLetterReason reason, Exception exception) {
        Throwable cause = rootDeadLetterable(exception);
        Headers headers = headers(reason, String.valueOf(context.topic()), context.partition(), context.offset(),
                cause.getClass().getName(), String.valueOf(cause.getMessage()));
        return new ProducerRecord<>(topic, null, key, value, headers);
    }

    /**
     * The headers of a dead letter, counted in {@link #METRIC}: the one way every dead letter is labelled, whether
     * the handler writes it or a processor that holds records back (the reference gate) does.
     */
    public static Headers headers(DeadLetterReason reason, String sourceTopic, int partition, long offset,
                                  String exceptionClass, String message) {
        Headers headers = new RecordHeaders();
        headers.add(HEADER_REASON, utf8(reason.name()));
        headers.add(HEADER_SOURCE_TOPIC, utf8(sourceTopic));
        headers.add(HEADER_SOURCE_PARTITION, utf8(String.valueOf(partition)));
        headers.add(HEADER_SOURCE_OFFSET, utf8(String.valueOf(offset)));
        headers.add(HEADER_EXCEPTION, utf8(exceptionClass));
        headers.add(HEADER_EXCEPTION_MESSAGE, utf8(message));
        Metrics.counter(METRIC, "reason", reason.name(), "topic", sourceTopic).increment();
        log.debug("Dead-lettered {}-{}@{} as {}: {}", sourceTopic, partition, offset, reason, message);
        return headers;
    }

    public static boolean isRetriable(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof DeadLetterable) {
                return false;
            }
            if (t instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    static DeadLetterReason reasonOf(Throwable exception, DeadLetterReason fallback) {
        Throwable t = rootDeadLetterable(exception);
        return t instanceof DeadLetterable d ? d.reason() : fallback;
    }

    private static Throwable rootDeadLetterable(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof DeadLetterable) {
                return t;
            }
        }
        return exception;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
