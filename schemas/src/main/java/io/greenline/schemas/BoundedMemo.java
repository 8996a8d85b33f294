package io.greenline.schemas;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Values computed once per key and shared by threads, for keys that repeat event after event (a calendar per
 * timezone and shift list, a local day's windows, a window start written out). Bounded: emptied when it reaches its
 * bound, which is far above the keys in use, so it only ever costs a recomputation.
 */
public final class BoundedMemo<K, V> {

    private final Map<K, V> values = new ConcurrentHashMap<>();
    private final int maxEntries;

    public BoundedMemo(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        }
        this.maxEntries = maxEntries;
    }

    /** The value of {@code key}, computed with {@code compute} (which must not return null) the first time. */
    public V get(K key, Function<? super K, ? extends V> compute) {
        V known = values.get(key);
        if (known == null) {
            known = Objects.requireNonNull(compute.apply(key), "computed value");
            if (values.size() >= maxEntries) {
                values.clear();
            }
            values.put(key, known);
        }
        return known;
    }

    /** Keys held now (tests). */
    int size() {
        return values.size();
    }
}
