package dev.surgeon.core.prune.structured;

import dev.surgeon.core.nn.LayerStatistics;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import java.util.List;

/**
 * Per-sample derivatives of output seeds with respect to the structure gates (Molchanov et al. 2019, "Importance
 * estimation for neural network pruning", METHODS D2): for seeds e_n (the vector back-propagated from sample n's
 * outputs), {@code ∂(e_nᵀ f_n)/∂u_s} for every structure s, from one backward pass over the batch.
 *
 * <p>With a gate u_c on the input channel c of the next weighted layer, z'_{r,i} = Σ_j W'_{ij} h'_{r,j} and u_c scales
 * h'_{r,j} for the columns j of channel c, so ∂/∂u_c = Σ_{r of n} Σ_{j ∈ block(c)} (Δ' W')_{r,j} · h'_{r,j}, with Δ' the
 * back-propagated signal at the next layer's output (rows r = samples, or sample × output position for
 * convolutions) and h' its (unfolded) inputs — one gemm Δ'W' per layer and an elementwise reduction. With per-sample
 * loss seeds (scale 1, {@link Network#lossSeeds}) this is ∂ℓ_n/∂u_s = θ_sᵀ∇ℓ_n (the gate gradient, and the
 * Taylor-2017 term Σ_m a_m ∂ℓ_n/∂a_m of the map as the next layer reads it); with the columns of the loss-Hessian
 * factor as seeds it gives the rows of the gate-space Jacobian needed for the Gauss-Newton matrix ΘᵀG Θ. Cost per
 * batch: one backward pass plus Σ_l rows·d_col·d_out multiply-adds. Not thread-safe; scratch is reused.
 */
final class GateDerivatives {
    private final Structures structures;
    private float[] product = new float[0];

    GateDerivatives(Structures structures) {
        this.structures = structures;
    }

    /**
     * Back-propagates the seeds (B × K at {@code seedOff}) through the network at the workspace's last forward pass and
     * writes {@code out[n·S + s]} for the B samples and S structures (overwritten).
     */
    void compute(Workspace ws, float[] seeds, int seedOff, double[] out) {
        Network net = structures.network();
        int batch = ws.batch();
        int count = structures.size();
        java.util.Arrays.fill(out, 0, batch * count, 0);
        List<LayerStatistics> stats = net.kroneckerStatistics(ws, seeds, seedOff);
        Kernels k = net.kernels();
        float[] w = net.parameters();
        for (int j = 0; j < structures.linkCount(); j++) {
            List<Structure> group = structures.ofLink(j);
            if (group.isEmpty()) {
                continue;
            }
            int next = group.get(0).link().next();
            LayerStatistics st = null;
            for (LayerStatistics s : stats) {
                if (s.layer().index() == next) {
                    st = s;
                }
            }
            ParameterTensor weight = st.weight();
            int rows = st.rows();
            int dcol = st.inputColumns();
            int dout = st.outputColumns();
            int per = group.get(0).link().columnsPerUnit();
            if (product.length < rows * dcol) {
                product = new float[rows * dcol];
            }
            float[] x = st.inputs();
            int xo = st.inputOffset();
            int perSample = st.rowsPerSample();
            float[] d = st.outputGradients();
            boolean gradientRows = st.gradientFeatureStride() == 1;
            int ldd = gradientRows ? st.gradientSampleStride() : st.gradientFeatureStride();
            if (st.inputFeatureStride() == 1) {
                // P = Δ' W' as rows × d_col, the inputs' layout.
                k.gemm(gradientRows ? Trans.N : Trans.T, Trans.N, rows, dcol, dout, 1f, d, st.gradientOffset(), ldd,
                        w, weight.offset(), dcol, 0f, product, 0, dcol);
                int iss = st.inputSampleStride();
                for (int r = 0; r < rows; r++) {
                    int n = r / perSample;
                    for (Structure s : group) {
                        int from = s.unit() * per;
                        double acc = 0;
                        for (int c = from; c < from + per; c++) {
                            acc += (double) product[r * dcol + c] * x[xo + r * iss + c];
                        }
                        out[n * count + s.index()] += acc;
                    }
                }
            } else {
                // Pᵀ = W'ᵀ Δ'ᵀ as d_col × rows, the inputs' layout (sample stride 1).
                k.gemm(Trans.T, gradientRows ? Trans.T : Trans.N, dcol, rows, dout, 1f, w, weight.offset(), dcol,
                        d, st.gradientOffset(), ldd, 0f, product, 0, rows);
                int ifs = st.inputFeatureStride();
                for (Structure s : group) {
                    int from = s.unit() * per;
                    for (int c = from; c < from + per; c++) {
                        int p = c * rows;
                        int xi = xo + c * ifs;
                        for (int r = 0; r < rows; r++) {
                            out[(r / perSample) * count + s.index()] += (double) product[p + r] * x[xi + r];
                        }
                    }
                }
            }
        }
    }
}
