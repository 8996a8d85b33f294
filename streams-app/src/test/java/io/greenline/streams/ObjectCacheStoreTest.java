package io.greenline.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.greenline.events.CarbonOwnerState;
import io.greenline.schemas.state.StateSerde;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ObjectCacheStoreTest {

    private KeyValueStore<String, String> below;
    private ObjectCacheStore<String> store;

    @BeforeEach
    void open() {
        open(100);
    }

    private void open(int maxEntries) {
        below = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(), Serdes.String())
                .withLoggingDisabled().withCachingDisabled().build();
        store = new ObjectCacheStore<>(below, maxEntries);
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    /** What another thread (an interactive query) sees. */
    private static <T> T elsewhere(Supplier<T> read) {
        return CompletableFuture.supplyAsync(read).join();
    }

    private static List<String> keys(KeyValueIterator<String, String> it) {
        List<String> keys = new ArrayList<>();
        try (it) {
            it.forEachRemaining(kv -> keys.add(kv.key + "=" + kv.value));
        }
        return keys;
    }

    @Test
    @DisplayName("The writing thread reads its writes at once; the store below and other threads see them only after the flush")
    void writesReachTheStoreAtTheFlush() {
        store.put("line-1", "a");
        store.put("line-1", "b");
        store.put("line-2", "c");
        assertThat(store.get("line-1")).isEqualTo("b");
        assertThat(below.get("line-1")).isNull();
        assertThat(elsewhere(() -> store.get("line-1"))).isNull();
        assertThat(store.dirtyEntries()).isEqualTo(2);

        store.flushCache();

        assertThat(below.get("line-1")).isEqualTo("b");
        assertThat(elsewhere(() -> store.get("line-2"))).isEqualTo("c");
        assertThat(store.dirtyEntries()).isZero();
        store.delete("line-1");
        assertThat(store.get("line-1")).isNull();
        assertThat(below.get("line-1")).isEqualTo("b");
        store.flushCache();
        assertThat(below.get("line-1")).isNull();
    }

    @Test
    @DisplayName("Deleting keys the cache does not hold keeps the live keys held, and the deletes still wait for the flush")
    void deletesOfKeysNotHeldDoNotEvict() {
        open(2);
        below.put("old-1", "expired");
        below.put("old-2", "expired too");
        store.put("live-1", "a");
        store.put("live-2", "b");

        store.put("old-1", null);
        assertThat(store.delete("old-2")).as("delete still returns the old value").isEqualTo("expired too");

        assertThat(store.cachedEntries()).as("no slot taken by a delete").isEqualTo(2);
        assertThat(store.dirtyEntries()).isEqualTo(4);
        assertThat(below.get("live-1")).as("nothing evicted").isNull();
        assertThat(store.get("old-1")).isNull();
        assertThat(store.get("old-2")).isNull();
        assertThat(store.delete("old-1")).isNull();
        assertThat(keys(store.all())).containsExactly("live-1=a", "live-2=b");
        assertThat(elsewhere(() -> store.get("old-1"))).as("other threads: as of the last flush").isEqualTo("expired");

        store.flushCache();
        assertThat(keys(below.all())).containsExactly("live-1=a", "live-2=b");
        assertThat(store.dirtyEntries()).isZero();

        store.put("old-1", "back");
        assertThat(store.get("old-1")).isEqualTo("back");
        store.flushCache();
        assertThat(below.get("old-1")).isEqualTo("back");
    }

    @Test
    @DisplayName("The key order is the order of the keys' UTF-8 bytes, surrogate pairs against U+E000..U+FFFF included")
    void keyOrderIsUtf8ByteOrder() {
        // hand-picked: the pairs where UTF-16 order and code-point order disagree, and equal prefixes
        assertThat(ObjectCacheStore.compareCodePoints("\uD83D\uDE00", "\uFFFD")).isPositive();
        assertThat(ObjectCacheStore.compareCodePoints("\uE000", "\uD800\uDC00")).isNegative();
        assertThat(ObjectCacheStore.compareCodePoints("line-1/2026", "line-1/2026")).isZero();
        assertThat(ObjectCacheStore.compareCodePoints("line-1", "line-1/")).isNegative();
        assertThat(ObjectCacheStore.compareCodePoints("\uD83D\uDE01", "\uD83D\uDE00")).isPositive();
        // and random strings over the ranges that matter, against the bytes themselves
        char[] alphabet = {'a', '/', '0', 'z', '\u00e9', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uf8ff', '\ufffd', '\uffff'};
        String[] pairs = {"\uD800\uDC00", "\uD83D\uDE00", "\uDBFF\uDFFF"};
        Random random = new Random(7);
        for (int n = 0; n < 20_000; n++) {
            String a = randomKey(random, alphabet, pairs);
            String b = random.nextInt(4) == 0 ? a + randomKey(random, alphabet, pairs) : randomKey(random, alphabet, pairs);
            int bytes = Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                    b.getBytes(StandardCharsets.UTF_8));
            assertThat(Integer.signum(ObjectCacheStore.compareCodePoints(a, b))).as("%s vs %s", a, b)
                    .isEqualTo(Integer.signum(bytes));
        }
    }

    private static String randomKey(Random random, char[] alphabet, String[] pairs) {
        StringBuilder key = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--) {
            if (random.nextInt(4) == 0) {
                key.append(pairs[random.nextInt(pairs.length)]);
            } else {
                key.append(alphabet[random.nextInt(alphabet.length)]);
            }
        }
        return key.toString();
    }

    @Test
    @DisplayName("Ranges of the writing thread merge unflushed puts and deletes in the store's key order (UTF-8 bytes)")
    void rangesMergeUnflushedChanges() {
        below.put("a", "1");
        below.put("b", "2");
        below.put("d", "4");
        below.put("\uFFFD", "old");
        store.put("c", "3");
        store.delete("b");
        store.put("d", "four");
        store.put("\uD83D\uDE00", "emoji"); // U+1F600: after U+FFFD in UTF-8 byte order, before it in UTF-16 order
        store.put("e", null);

        assertThat(keys(store.all())).containsExactly("a=1", "c=3", "d=four", "\uFFFD=old", "\uD83D\uDE00=emoji");
        assertThat(keys(store.reverseAll())).containsExactly("\uD83D\uDE00=emoji", "\uFFFD=old", "d=four", "c=3", "a=1");
        assertThat(keys(store.range("b", "d"))).containsExactly("c=3", "d=four");
        assertThat(keys(store.reverseRange("b", "d"))).containsExactly("d=four", "c=3");
        assertThat(keys(store.range("d", "b"))).isEmpty();
        assertThat(keys(elsewhere(store::all))).containsExactly("a=1", "b=2", "d=4", "\uFFFD=old");

        store.flushCache();
        assertThat(keys(below.all())).containsExactly("a=1", "c=3", "d=four", "\uFFFD=old", "\uD83D\uDE00=emoji");
    }

    @Test
    @DisplayName("A prefix scan of the writing thread sees unflushed keys with the prefix only")
    void prefixScanMerges() {
        below.put("line-1/a", "1");
        below.put("line-10/a", "x");
        store.put("line-1/b", "2");
        store.put("line-2/a", "3");
        store.delete("line-1/a");
        assertThat(keys(store.prefixScan("line-1/", new StringSerializer()))).containsExactly("line-1/b=2");
        assertThat(keys(store.prefixScan("line-1", new StringSerializer()))).containsExactly("line-1/b=2", "line-10/a=x");
    }

    @Test
    @DisplayName("Beyond its bound the least recently used keys are written back at once; reads count as use")
    void evictsLeastRecentlyUsed() {
        open(2);
        store.put("a", "1");
        store.put("b", "2");
        assertThat(store.get("a")).isEqualTo("1");
        store.put("c", "3");
        assertThat(store.cachedEntries()).isEqualTo(2);
        assertThat(below.get("b")).isEqualTo("2");
        assertThat(below.get("a")).isNull();
        assertThat(store.get("b")).isEqualTo("2");
        store.flushCache();
        assertThat(keys(below.all())).containsExactly("a=1", "b=2", "c=3");
    }

    @Test
    @DisplayName("A task closed dirty drops what it had not flushed; the store below keeps the last flush")
    void clearCacheDropsUnflushed() {
        store.put("a", "1");
        store.flushCache();
        store.put("a", "2");
        store.put("b", "3");
        store.clearCache();
        assertThat(store.get("a")).isEqualTo("1");
        assertThat(store.get("b")).isNull();
        assertThat(store.dirtyEntries()).isZero();
    }

    @Test
    @DisplayName("Only the thread that writes the store may write it")
    void oneWriter() {
        store.put("a", "1");
        assertThatThrownBy(() -> {
            try {
                CompletableFuture.runAsync(() -> store.put("a", "2")).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("may only read it");
        store.putAll(List.of(KeyValue.pair("b", "2")));
        assertThat(store.putIfAbsent("b", "3")).isEqualTo("2");
        assertThat(store.putIfAbsent("c", "3")).isNull();
        assertThat(store.get("c")).isEqualTo("3");
    }

    @Test
    @DisplayName("With verification on (every unit test), a cached value changed without a put fails the flush")
    void changesMustBePut() {
        assumeTrue(ObjectCacheStore.VERIFY, "-Dgreenline.state.cache.verify=true");
        KeyValueStore<String, CarbonOwnerState> inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("owners"),
                Serdes.String(), StateSerde.of(CarbonOwnerState.class)).withLoggingDisabled().withCachingDisabled().build();
        ObjectCacheStore<CarbonOwnerState> owners = new ObjectCacheStore<>(inner, 100);
        owners.init(new MockProcessorContext<Void, Void>().getStateStoreContext(), owners);
        CarbonOwnerState line = new CarbonOwnerState(null, null, null, null, new ArrayList<>());
        owners.put("line-1", line);
        line.setSiteId("site-1");
        owners.put("line-1", line);
        owners.flushCache();
        assertThat(inner.get("line-1").getSiteId()).isEqualTo("site-1");

        owners.get("line-1").setSiteId("site-2");
        assertThatThrownBy(owners::flushCache).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("line-1").hasMessageContaining("without being put again");
    }

    @Test
    @DisplayName("Bad settings and queries are refused with a clear error: a bound below one key, a prefix that is not a String")
    void refusesBadInput() {
        assertThatThrownBy(() -> new ObjectCacheStore<>(below, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1: 0");
        assertThatThrownBy(() -> new CachedStoresBuilder(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative: -1");
        store.put("line-1", "a");
        assertThatThrownBy(() -> store.prefixScan(42, new org.apache.kafka.common.serialization.IntegerSerializer()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("String keys");
    }
}
