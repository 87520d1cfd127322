package dev.surgeon.core.prune.structured;

import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.GradientKind;
import dev.surgeon.core.curvature.KfacDamping;
import dev.surgeon.core.curvature.KfacOperator;
import dev.surgeon.core.curvature.ParameterSubset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.QuadraticModel;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Kronecker-factored OBS for structures, C-OBS of Wang, Grosse, Fidler and Zhang (2019, "EigenDamage: Structured pruning
 * in the Kronecker-factored eigenbasis"; METHODS D4), on the K-FAC Fisher F ≈ Γ ⊗ A of each layer (A7) from the true
 * Fisher (labels sampled from the model, seeded), eigen-damped: F = Γ ⊗ A + λI exactly ({@link KfacOperator}).
 * <ul>
 *   <li>Importance of output unit i of a layer: Σ_j W̄_ij² / (2[F⁻¹]_{ij,ij}) over its row and bias (W̄ = [W | b]),
 *       the sum of the single-weight OBS saliencies (METHODS 1.2). Undamped, [F⁻¹]_{ij,ij} = [Γ⁻¹]_ii [A⁻¹]_jj, which
 *       is D4's Σ_j W_ij² / ([Γ⁻¹]_ii [A⁻¹]_jj) up to the factor ½ (tested against the dense Kronecker product).</li>
 *   <li>Correction after removing the rows R: δw = −F⁻¹c with c_ij = W̄_ij/[F⁻¹]_{ij,ij} for i ∈ R and 0 elsewhere; with
 *       F = Γ ⊗ A this is D4's ΔW = −Γ⁻¹ C A⁻¹, the sum of the single-weight OBS updates. The removed rows are then set
 *       to exactly 0 (the summed update does not zero them by itself), together with their outgoing columns.</li>
 * </ul>
 * Deviation: the reference adds only 1e-10 to the eigenvalues; METHODS D4 asks for real damping, λ here. Saliencies are
 * of the loss as the context reduces it (the K-FAC operator's convention). Ranking is global.
 */
public final class KroneckerObs implements StructureScorer {
    private final int samples;
    private final int batch;
    private final double damping;
    private final boolean update;
    private QuadraticModel model;
    private double[] inverseDiagonal;

    /**
     * @param samples calibration samples for the factors (0: all)
     * @param batch   samples per pass
     * @param damping λ of Γ ⊗ A + λI
     * @param update  apply the OBS correction to the remaining weights of the layer
     */
    public KroneckerObs(int samples, int batch, double damping, boolean update) {
        if (!(damping > 0)) {
            throw new IllegalArgumentException("the K-FAC damping must be > 0 (dead units make the factors singular), got "
                    + damping);
        }
        this.samples = samples;
        this.batch = batch;
        this.damping = damping;
        this.update = update;
    }

    @Override
    public String name() {
        return "kfac-obs";
    }

    /** The K-FAC model of the layers owning structures, at the current weights. */
    QuadraticModel model(PruningContext ctx, Structures structures) {
        Network net = ctx.network();
        Set<String> layers = new LinkedHashSet<>();
        for (Structure s : structures.all()) {
            String n = net.layers().get(s.layer()).parameters().get(0).name();
            layers.add(n.substring(0, n.indexOf('.')));
        }
        ParameterSubset subset = ParameterSubset.layers(net.layout(), layers.toArray(String[]::new));
        int n = samples <= 0 ? ctx.train().size() : Math.min(samples, ctx.train().size());
        DataSource data = ctx.calibration("K-FAC factors", n, Math.min(batch, n));
        KfacOperator op = Curvature.of(net, ctx.loss(), data).subset(subset).seed(ctx.derivedSeed("K-FAC labels"))
                .progress(ctx.progress()).kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(damping));
        ctx.recordDamping(op.dampingUsed());
        return QuadraticModel.of(op, subset, net.kernels());
    }

    @Override
    public double[] score(PruningContext ctx, Structures structures) {
        model = model(ctx, structures);
        inverseDiagonal = model.inverseDiagonal();
        float[] w = ctx.network().parameters();
        double[] out = new double[structures.size()];
        for (Structure s : structures.all()) {
            double acc = 0;
            for (int q : s.incoming()) {
                int i = model.subset().local(q);
                acc += (double) w[q] * w[q] / (2 * inverseDiagonal[i]);
            }
            out[s.index()] = acc;
        }
        return out;
    }

    @Override
    public void correct(PruningContext ctx, Structures structures, List<Structure> removed) {
        if (!update || removed.isEmpty()) {
            return;
        }
        ParameterSubset subset = model.subset();
        float[] w = ctx.network().parameters();
        double[] c = new double[subset.dim()];
        for (Structure s : removed) {
            for (int q : s.incoming()) {
                int i = subset.local(q);
                c[i] = w[q] / inverseDiagonal[i];
            }
        }
        double[] delta = new double[subset.dim()];
        model.inverseMultiply(c, delta);
        for (int i = 0; i < delta.length; i++) {
            int q = subset.global(i);
            w[q] = (float) (w[q] - delta[i]);
        }
        for (int q : ctx.mask().prunedIndices()) {
            w[q] = 0f;
        }
    }
}
