package io.greenline.streams.oee;

import static org.assertj.core.api.Assertions.assertThat;

import io.greenline.events.Granularity;
import io.greenline.events.OeeWindow;
import io.greenline.streams.windows.Window;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OeeWindowRecordsTest {

    private static final Instant START = Instant.parse("2026-03-02T06:00:00Z");
    private static final Window HOUR = new Window(Granularity.HOUR, null, START, START.plusSeconds(3600));

    private static OeeWindow render(double goodUnits, int revision) {
        WindowCounts counts = new WindowCounts();
        counts.add(goodUnits + 2, 2, 0, 1_000.0);
        return OeeWindowRecords.render("line-1", "site-1", "area-1", HOUR, new TimeElements(), counts, false, revision);
    }

    @Test
    @DisplayName("sameContent ignores the revision, and only the revision")
    void sameContentIgnoresRevisionOnly() {
        assertThat(OeeWindowRecords.sameContent(render(40, 3), render(40, 3))).isTrue();
        assertThat(OeeWindowRecords.sameContent(render(40, 3), render(40, 4))).isTrue();
        assertThat(OeeWindowRecords.sameContent(render(40, 3), render(41, 3))).isFalse();
        assertThat(OeeWindowRecords.sameContent(render(40, 3), render(41, 4))).isFalse();
        assertThat(OeeWindowRecords.sameContent(null, render(40, 0))).isFalse();
        assertThat(OeeWindowRecords.sameContent(null, null)).isTrue();

        OeeWindow stored = render(40, 3);
        OeeWindow rendered = render(40, 3);
        OeeWindowRecords.sameContent(stored, rendered);
        assertThat(stored.getRevision()).as("neither side is changed").isEqualTo(3);
        assertThat(rendered.getRevision()).isEqualTo(3);
    }
}
