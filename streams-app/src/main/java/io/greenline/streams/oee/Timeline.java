package io.greenline.streams.oee;

import io.greenline.events.OeeTimelineEntry;
import java.util.List;

/**
 * The state timeline of one line, sorted by time and, at the same instant, by arrival ({@code seq}). Every
 * method reads or writes a bounded part: {@link LineLedger} never asks for the whole timeline.
 */
interface Timeline {

    /** The change in force at {@code t}: the last one at or before it (latest arrival on a tie); null if none. */
    OeeTimelineEntry inForceAt(long t);

    /** The first change strictly after {@code t}; null if none. */
    OeeTimelineEntry firstAfter(long t);

    /** The changes at times in {@code (fromExclusive, toInclusive]}, in order. */
    List<OeeTimelineEntry> between(long fromExclusive, long toInclusive);

    void insert(OeeTimelineEntry change);

    /** Forgets every change before the one in force at {@code t} (that one and all later ones stay). */
    void forgetBefore(long t);
}
