package io.greenline.it.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What a Streams application's consumer group has committed: how far through its inputs, and whether it has drained. */
final class GroupOffsets {

    private GroupOffsets() {
    }

    /** The sum of the group's committed offsets over the partitions of {@code inputTopics}. */
    static long committed(Admin admin, String group, List<String> inputTopics) throws Exception {
        return committedByPartition(admin, group, inputTopics).values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The group's committed offsets over {@code inputTopics}, summed by partition number: how far each task (one per
     * partition number and sub-topology) has come through its input.
     */
    static Map<Integer, Long> committedByPartition(Admin admin, String group, List<String> inputTopics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<Integer, Long> byPartition = new java.util.TreeMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (inputTopics.contains(e.getKey().topic()) && e.getValue() != null) {
                byPartition.merge(e.getKey().partition(), e.getValue().offset(), Long::sum);
            }
        }
        return byPartition;
    }

    /**
     * Waits until the group's lag over every partition it has committed (inputs, repartition topics, the outputs
     * the application reads back) is at most one transaction marker per partition and has stopped moving for 3 s,
     * at most {@code limit}; returns the seconds waited.
     */
    static double drain(Admin admin, String group, Duration limit) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long previousLag = -1;
        int steady = 0;
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            offsets.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            long lag = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                if (e.getValue() != null) {
                    lag += Math.max(0, ends.getOrDefault(e.getKey(), 0L) - e.getValue().offset());
                }
            }
            steady = lag == previousLag && lag <= offsets.size() ? steady + 1 : 0;
            if (steady >= 3) {
                break;
            }
            previousLag = lag;
            Thread.sleep(1_000);
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
