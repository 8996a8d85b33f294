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

    @Test
    @DisplayName("a key written behind the cursor moves the next purge's start back to it; one ahead does not")
    void keyAddedBehindMovesTheStartBack() {
        PurgeCursor cursor = new PurgeCursor();
        cursor.added("A/", "A/05"); // nothing purged yet: the purge starts at the prefix anyway
        assertThat(cursor.from("A/")).isEqualTo("A/");

        cursor.purged("A/", "A/10", null);
        assertThat(cursor.done("A/", "A/10")).isTrue();
        cursor.added("A/", "A/12");
        assertThat(cursor.from("A/")).as("ahead of the cursor").isEqualTo("A/10\u0000");

        cursor.added("A/", "A/07"); // a late entry, already due
        assertThat(cursor.from("A/")).isEqualTo("A/07");
        assertThat(cursor.done("A/", "A/10")).as("the late entry is visited").isFalse();
        cursor.added("A/", "A/09");
        assertThat(cursor.from("A/")).isEqualTo("A/07");
        assertThat(cursor.from("B/")).isEqualTo("B/");
    }
}
