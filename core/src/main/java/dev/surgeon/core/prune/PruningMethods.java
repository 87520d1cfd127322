package dev.surgeon.core.prune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The named pruning methods (presets of {@link Scorer}, {@link Allocation}, {@link Pattern}, {@link Updater} and
 * {@link Schedule}), each with its knobs and defaults from METHODS.md:
 * <table>
 *   <caption>methods</caption>
 *   <tr><th>name</th><th>class</th><th>METHODS</th></tr>
 *   <tr><td>magnitude, han, random</td><td>{@link Magnitude}</td><td>B1</td></tr>
 *   <tr><td>obd</td><td>{@link OptimalBrainDamage}</td><td>B2</td></tr>
 *   <tr><td>obs</td><td>{@link OptimalBrainSurgeon}</td><td>B3</td></tr>
 *   <tr><td>lobs</td><td>{@link LayerwiseObs}</td><td>B4</td></tr>
 *   <tr><td>woodfisher</td><td>{@link WoodFisher}</td><td>B5</td></tr>
 *   <tr><td>mfac</td><td>{@link MfacPruner}</td><td>B6</td></tr>
 *   <tr><td>cbs</td><td>{@link CombinatorialBrainSurgeon}</td><td>B7</td></tr>
 *   <tr><td>kfac-obs</td><td>{@link KfacObs}</td><td>A7, R9</td></tr>
 *   <tr><td>diag-fisher</td><td>{@link DiagonalFisher}</td><td>R9</td></tr>
 *   <tr><td>exact-obs</td><td>{@link ExactObsPruning} ({@link ExactObs})</td><td>B9</td></tr>
 *   <tr><td>sparsegpt</td><td>{@link SparseGptPruning} ({@link SparseGpt})</td><td>B10</td></tr>
 *   <tr><td>snip</td><td>{@link Snip}</td><td>B11</td></tr>
 * </table>
 * Layer-wise methods (L-OBS, ExactOBS, SparseGPT) are {@link LayerPruner}s driven by {@link LayerwisePruning}.
 */
public final class PruningMethods {
    private PruningMethods() {
    }

    /** Every method, in the order above. */
    public static List<MethodDefinition> all() {
        List<MethodDefinition> list = new ArrayList<>();
        list.add(Magnitude.magnitude());
        list.add(Magnitude.han());
        list.add(Magnitude.random());
        list.add(OptimalBrainDamage.method());
        list.add(OptimalBrainSurgeon.method());
        list.add(LayerwiseObs.method());
        list.add(WoodFisher.method());
        list.add(MfacPruner.method());
        list.add(CombinatorialBrainSurgeon.method());
        list.add(KfacObs.method());
        list.add(DiagonalFisher.method());
        list.add(ExactObsPruning.method());
        list.add(SparseGptPruning.method());
        list.add(Snip.method());
        return list;
    }

    /** The method names. */
    public static Set<String> names() {
        Map<String, MethodDefinition> m = new LinkedHashMap<>();
        for (MethodDefinition d : all()) {
            m.put(d.name(), d);
        }
        return m.keySet();
    }

    /**
     * The method with this name.
     *
     * @throws IllegalArgumentException naming the known methods
     */
    public static MethodDefinition named(String name) {
        for (MethodDefinition d : all()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown pruning method '" + name + "'; known: " + String.join(", ", names()));
    }

    /** The plan of a named method with knob overrides (knob → text value). */
    public static PruningPlan plan(String name, Map<String, String> overrides) {
        return named(name).plan(overrides);
    }
}
