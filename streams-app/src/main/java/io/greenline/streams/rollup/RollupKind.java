package io.greenline.streams.rollup;

/** The three families of line windows that are rolled up, each with its own sums, clock and finality. */
public enum RollupKind {
    /** Final HOUR windows of mfg.oee, rolled up onto mfg.oee-rollup. */
    OEE,
    /** Final line-level HOUR windows of mfg.quality, rolled up onto mfg.quality-rollup. */
    QUALITY,
    /** Final HOUR windows of mfg.line-energy, rolled up onto mfg.energy-rollup. */
    ENERGY
}
