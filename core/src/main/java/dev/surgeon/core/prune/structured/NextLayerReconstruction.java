package dev.surgeon.core.prune.structured;

import dev.surgeon.core.curvature.DampedCholesky;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.MemoryBudget;
import dev.surgeon.core.nn.Layer;
import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compensation for removed structures in the layer that reads them: the remaining input weights and the bias of the
 * next weighted layer are refitted by least squares so that its pre-activations on calibration data stay as close as
 * possible to those of the network before the removal.
 *
 * <h2>What is solved</h2>
 * For a consumer layer with augmented weights W̄ = [W | b] (d_out × d, d = d_col + 1) and augmented inputs
 * x̄ = [x; 1] (dense: the layer input; convolution: one unfolded patch per output position), let x̄_ref be the inputs
 * of the network as it was before this removal and x̄ the inputs of the network with the removals of this and all
 * earlier layers already applied. With G the input columns of the removed structures (and K the others that carry
 * signal), the refit is
 * <pre>
 *   min over W̄'  E ‖W̄ x̄_ref − W̄' x̄‖² + λ ‖W̄'_K − W̄_K‖²   subject to W̄'_{:,G} = 0
 *   ⇒  W̄'_K (H_KK + λI) = W̄ C_{:,K} + λ W̄_K,   H = E[x̄ x̄ᵀ],  C = E[x̄_ref x̄ᵀ],
 * </pre>
 * one Cholesky factorization of H_KK + λI and d_out right-hand sides. When nothing upstream changed (x̄ = x̄_ref,
 * C = H) this is W̄'_K = W̄_K + W̄_G H_GK (H_KK + λI)⁻¹, which is the Optimal Brain Surgeon step for removing the
 * set of weights G from every row at once on the damped layer-wise Hessian 2(H + λI) (Hassibi and Stork 1993, eq. 5
 * with a set of unit vectors: δw = −H⁻¹E_G (E_Gᵀ H⁻¹ E_G)⁻¹ E_Gᵀw; Frantar and Alistarh 2022, OBC, for groups of
 * columns) — tested against that formula. The damping term pulls the refit toward the original weights rather than
 * toward 0, which is what makes the two coincide. The least-squares reconstruction of the next layer is also the second step of
 * He, Zhang and Sun 2017 (channel pruning) and of ThiNet (Luo, Wu and Lin 2017); here it follows whatever criterion
 * chose the structures.
 *
 * <p>Layers are processed in forward order, each with the inputs of the network in which every earlier removal and
 * refit is already in place (the "sequential" variant of OBC/SparseGPT), so drift from upstream layers is corrected
 * too. Only layers that read a removed structure are refitted. Input columns that are zero on all calibration data
 * (units removed earlier) are left out of K. Damping: λ = {@code damping} × mean(diag H_KK), raised by
 * {@link DampedCholesky}'s retry when the factorization fails.
 *
 * <p>Cost per consumer layer: two forward passes over the calibration samples, O(N d²) for H and C in double
 * (N = samples × output positions), O(d³ + d_out d²) for the solve; memory about 8·(5d² + 5 d_out·d) bytes plus
 * chunk buffers, checked against the {@link MemoryBudget} before anything is allocated
 * ({@link dev.surgeon.core.curvature.CurvatureTooLargeException}).
 */
public final class NextLayerReconstruction {
    /** Input vectors per double chunk of the moment accumulation. */
    private static final int CHUNK = 1024;

    private final int samples;
    private final int batch;
    private final double damping;

    /**
     * @param samples calibration samples (seeded subset of the training set; 0: all)
     * @param batch   samples per forward pass
     * @param damping relative damping λ / mean(diag H_KK), &gt; 0
     */
    public NextLayerReconstruction(int samples, int batch, double damping) {
        if (!(damping > 0) || !Double.isFinite(damping)) {
            throw new IllegalArgumentException("the reconstruction damping must be a finite number > 0 (a fraction of the "
                    + "mean diagonal of the input moments, 0.01 is usual), got " + damping);
        }
        if (samples < 0 || batch < 1) {
            throw new IllegalArgumentException("reconstruction samples must be >= 0 (0: all) and the batch >= 1, got "
                    + samples + " and " + batch);
        }
        this.samples = samples;
        this.batch = batch;
        this.damping = damping;
    }

