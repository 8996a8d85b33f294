package io.greenline.streams.windows;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Stamps each record, before a repartition, with the task that sends it (the partition of its task id) and that task's
 * stream time ({@code context.currentStreamTimeMs()}, the largest event time the task has processed, which advances
 * while any of its inputs does, even while the record's own line is quiet), in two record headers that the
 * repartition topic carries to the {@link SourceFrontier} of the reading task (the carbon ledger's site alignment). The
 * roll-ups read only the sending task: which relay brought a line's hour ({@code RollupProcessor}'s frontier). The
 * record's own headers are copied, not changed (other branches of the same source record see them).
 */
public final class SourceStamp<K, V> implements FixedKeyProcessor<K, V, V> {

    /** Header: the sending task's partition, 4 bytes big-endian. */
    public static final String TASK_HEADER = "greenline.source-task";
    /** Header: the sending task's stream time in epoch ms, 8 bytes big-endian. */
    public static final String TIME_HEADER = "greenline.source-time";

    private FixedKeyProcessorContext<K, V> context;

    @Override
    public void init(FixedKeyProcessorContext<K, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<K, V> record) {
        context.forward(record.withHeaders(stamp(record.headers(), context.taskId().partition(), context.currentStreamTimeMs())));
    }

    /** A copy of {@code headers} without any earlier stamp, stamped with {@code task} and {@code streamTimeMs}. */
    public static Headers stamp(Headers headers, int task, long streamTimeMs) {
        RecordHeaders stamped = new RecordHeaders();
        for (Header h : headers) {
            if (!TASK_HEADER.equals(h.key()) && !TIME_HEADER.equals(h.key())) {
                stamped.add(h);
            }
        }
        stamped.add(TASK_HEADER, ByteBuffer.allocate(Integer.BYTES).putInt(task).array());
        stamped.add(TIME_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(streamTimeMs).array());
        return stamped;
    }

    /** The sending task of a stamped record, -1 when the record has no (well-formed) stamp. */
    public static int task(Headers headers) {
        Header h = headers.lastHeader(TASK_HEADER);
        return h == null || h.value() == null || h.value().length != Integer.BYTES ? -1 : ByteBuffer.wrap(h.value()).getInt();
    }

    /** The sending task's stream time of a stamped record, {@code Long.MIN_VALUE} when the record has no stamp. */
    public static long streamTime(Headers headers) {
        Header h = headers.lastHeader(TIME_HEADER);
        return h == null || h.value() == null || h.value().length != Long.BYTES ? Long.MIN_VALUE : ByteBuffer.wrap(h.value()).getLong();
    }
}
