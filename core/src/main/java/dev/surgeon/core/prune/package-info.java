/**
 * Pruning: a run is a {@code Scorer} (saliency) + {@link dev.surgeon.core.prune.Pattern} + allocation across
 * layers + an updater (none or an OBS correction) + a schedule; methods are named presets of these parts
 * (METHODS.md sections B and G).
 */
package dev.surgeon.core.prune;