    /** One refitted layer: how much of the removal's output error the refit took away on the calibration data. */
    public record Refit(String layer, int removedColumns, int keptColumns, double errorWithout, double errorWith, double lambda) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s: %d input columns removed, %d refitted; mean squared output error "
                    + "%.4g without the refit, %.4g with it (λ = %.3g)", layer, removedColumns, keptColumns, errorWithout,
                    errorWith, lambda);
        }
    }

    /**
     * Removes {@code removed} from the context's network (incoming and outgoing weights set to 0, masked) and refits
     * every layer that read them. The removal itself is the same as {@link Structures#remove}; doing it here, layer by
     * layer, is what lets each refit see the inputs of the already pruned upstream layers.
     *
     * @return one entry per refitted layer, in forward order
     */
    public List<Refit> removeAndRefit(PruningContext ctx, Structures structures, List<Structure> removed) {
        Network net = ctx.network();
        if (removed.isEmpty()) {
            return List.of();
        }
        Map<Integer, List<Structure>> byConsumer = new TreeMap<>();
        for (Structure s : removed) {
            byConsumer.computeIfAbsent(s.link().next(), k -> new ArrayList<>()).add(s);
        }
        for (int layer : byConsumer.keySet()) {
            requireMemory(net.layers().get(layer)); // before anything is changed or allocated
        }
        int n = samples <= 0 ? ctx.train().size() : Math.min(samples, ctx.train().size());
        DataSource data = ctx.calibration("next-layer reconstruction", n, Math.min(batch, n));
        Network reference = net.copy(net.kernels());
        List<Integer> newlyPruned = new ArrayList<>();
        for (Structure s : removed) {
            for (int[] indices : new int[][] {s.incoming(), s.outgoing()}) {
                for (int q : indices) {
                    if (!ctx.mask().isPruned(q)) {
                        newlyPruned.add(q);
                    }
                }
            }
        }
        List<Refit> refits = new ArrayList<>();
        try {
            for (Map.Entry<Integer, List<Structure>> e : byConsumer.entrySet()) {
                // The removed units feeding this layer go first: the refit must see their inputs as 0.
                for (Structure s : e.getValue()) {
                    structures.remove(s, ctx.mask());
                }
                ctx.mask().apply(net.parameters());
                refits.add(refit(net, reference, net.layers().get(e.getKey()), e.getValue(), data));
            }
        } catch (RuntimeException e) {
            // A failed refit (non-finite inputs, a factorization that no damping rescues) leaves the network as it was.
            System.arraycopy(reference.parameters(), 0, net.parameters(), 0, net.parameterCount());
            newlyPruned.forEach(ctx.mask()::restore);
            throw e;
        }
        for (Structure s : removed) {
            structures.remove(s, ctx.mask());
        }
        ctx.mask().apply(net.parameters());
        return refits;
    }

    /** The memory pre-flight of one consumer layer: three d × d moments, the kept block and its factor, five d_out × d work
     * matrices and two chunk buffers, in double. */
    private static void requireMemory(Layer consumer) {
        ParameterTensor weight = consumer.parameters().get(0);
        long d = weight.columns() + (consumer.parameters().size() > 1 ? 1L : 0L);
        long bytes = 8L * (5L * d * d + 5L * weight.rows() * d + 2L * CHUNK * d);
        MemoryBudget.defaultBudget().require(layerName(weight) + " next-layer reconstruction", bytes, d * d,
                "a d × d double moment of the layer's inputs, d = " + d, List.of());
    }

    /** Refits one consumer layer of {@code net} against {@code reference}'s output of the same layer. */
    Refit refit(Network net, Network reference, Layer consumer, List<Structure> removed, DataSource data) {
        ParameterTensor weight = consumer.parameters().get(0);
        ParameterTensor bias = consumer.parameters().size() > 1 ? consumer.parameters().get(1) : null;
        int dOut = weight.rows();
        int dCol = weight.columns();
        int d = dCol + (bias == null ? 0 : 1);
        boolean[] gone = new boolean[d];
        for (Structure s : removed) {
            for (int q : s.outgoing()) {
                if (!weight.contains(q)) {
                    throw new IllegalStateException(s + ": outgoing index " + q + " is not in " + weight.name());
                }
                gone[(q - weight.offset()) % dCol] = true;
            }
        }
        Moments m = moments(net, reference, consumer.index(), d, dCol, data);
        for (int i = 0; i < d * d; i++) {
            if (!Double.isFinite(m.h[i]) || !Double.isFinite(m.c[i]) || !Double.isFinite(m.href[i])) {
                throw new ReconstructionFailedException(layerName(weight), layerName(weight) + ": its inputs on the "
                        + "calibration data are not finite (input moment " + (i / d) + ", " + (i % d) + " is "
                        + (Double.isFinite(m.h[i]) ? Double.isFinite(m.c[i]) ? m.href[i] : m.c[i] : m.h[i])
                        + "); check the model's weights and the data for NaN or overflow, or prune without reconstruct");
            }
        }
        // The target is the layer as it was: the removal has already zeroed W̄_{:,G} in the pruned network.
        float[] original = reference.parameters();
        double[] wBar = new double[dOut * d];
        for (int i = 0; i < dOut; i++) {
            for (int j = 0; j < dCol; j++) {
                wBar[i * d + j] = original[weight.offset() + i * dCol + j];
            }
            if (bias != null) {
                wBar[i * d + dCol] = original[bias.offset() + i];
            }
        }
        int[] kept = keptColumns(m.h, d, gone);
        int k = kept.length;
        int removedColumns = 0;
        for (boolean g : gone) {
            removedColumns += g ? 1 : 0;
        }
        Kernels kernels = net.kernels();
        // R = W̄ C (d_out × d); the right-hand sides are its kept columns, one system per output row.
        double[] r = new double[dOut * d];
        kernels.gemm(Trans.N, Trans.N, dOut, d, d, 1.0, wBar, 0, d, m.c, 0, d, 0.0, r, 0, d);
        double[] hkk = new double[k * k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b <= a; b++) {
                hkk[a * k + b] = m.h[kept[a] * d + kept[b]];
            }
        }
        double[] factor = new double[k * k];
        var record = DampedCholesky.factor(kernels, weight.name() + " reconstruction", hkk, 0, k, k,
                Damping.relative(damping), factor, 0, k);
        double lambda = record.used();
        double[] rhs = new double[k * dOut];
        for (int a = 0; a < k; a++) {
            for (int i = 0; i < dOut; i++) {
                rhs[a * dOut + i] = r[i * d + kept[a]] + lambda * wBar[i * d + kept[a]];
            }
        }
        kernels.potrs(Uplo.LOWER, k, dOut, factor, 0, k, rhs, 0, dOut);
        double[] fitted = new double[dOut * d];
        for (int a = 0; a < k; a++) {
            for (int i = 0; i < dOut; i++) {
                fitted[i * d + kept[a]] = rhs[a * dOut + i];
            }
        }
        // Without the refit the layer keeps W̄ on the kept columns (the removed ones are 0 either way).
        double[] plain = new double[dOut * d];
        for (int i = 0; i < dOut; i++) {
            for (int a = 0; a < k; a++) {
                plain[i * d + kept[a]] = wBar[i * d + kept[a]];
            }
        }
        double referenceEnergy = m.referenceEnergy(wBar, dOut, kernels);
        double errorWithout = m.error(referenceEnergy, r, plain, dOut, kernels);
        double errorWith = m.error(referenceEnergy, r, fitted, dOut, kernels);
        float[] w = net.parameters();
        for (int i = 0; i < dOut; i++) {
            for (int a = 0; a < k; a++) {
                int j = kept[a];
                float v = (float) fitted[i * d + j];
                if (j < dCol) {
                    w[weight.offset() + i * dCol + j] = v;
                } else {
                    w[bias.offset() + i] = v;
                }
            }
        }
        return new Refit(layerName(weight), removedColumns, k, errorWithout, errorWith, lambda);
    }

    /** Columns not removed that carry signal (H_jj &gt; 0), ascending. */
    private static int[] keptColumns(double[] h, int d, boolean[] gone) {
        int count = 0;
        int[] kept = new int[d];
        for (int j = 0; j < d; j++) {
            if (!gone[j] && h[j * d + j] > 0) {
                kept[count++] = j;
            }
        }
        return java.util.Arrays.copyOf(kept, count);
    }

    /** H = E[x̄ x̄ᵀ], C = E[x̄_ref x̄ᵀ] and H_ref = E[x̄_ref x̄_refᵀ] over the calibration inputs (H, H_ref symmetric). */
    static final class Moments {
        final int d;
        final double[] h;
        final double[] c;
        final double[] href;
        long count;

        Moments(int d) {
            this.d = d;
            this.h = new double[d * d];
            this.c = new double[d * d];
            this.href = new double[d * d];
        }

        /** E‖W̄ x̄_ref‖² = tr(W̄ H_ref W̄ᵀ), the first term of {@link #error}. */
        double referenceEnergy(double[] wBar, int dOut, Kernels kernels) {
            double[] t = new double[dOut * d];
            kernels.gemm(Trans.N, Trans.N, dOut, d, d, 1.0, wBar, 0, d, href, 0, d, 0.0, t, 0, d);
            double e = 0;
            for (int i = 0; i < dOut * d; i++) {
                e += t[i] * wBar[i];
            }
            return e;
        }

        /**
         * E‖W̄ x̄_ref − V x̄‖² per output from the moments: tr(W̄ H_ref W̄ᵀ) − 2 tr(W̄ C Vᵀ) + tr(V H Vᵀ), divided by
         * d_out; {@code reference} is the first term ({@link #referenceEnergy}) and {@code wc} = W̄ C.
         */
        double error(double reference, double[] wc, double[] v, int dOut, Kernels kernels) {
            double[] t = new double[dOut * d];
            kernels.gemm(Trans.N, Trans.N, dOut, d, d, 1.0, v, 0, d, h, 0, d, 0.0, t, 0, d);
            double e = reference;
            for (int i = 0; i < dOut * d; i++) {
                e += (t[i] - 2 * wc[i]) * v[i];
            }
            return Math.max(0, e) / dOut;
        }
    }

    /** One pass over the calibration data through both networks, accumulating the moments of the consumer's inputs. */
    static Moments moments(Network net, Network reference, int layer, int d, int dCol, DataSource data) {
        Workspace ws = net.workspace(data.batchSize());
        Workspace wr = reference.workspace(data.batchSize());
        Moments m = new Moments(d);
        double[] x = new double[CHUNK * d];
        double[] xr = new double[CHUNK * d];
        Kernels kernels = net.kernels();
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            data.load(wr, b);
            net.forward(ws, false);
            reference.forward(wr, false);
            LayerStatistics v = view(net.layerInputs(ws), layer);
            LayerStatistics vr = view(reference.layerInputs(wr), layer);
            if (v.rows() != vr.rows() || v.inputColumns() != dCol || vr.inputColumns() != dCol) {
                throw new IllegalStateException("layer " + layer + ": the reference and the pruned network disagree on the "
                        + "input shape (" + vr.rows() + "×" + vr.inputColumns() + " vs " + v.rows() + "×" + v.inputColumns() + ")");
            }
            for (int r0 = 0; r0 < v.rows(); r0 += CHUNK) {
                int rows = Math.min(CHUNK, v.rows() - r0);
                gather(v, r0, rows, d, dCol, x);
                gather(vr, r0, rows, d, dCol, xr);
                kernels.syrk(Uplo.LOWER, Trans.T, d, rows, 1.0, x, 0, d, 1.0, m.h, 0, d);
                kernels.syrk(Uplo.LOWER, Trans.T, d, rows, 1.0, xr, 0, d, 1.0, m.href, 0, d);
                kernels.gemm(Trans.T, Trans.N, d, d, rows, 1.0, xr, 0, d, x, 0, d, 1.0, m.c, 0, d);
                m.count += rows;
            }
        }
        double scale = 1.0 / m.count;
        for (int i = 0; i < d * d; i++) {
            m.h[i] *= scale;
            m.href[i] *= scale;
            m.c[i] *= scale;
        }
        kernels.symmetrize(Uplo.LOWER, d, m.h, 0, d);
        kernels.symmetrize(Uplo.LOWER, d, m.href, 0, d);
        return m;
    }

    /** Input vectors r0 … r0+rows−1 of the view as rows of {@code out} (rows × d, row-major), 1 in column d_col. */
    private static void gather(LayerStatistics v, int r0, int rows, int d, int dCol, double[] out) {
        float[] in = v.inputs();
        int ss = v.inputSampleStride();
        int fs = v.inputFeatureStride();
        int off = v.inputOffset() + r0 * ss;
        for (int j = 0; j < dCol; j++) {
            int src = off + j * fs;
            for (int r = 0; r < rows; r++) {
                out[r * d + j] = in[src + r * ss];
            }
        }
        if (d > dCol) {
            for (int r = 0; r < rows; r++) {
                out[r * d + dCol] = 1.0;
            }
        }
    }

    private static LayerStatistics view(List<LayerStatistics> views, int layer) {
        for (LayerStatistics v : views) {
            if (v.layer().index() == layer) {
                return v;
            }
        }
        throw new IllegalStateException("layer " + layer + " has no input statistics (not a dense or convolutional layer)");
    }

    /** The layer part of a parameter name ("fc1" of "fc1.weight"). */
    private static String layerName(ParameterTensor t) {
        int dot = t.name().lastIndexOf('.');
        return dot < 0 ? t.name() : t.name().substring(0, dot);
    }
}
