package io.greenline.streams;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A write-back cache of decoded values in front of a String-keyed key-value store: the record cache of Kafka Streams,
 * but holding objects instead of bytes, so a value read and rewritten by every event of its key (a window, a
 * ledger, a clock) is decoded once when first read and encoded once per commit, not once per event.
 *
 * <p>The stream thread that writes the store (its <em>owner</em>, the first thread to write after the store opened)
 * reads and writes the cache. Its writes reach the store below (metered, change-logged RocksDB) only when Kafka
 * Streams flushes the caches before a commit ({@link #flushCache}, in key order, one batch) or when the least recently
 * used entry is evicted to stay within {@code maxEntries}. So the changelog and RocksDB see one write per key per
 * commit, as with the record cache, and exactly-once state is as safe: the changelog records of a commit are sent
 * before its offsets, and a task closed dirty drops what it held ({@link #clearCache}).
 *
 * <p>A value put is owned by the store: the processor changes it again only to put it again, and a value read is
 * changed only to be put. With {@code -Dgreenline.state.cache.verify=true} (the tests) every Avro value is copied
 * when it is put or read and compared with its copy at every flush, so a change that was not put fails loudly.
 *
 * <p>The owner's range reads merge the dirty entries into the store's iterator (key order is the order of the keys'
 * UTF-8 bytes, RocksDB's order for a String key). Any other thread (interactive queries over HTTP) reads the store
 * below only, so a query sees the state as of the last flush: at most one commit interval ({@code commit.interval.ms})
 * behind the stream thread, never a half-processed event.
 */
public final class ObjectCacheStore<V> extends WrappedStateStore<KeyValueStore<String, V>, String, V>
        implements KeyValueStore<String, V> {

    /** The order of String keys in RocksDB: by their UTF-8 bytes, which is the order of their code points. */
    static final Comparator<String> KEY_ORDER = ObjectCacheStore::compareCodePoints;

    /** Tests: check at every flush that no cached Avro value was changed without a put. */
    static final boolean VERIFY = Boolean.getBoolean("greenline.state.cache.verify");

    private final int maxEntries;
    /** Every key read or written, least recently used first; a null value is a key known absent or deleted. */
    private final LinkedHashMap<String, Slot<V>> slots;
    /**
     * Keys written since the last flush, in key order: what the store below does not have yet. Every entry of
     * {@link #slots} changed since the flush, and the deletes of keys the cache did not hold: those are kept here only,
     * not in the LRU order, so a sweep deleting old keys (expired batches, taken due entries) does not push the live
     * keys out of the cache. They are a commit's worth at most: the flush writes them and forgets them.
     */
    private final TreeMap<String, Slot<V>> dirty = new TreeMap<>(KEY_ORDER);
    private volatile Thread owner;

    public ObjectCacheStore(KeyValueStore<String, V> inner, int maxEntries) {
        super(inner);
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.slots = new LinkedHashMap<>(Math.min(maxEntries, 1024) * 2, 0.75f, true);
    }

    private static final class Slot<V> {
        V value;
        boolean dirty;
        /** With {@link #VERIFY}: a copy of the value as last put or read. */
        Object copy;

        Slot(V value) {
            set(value);
        }

        void set(V next) {
            value = next;
            copy = VERIFY && next instanceof org.apache.avro.specific.SpecificRecord r
                    ? org.apache.avro.specific.SpecificData.getForSchema(r.getSchema()).deepCopy(r.getSchema(), r) : null;
        }

        boolean changedUnseen() {
            return VERIFY && copy != null && !copy.equals(value);
        }
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        forget();
        super.init(context, root);
    }

    /** True on the owner thread: the cache is its own, never read or changed by another thread. */
    private boolean owned() {
        return owner == Thread.currentThread();
    }

    private void claim() {
        Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        } else if (owner != current) {
            throw new IllegalStateException("store " + name() + " is written by " + owner.getName() + "; " + current.getName()
                    + " may only read it");
        }
    }

    /** Number of keys held (tests, metrics). */
    int cachedEntries() {
        return slots.size();
    }

    /** Number of keys written since the last flush (tests). */
    int dirtyEntries() {
        return dirty.size();
    }

    @Override
    public V get(String key) {
        if (!owned()) {
            return wrapped().get(key);
        }
        Slot<V> slot = slots.get(key);
        if (slot != null) {
            return slot.value;
        }
        if (dirty.containsKey(key)) {
            return null; // deleted since the last flush, and not held
        }
        V value = wrapped().get(key);
        slots.put(key, new Slot<>(value));
        evictBeyondBound();
        return value;
    }

    @Override
    public void put(String key, V value) {
        claim();
        Slot<V> slot = slots.get(key);
        if (slot == null && value == null) {
            Slot<V> deleted = new Slot<>(null);
            deleted.dirty = true;
            dirty.put(key, deleted); // a delete of a key not held: written back at the flush, not held in the LRU
            return;
        }
        if (slot == null) {
            slot = new Slot<>(value);
            slots.put(key, slot);
        } else {
            slot.set(value);
        }
        if (!slot.dirty) {
            slot.dirty = true;
            dirty.put(key, slot);
        }
        evictBeyondBound();
    }

    @Override
    public V putIfAbsent(String key, V value) {
        claim();
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        for (KeyValue<String, V> entry : entries) {
            put(entry.key, entry.value);
        }
    }

    @Override
    public V delete(String key) {
        claim();
        // the old value, without taking a slot for a key about to be deleted
        Slot<V> slot = slots.get(key);
        V old = slot != null ? slot.value : dirty.containsKey(key) ? null : wrapped().get(key);
        put(key, null);
        return old;
    }

    /** Writes the least recently used keys back to the store below until at most {@code maxEntries} are held. */
    private void evictBeyondBound() {
        if (slots.size() <= maxEntries) {
            return;
        }
        List<KeyValue<String, V>> writeBack = new ArrayList<>();
        Iterator<Map.Entry<String, Slot<V>>> eldest = slots.entrySet().iterator();
        while (slots.size() - writeBack.size() > maxEntries && eldest.hasNext()) {
            Map.Entry<String, Slot<V>> e = eldest.next();
            if (e.getValue().dirty) {
                writeBack.add(KeyValue.pair(e.getKey(), e.getValue().value));
                dirty.remove(e.getKey());
            }
            eldest.remove();
        }
        if (!writeBack.isEmpty()) {
            wrapped().putAll(writeBack);
        }
    }

    /** Writes every key changed since the last flush to the store below (so to its changelog), in key order. */
    @Override
    public void flushCache() {
        if (VERIFY) {
            slots.forEach((key, slot) -> {
                if (slot.changedUnseen()) {
                    throw new IllegalStateException("store " + name() + ": the value of key " + key
                            + " was changed after it was put or read, without being put again");
                }
            });
        }
        if (!dirty.isEmpty()) {
            List<KeyValue<String, V>> writeBack = new ArrayList<>(dirty.size());
            for (Map.Entry<String, Slot<V>> e : dirty.entrySet()) {
                writeBack.add(KeyValue.pair(e.getKey(), e.getValue().value));
                e.getValue().dirty = false;
            }
            dirty.clear();
            wrapped().putAll(writeBack);
        }
        super.flushCache();
    }

    /** Drops everything held, written back or not: the task was closed dirty and its state will be restored. */
    @Override
    public void clearCache() {
        forget();
        super.clearCache();
    }

    @Override
    public void close() {
        forget();
        super.close();
    }

    private void forget() {
        slots.clear();
        dirty.clear();
        owner = null;
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        KeyValueIterator<String, V> below = wrapped().range(from, to);
        return owned() ? merge(below, dirtyBetween(from, to), false) : below;
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        KeyValueIterator<String, V> below = wrapped().reverseRange(from, to);
        return owned() ? merge(below, dirtyBetween(from, to).descendingMap(), true) : below;
    }

    @Override
    public KeyValueIterator<String, V> all() {
        KeyValueIterator<String, V> below = wrapped().all();
        return owned() ? merge(below, dirtyBetween(null, null), false) : below;
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        KeyValueIterator<String, V> below = wrapped().reverseAll();
        return owned() ? merge(below, dirtyBetween(null, null).descendingMap(), true) : below;
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS prefixKeySerializer) {
        KeyValueIterator<String, V> below = wrapped().prefixScan(prefix, prefixKeySerializer);
        if (!owned()) {
            return below;
        }
        if (!(prefix instanceof String p)) {
            below.close();
            throw new UnsupportedOperationException("store " + name() + " has String keys: prefix " + prefix + " is not a String");
        }
        TreeMap<String, V> slice = new TreeMap<>(KEY_ORDER);
        for (Map.Entry<String, Slot<V>> e : dirty.tailMap(p, true).entrySet()) {
            if (!e.getKey().startsWith(p)) {
                break;
            }
            slice.put(e.getKey(), e.getValue().value);
        }
        return merge(below, slice, false);
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** A copy of the dirty entries with keys in [from, to] (a null bound is open), taken now: iterators see a snapshot. */
    private TreeMap<String, V> dirtyBetween(String from, String to) {
        TreeMap<String, V> slice = new TreeMap<>(KEY_ORDER);
        if (from != null && to != null && KEY_ORDER.compare(from, to) > 0) {
            return slice;
        }
        NavigableMap<String, Slot<V>> view = dirty;
        if (from != null) {
            view = view.tailMap(from, true);
        }
        if (to != null) {
            view = view.headMap(to, true);
        }
        for (Map.Entry<String, Slot<V>> e : view.entrySet()) {
            slice.put(e.getKey(), e.getValue().value);
        }
        return slice;
    }

    private KeyValueIterator<String, V> merge(KeyValueIterator<String, V> below, NavigableMap<String, V> changed, boolean descending) {
        if (changed.isEmpty()) {
            return below;
        }
        return new Merged<>(below, changed.entrySet().iterator(), descending ? KEY_ORDER.reversed() : KEY_ORDER);
    }

    /**
     * The store's entries with the changes not yet written over them: a changed key replaces the store's value, a
     * deleted one (null) hides it.
     */
    private static final class Merged<V> implements KeyValueIterator<String, V> {
        private final KeyValueIterator<String, V> below;
        private final Iterator<Map.Entry<String, V>> changed;
        private final Comparator<String> order;
        private KeyValue<String, V> nextBelow;
        private Map.Entry<String, V> nextChanged;
        private KeyValue<String, V> next;

        Merged(KeyValueIterator<String, V> below, Iterator<Map.Entry<String, V>> changed, Comparator<String> order) {
            this.below = below;
            this.changed = changed;
            this.order = order;
            this.nextBelow = below.hasNext() ? below.next() : null;
            this.nextChanged = changed.hasNext() ? changed.next() : null;
        }

        @Override
        public boolean hasNext() {
            while (next == null && (nextBelow != null || nextChanged != null)) {
                int c = nextBelow == null ? 1 : nextChanged == null ? -1 : order.compare(nextBelow.key, nextChanged.getKey());
                if (c < 0) {
                    next = nextBelow;
                    nextBelow = below.hasNext() ? below.next() : null;
                } else {
                    if (c == 0) {
                        nextBelow = below.hasNext() ? below.next() : null;
                    }
                    if (nextChanged.getValue() != null) {
                        next = KeyValue.pair(nextChanged.getKey(), nextChanged.getValue());
                    }
                    nextChanged = changed.hasNext() ? changed.next() : null;
                }
            }
            return next != null;
        }

        @Override
        public KeyValue<String, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<String, V> result = next;
            next = null;
            return result;
        }

        @Override
        public String peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public void close() {
            below.close();
        }
    }

    /**
     * Code-point order, which is the order of the UTF-8 bytes RocksDB sorts by. UTF-16 order differs from it only
     * where one string has a surrogate and the other a char in U+E000..U+FFFF at the first difference, so the chars
     * are compared as they are and only that one pair is mapped: surrogates above U+E000..U+FFFF, which moves down.
     */
    static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                return Integer.compare(codePointRank(ca), codePointRank(cb));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static int codePointRank(char c) {
        return c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }
}
