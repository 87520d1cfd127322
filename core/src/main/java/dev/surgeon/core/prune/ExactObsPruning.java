package dev.surgeon.core.prune;

import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.nn.ParameterTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code exact-obs} method: ExactOBS, the pruning half of Optimal Brain Compression (Frantar, Singh and Alistarh
 * 2022, "Optimal brain compression: A framework for accurate post-training quantization and pruning"; METHODS B9), as a
 * {@link LayerPruner} driven by {@link LayerwisePruning}. Each layer is pruned by {@link ExactObs} against its
 * layer-wise Hessian H = (2/N) X Xᵀ + λI: exact greedy OBS per row, then OBC's global selection over the row traces of
 * the layer ({@link ExactObsTraces#atSparsity}). Unstructured, N:M ({@code nm:keep=N,group=M}) and block
 * ({@code blocks:B}) patterns.
 *
 * <h2>Why a layer pruner and not an adapter around {@link LayerReconstruction}</h2>
 * OBC's row-trace selection decides, inside one layer, how many weights each row loses; all it needs from outside is
 * the layer's count, which is exactly what {@link LayerwisePruning} hands a layer pruner ({@link LayerTask#targetPruned}),
 * so nothing of ExactOBS is lost. In exchange every part of the pruning framework applies unchanged: calibration
 * samples drawn from the run's seed and recorded, damping records, dense or sequential layer inputs, the allocation
 * ({@code scope} layer = OBC's uniform sparsity, or global over w²/(2[H⁻¹]_jj), with per-layer bounds), schedules,
 * fine-tuning and the {@link PruningReport}. OBC's non-uniform allocation plugs in as the driver's
 * {@link LayerwisePruning.LayerTargets}: {@code allocation=spdy} builds the {@link LayerErrorDatabase} (one ExactOBS
 * run per layer, calibration-loss error of every density level) and solves {@link SpdyAllocation}'s dynamic program
 * for the parameter budget (or the FLOP budget with {@code spdy-flops}); the traces of the database are kept and
 * answer the layers' targets, so ExactOBS runs once per layer either way.
 *
 * <p>Deviations: weights that are already 0 (pruned earlier, or inputs that never fire on the calibration samples, A9)
 * are eliminated first with loss 0 and stay pruned, so a layer may end with more pruned weights than its target when
 * it holds more zeros than that ({@link #targetTolerance}). Pruning every weight of a layer is refused (ExactOBS
 * sparsities are below 1).
 */
public final class ExactObsPruning implements LayerPruner {

    /** How the per-layer targets are chosen. */
    public enum Targets {
        /** From the {@code scope} knob and the bounds (the framework's {@link Allocation}). */
        SCOPE,
        /** OBC's error database + dynamic program under a parameter budget (1 − s)·weights. */
        SPDY,
        /** The same under a FLOP budget (1 − s)·dense multiply-adds. */
        SPDY_FLOPS;

        static Targets parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "scope" -> SCOPE;
                case "spdy" -> SPDY;
                case "spdy-flops" -> SPDY_FLOPS;
                default -> throw new IllegalArgumentException("exact-obs: unknown allocation '" + text
                        + "'; use scope (the scope knob: layer = uniform, global), spdy or spdy-flops");
            };
        }
    }

    private final Pattern pattern;
    private final Targets allocation;
    private final Damping damping;
    private final double spdyStep;
    private final double spdyMaxSparsity;
    /** Results computed by the SPDY database for the current step, consumed by {@link #prune}. */
    private final Map<String, LayerReconstructionResult> precomputed = new HashMap<>();

    /**
     * @param pattern         unstructured, N:M or blocks
     * @param allocation      how per-layer targets are chosen ({@link #layerTargets()} for the SPDY modes)
     * @param damping         the damping of every H (the database of the SPDY modes builds its own Hessians with it)
     * @param spdyStep        δ of the database's density ladder
     * @param spdyMaxSparsity the database's last level
     */
    public ExactObsPruning(Pattern pattern, Targets allocation, Damping damping, double spdyStep, double spdyMaxSparsity) {
        if (allocation != Targets.SCOPE && pattern instanceof Pattern.NOfM nm) {
            throw new IllegalArgumentException("exact-obs: the N:M pattern " + nm + " fixes every layer's sparsity; the spdy "
                    + "allocation applies to unstructured and block patterns");
        }
        this.pattern = pattern;
        this.allocation = allocation;
        this.damping = damping;
        this.spdyStep = spdyStep;
        this.spdyMaxSparsity = spdyMaxSparsity;
    }

    /** The {@code exact-obs} preset. */
    public static MethodDefinition method() {
        return new MethodDefinition("exact-obs", "ExactOBS / OBC: exact greedy OBS per row on each layer's reconstruction "
                + "error, global selection over the row traces; unstructured, N:M, blocks; uniform or SPDY allocation (METHODS B9)",
                new Presets.KnobList().set("scope", "layer")
                        .add("calibration", "1024", "calibration samples whose layer inputs X give H = (2/N) X Xᵀ (OBC: 1024)")
                        .add("batch", "128", "samples per forward pass while collecting inputs (no effect on the result)")
                        .add("damping", "0", "absolute λ added to every H")
                        .add("relative_damping", "0", "p: λ = p·mean(diag H) added to every H (OBC's option default 0; a failed "
                                + "Cholesky is retried with growing λ; 0.01 is the usual fix for a singular H)")
                        .add("sequential", "false", "collect each layer's inputs after the layers in front were pruned "
                                + "(false: every H from the unpruned network, as OBC)")
                        .add("allocation", "scope", "scope (per-layer targets from scope: layer = the same sparsity in every "
                                + "layer, OBC's uniform setting; global = one threshold over w²/(2[H⁻¹]_jj)), spdy (OBC's error "
                                + "database + dynamic program minimizing the summed calibration-loss increase for the parameter "
                                + "budget (1 − sparsity)·weights) or spdy-flops (the same under the FLOP budget)")
                        .add("spdy_step", Double.toString(LayerErrorDatabase.DEFAULT_STEP), "δ of the database's density "
                                + "ladder, density_{k+1} = density_k·(1 − δ)")
                        .add("spdy_max_sparsity", Double.toString(LayerErrorDatabase.DEFAULT_MAX_SPARSITY), "the database's "
                                + "last level (OBC: 0.99 unstructured, 0.95 blocks)").list(),
                s -> Presets.plan(s, (alloc, pattern) -> {
                    Damping d = Damping.of(s.nonNegative("damping"), s.nonNegative("relative_damping"));
                    Targets mode = Targets.parse(s.text("allocation"));
                    if (mode != Targets.SCOPE && s.bool("sequential")) {
                        throw new IllegalArgumentException("exact-obs: the spdy allocation measures every layer against the "
                                + "unpruned network; use sequential=false");
                    }
                    ExactObsPruning p = new ExactObsPruning(pattern, mode, d, s.real("spdy_step"), s.real("spdy_max_sparsity"));
                    return new LayerwisePruning(p, alloc, pattern, s.integer("calibration", 1), s.integer("batch", 1), d,
                            s.bool("sequential"), p.layerTargets());
                }));
    }

    @Override
    public String name() {
        return "ExactOBS";
    }

    @Override
    public void checkPattern(Pattern p) {
        // Unstructured, N:M and blocks are all ExactOBS patterns.
    }

    @Override
    public void checkLayer(ParameterTensor weight, int kernelPositions) {
        ExactObs.checkPattern(pattern, weight.name(), weight.columns(), kernelPositions);
    }

    /** Weights that are 0 but not pruned yet: ExactOBS eliminates them first, whatever the target. */
    @Override
    public int targetTolerance(LayerTask task) {
        int cols = task.columns();
        boolean[] dead = new boolean[cols];
        for (int j : task.hessian().deadColumns()) {
            if (j < cols) {
                dead[j] = true;
            }
        }
        int zeros = 0;
        for (int q = 0; q < task.weights().length; q++) {
            if (!task.pruned()[q] && (task.weights()[q] == 0 || dead[q % cols])) {
                zeros++;
            }
        }
        return zeros;
    }

    /** The per-layer targets: null (the driver's allocation) for {@code scope}, the SPDY database otherwise. */
    public LayerwisePruning.LayerTargets layerTargets() {
        return allocation == Targets.SCOPE ? null : this::spdyTargets;
    }

    @Override
    public LayerResult prune(LayerTask task) {
        LayerReconstructionResult r = precomputed.remove(task.weight().name());
        if (r == null) {
            r = method(task).compress(task.problem(), task.kernels(), task.progress());
        }
        return LayerResult.of(r);
    }

    /** ExactOBS for the task's pattern and count. */
    private ExactObs method(LayerTask task) {
        if (pattern instanceof Pattern.NOfM nm) {
            return ExactObs.nOfM(nm.keep(), nm.group());
        }
        int size = task.weights().length;
        if (task.targetPruned() >= size) {
            throw new IllegalArgumentException("exact-obs cannot prune all " + size + " weights of " + task.weight().name()
                    + "; lower the sparsity or bound the layer (max_sparsity, layer_bounds)");
        }
        return ExactObs.of(pattern, (double) task.targetPruned() / size);
    }

    /**
     * OBC's non-uniform allocation: the error database over the calibration samples, the dynamic program for the budget,
     * and the chosen level of every layer kept for {@link #prune}.
     */
    private int[] spdyTargets(PruningContext ctx, List<LayerTask> tasks, int targetPruned, DataSource calibration) {
        precomputed.clear();
        double sparsity = (double) targetPruned / ctx.prunableCount();
        Map<String, LayerReconstructionLadder> ladders = new LinkedHashMap<>();
        LayerErrorDatabase db = LayerErrorDatabase.build(ctx.network(), calibration, ctx.loss(), damping, p -> {
            ExactObsTraces t = ExactObs.of(pattern, 0).traces(p, ctx.network().kernels(), ctx.progress());
            ladders.put(p.layer(), t);
            return t;
        }, spdyStep, spdyMaxSparsity, ctx.network().kernels(), ctx.progress());
        List<String> names = new ArrayList<>();
        for (LayerTask t : tasks) {
            names.add(t.weight().name());
        }
        if (!names.equals(new ArrayList<>(ladders.keySet()))) {
            throw new IllegalArgumentException("exact-obs: the spdy allocation compresses every dense and convolutional layer ("
                    + ladders.keySet() + "), but the prunable tensors are " + names + "; use allocation=scope");
        }
        SpdyAllocation a;
        if (allocation == Targets.SPDY) {
            a = SpdyAllocation.forSparsity(db, sparsity);
        } else {
            double flops = 0;
            for (LayerErrorDatabase.Entry e : db.layers()) {
                flops += e.denseFlops();
            }
            a = SpdyAllocation.forBudget(db, SpdyAllocation.Cost.FLOPS, (1 - sparsity) * flops);
        }
        int[] counts = new int[tasks.size()];
        StringBuilder chosen = new StringBuilder();
        for (int l = 0; l < tasks.size(); l++) {
            LayerTask task = tasks.get(l);
            double s = a.sparsities()[l];
            counts[l] = task.alreadyPruned();
            if (s > 0) {
                LayerReconstructionResult r = ladders.get(names.get(l)).atSparsity(s);
                int n = 0;
                for (boolean p : r.pruned()) {
                    n += p ? 1 : 0;
                }
                counts[l] = Math.max(n, task.alreadyPruned());
                precomputed.put(names.get(l), r);
            }
            chosen.append(l == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.4f", names.get(l), s));
        }
        ctx.note(String.format(Locale.ROOT, "SPDY allocation (%s budget %.6g, %d levels per layer, δ = %s): %s; Σ err_l = %.6g "
                        + "(calibration-loss increases measured one layer at a time; dense calibration loss %.6g)",
                allocation == Targets.SPDY ? "parameter" : "FLOP", a.budget(), db.layers().get(0).levels().size(), spdyStep,
                chosen, a.error(), db.denseLoss()));
        return counts;
    }
}
