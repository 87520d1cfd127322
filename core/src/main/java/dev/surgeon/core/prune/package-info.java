/**
 * Pruning (METHODS.md sections 1, B and G). A run is a {@link dev.surgeon.core.prune.Pruner} step — usually a
 * {@link dev.surgeon.core.prune.ScoredPruner}: a {@link dev.surgeon.core.prune.Scorer} (saliency) +
 * {@link dev.surgeon.core.prune.Allocation} (global, per layer, bounds) + {@link dev.surgeon.core.prune.Pattern}
 * (unstructured, N:M, blocks) + {@link dev.surgeon.core.prune.Updater} (none, summed or joint OBS correction) — driven by a
 * {@link dev.surgeon.core.prune.Schedule} (one-shot, recomputation rounds, gradual cubic, the OBS stopping rule, SNIP's
 * prune-at-initialization) over a {@link dev.surgeon.core.prune.PruningContext} (network, loss, data, seed, mask,
 * records), as described by a {@link dev.surgeon.core.prune.PruningPlan} and executed by
 * {@link dev.surgeon.core.prune.PruningRun}, which returns a {@link dev.surgeon.core.prune.PruningReport}. Methods are
 * named presets of these parts with documented knobs ({@link dev.surgeon.core.prune.PruningMethods}). Curvature-based
 * scorers work on a {@link dev.surgeon.core.prune.QuadraticModel} built by a
 * {@link dev.surgeon.core.prune.QuadraticModelSource}; layer-wise algorithms plug in as
 * {@link dev.surgeon.core.prune.LayerPruner}s driven by {@link dev.surgeon.core.prune.LayerwisePruning}. The reproduction
 * experiments are in the {@code experiments} sub-package.
 */
package dev.surgeon.core.prune;
