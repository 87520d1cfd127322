package dev.surgeon.core.prune;

import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.quant.QuantizedWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link LayerReconstruction} (or {@link LayerErrorDatabase#assemble}) produced: the compressed copy of the
 * network, its mask, one {@link LayerReconstructionResult} per compressed layer (predicted and measured
 * reconstruction error, damping used, time, quantization data), the layers left dense with the reason, and the
 * calibration sample indices (METHODS G.4: recorded with every result).
 *
 * @param network            the compressed network (a copy)
 * @param mask               its mask (pruned weights are exactly 0)
 * @param layers             per compressed layer, in network order
 * @param skipped            layers left dense, with the reason
 * @param calibrationIndices dataset indices of the calibration samples, in feeding order
 * @param sequential         whether layer inputs came from the already-compressed layers
 * @param seconds            wall time of the whole run
 */
public record LayerReconstructionReport(Network network, Mask mask, List<LayerReconstructionResult> layers,
                                        List<Skipped> skipped, int[] calibrationIndices, boolean sequential,
                                        double seconds) {

    /** A layer left dense, and why. */
    public record Skipped(String layer, String reason) {
    }

    public LayerReconstructionReport {
        layers = List.copyOf(layers);
        skipped = List.copyOf(skipped);
    }

    /** The quantized tensors (codes, scales, zeros) of the layers a quantizing method compressed. */
    public List<QuantizedWeights> quantized() {
        List<QuantizedWeights> q = new ArrayList<>();
        for (LayerReconstructionResult r : layers) {
            if (r.quantized() != null) {
                q.add(r.quantized());
            }
        }
        return q;
    }

    /** The result for one weight tensor. */
    public LayerReconstructionResult layer(String name) {
        for (LayerReconstructionResult r : layers) {
            if (r.layer().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no compressed layer " + name + " (compressed: "
                + layers.stream().map(LayerReconstructionResult::layer).toList() + ")");
    }

    /** Fraction of pruned weights over the compressed layers. */
    public double sparsity() {
        long pruned = 0;
        long total = 0;
        for (LayerReconstructionResult r : layers) {
            for (boolean p : r.pruned()) {
                pruned += p ? 1 : 0;
            }
            total += r.pruned().length;
        }
        return total == 0 ? 0 : (double) pruned / total;
    }

    /** A Markdown table: layer, method, sparsity, predicted and measured error, relative error, λ, time. */
    public String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("| layer | method | sparsity | Σ losses | (1/N)‖(W−Ŵ)X‖² | relative | λ | s |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (LayerReconstructionResult r : layers) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.6g | %.6g | %.4g | %.3g | %.2f |%n", r.layer(), r.method(),
                    r.sparsity(), r.predictedLoss(), r.reconstructionError(), r.relativeError(), r.damping().used(),
                    r.seconds()));
        }
        for (Skipped s : skipped) {
            b.append("| ").append(s.layer()).append(" | skipped: ").append(s.reason()).append(" | 0 | | | | | |\n");
        }
        return b.toString();
    }
}
