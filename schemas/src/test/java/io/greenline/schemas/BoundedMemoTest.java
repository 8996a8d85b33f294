package io.greenline.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BoundedMemoTest {

    @Test
    @DisplayName("a value is computed once per key, and the memo is emptied when it reaches its bound")
    void computesOnceAndStaysBounded() {
        List<Integer> computed = new ArrayList<>();
        BoundedMemo<Integer, String> memo = new BoundedMemo<>(2);

        assertThat(memo.get(1, k -> { computed.add(k); return "one"; })).isEqualTo("one");
        assertThat(memo.get(1, k -> { computed.add(k); return "again"; })).isEqualTo("one");
        assertThat(memo.get(2, k -> { computed.add(k); return "two"; })).isEqualTo("two");
        assertThat(computed).containsExactly(1, 2);
        assertThat(memo.size()).isEqualTo(2);

        // a third key finds the memo full: it is emptied, then holds the new key only
        assertThat(memo.get(3, k -> { computed.add(k); return "three"; })).isEqualTo("three");
        assertThat(memo.size()).isEqualTo(1);
        assertThat(memo.get(1, k -> { computed.add(k); return "one, recomputed"; })).isEqualTo("one, recomputed");
        assertThat(computed).containsExactly(1, 2, 3, 1);
    }

    @Test
    @DisplayName("a bound below one and a null computed value are refused")
    void refusesBadInput() {
        assertThatThrownBy(() -> new BoundedMemo<>(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        BoundedMemo<String, String> memo = new BoundedMemo<>(4);
        assertThatThrownBy(() -> memo.get("k", k -> null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("computed value");
        assertThat(memo.size()).isZero();
    }
}
