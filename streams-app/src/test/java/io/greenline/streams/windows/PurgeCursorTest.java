package io.greenline.streams.windows;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PurgeCursorTest {

    @Test
    @DisplayName("the next purge of a prefix starts at the first key the previous one kept, or after its end when it kept none")
    void startsWhereThePreviousPurgeKept() {
        PurgeCursor cursor = new PurgeCursor();
        assertThat(cursor.from("L/HOUR/")).isEqualTo("L/HOUR/");

        // the first purge, up to 10:00, deleted 08:00 and kept the live 09:00 window
        cursor.purged("L/HOUR/", "L/HOUR/10", "L/HOUR/09");
        assertThat(cursor.from("L/HOUR/")).isEqualTo("L/HOUR/09");
        assertThat(cursor.done("L/HOUR/", "L/HOUR/11")).isFalse();

        // the next, up to 11:00, deleted 09:00 and 10:00: everything it visited
        cursor.purged("L/HOUR/", "L/HOUR/11", null);
        assertThat(cursor.from("L/HOUR/")).isEqualTo("L/HOUR/11\u0000");
        assertThat(cursor.done("L/HOUR/", "L/HOUR/11")).as("nothing left up to 11:00").isTrue();
        assertThat(cursor.done("L/HOUR/", "L/HOUR/12")).isFalse();

        // a purge with an older horizon does not move the cursor back
        cursor.purged("L/HOUR/", "L/HOUR/05", "L/HOUR/04");
        assertThat(cursor.from("L/HOUR/")).isEqualTo("L/HOUR/11\u0000");
        // other prefixes are independent
        assertThat(cursor.from("L/DAY/")).isEqualTo("L/DAY/");
    }
}
