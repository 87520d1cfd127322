package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.data.Datasets;
import dev.surgeon.core.data.Split;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.structured.StructuredMethods;
import dev.surgeon.core.prune.structured.StructuredReport;
import dev.surgeon.core.prune.structured.StructuredRun;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Structured pruning of LeNet-5 or LeNet-300-100 on Fashion-MNIST to 2×, 4× and 8× fewer multiply-adds (issue 9):
 * every criterion of {@link StructuredMethods} from the same dense network, one shot at the target (or in {@code rounds}
 * rounds with {@code finetune-steps} SGD steps between them, the same schedule for every method), then fine-tuned;
 * test accuracy right after pruning and after fine-tuning, parameters and multiply-adds of the shrunk network, and the
 * measured median forward latency at batch 1 and batch 128 of the shrunk network against the dense one, timed side by
 * side ({@link ForwardLatency}) with the kernels {@link Kernels#get()} selects.
 */
public final class StructuredLenet {
    static final TrainedModels.Recipe LENET5 = new TrainedModels.Recipe("lenet-5", 8, 0.05, 0.9, 5e-4, 64, true, 1);

    private static final System.Logger LOG = System.getLogger("dev.surgeon.core.prune.experiments");

    private StructuredLenet() {
    }

    /** Arguments {@code key=value}: see {@link Experiments#all()}. */
    public static String run(Map<String, String> a) throws IOException {
        Arguments.check(a, "structured", "net", "data", "model", "dense-epochs", "methods", "flops", "retrain-epochs", "lr",
                "calibration", "structured", "seed", "latency-reps", "rounds", "finetune-steps");
        String netName = a.getOrDefault("net", "lenet-5");
        TrainedModels.Recipe recipe = recipe(a, netName);
        Path data = Path.of(a.getOrDefault("data", Datasets.FASHION_MNIST_PATH));
        List<String> methods = Arrays.asList(a.getOrDefault("methods", String.join(",", StructuredMethods.names())).split(","));
        List<Double> flops = Arguments.doubles(a, "flops", List.of(0.5, 0.25, 0.125));
        int retrain = Arguments.integer(a, "retrain-epochs", 2);
        double lr = Arguments.real(a, "lr", 0.01);
        int calibration = Arguments.integer(a, "calibration", 1000);
        String kind = a.getOrDefault("structured", "all");
        long seed = Arguments.integer(a, "seed", 0L);
        int reps = Arguments.integer(a, "latency-reps", 31);
        int rounds = Arguments.integer(a, "rounds", 1);
        int steps = Arguments.integer(a, "finetune-steps", 0);
        checkSchedule(rounds, steps); // before the dense network is trained, not after

        for (String m : methods) {
            // A misspelt method or knob fails here, before an hour of other rows, not in the middle of the table.
            StructuredMethods.plan(methodName(m), methodKnobs(m, kind, flops.get(0), calibration, retrain, lr, rounds, steps));
        }
        Split split = Datasets.fashionMnist(data);
        Loss loss = Loss.softmaxCrossEntropy();
        Network dense = dense(a, netName, split, loss);
        double denseAccuracy = Evaluation.of(dense, loss, split.test(), 1000).accuracy();
        // One discarded dense-vs-dense comparison first: the first timed pair of a run otherwise still pays for JIT
        // compilation of the forward path (its dense time was up to 1.7× the later ones in the first LeNet-300-100 runs).
        ForwardLatency.compare(dense, dense, 1, 300, reps);
        ForwardLatency.compare(dense, dense, 128, 10, reps);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s on Fashion-MNIST (%s), dense test accuracy %.2f %%, %d parameters, %d multiply-adds; "
                + "kernels %s (%d threads)%n", netName, recipe, 100 * denseAccuracy, dense.parameterCount(),
                dev.surgeon.core.prune.Flops.dense(dense), dense.kernels().name(), dense.kernels().threads()));
        String schedule = rounds == 1 ? "one-shot" : String.format(Locale.ROOT, "%d-round (%d SGD steps, lr %s constant, momentum 0.9, "
                + "batch 64, between rounds)", rounds, steps, lr);
        b.append(String.format(Locale.ROOT, "%s structured pruning (%s) on %d calibration samples, then %d epochs of SGD "
                + "(lr %s cosine, momentum 0.9, batch 64); latency: median of %d alternating timed repetitions (dense, shrunk) after warm-up%n%n",
                schedule, kind, calibration, retrain, lr, reps));
        b.append("| method | FLOPs kept | reduction | params | widths | acc pruned | acc fine-tuned | Δ vs dense "
                + "| b1 dense/shrunk ms | b1 speed-up | b128 dense/shrunk ms | b128 speed-up |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (double f : flops) {
            for (String m : methods) {
                Map<String, String> knobs = methodKnobs(m, kind, f, calibration, retrain, lr, rounds, steps);
                String name = methodName(m);
                Network net = dense.copy(Kernels.get());
                PruningContext ctx = PruningContext.builder(net, loss, split.train()).test(split.test()).seed(seed)
                        .evaluationBatch(1000).build();
                StructuredReport r;
                try {
                    r = StructuredRun.execute(ctx, StructuredMethods.plan(name, knobs));
                } catch (RuntimeException e) {
                    // One method failing (an unreachable target, a numerical failure) must not lose the rows of the others,
                    // which can take an hour to compute; the failure is a row of the table and a logged stack trace.
                    LOG.log(System.Logger.Level.WARNING, "structured " + m + " at " + f + " failed", e);
                    b.append(String.format(Locale.ROOT, "| %s | %.3f | failed: %s |%n", m, f, e));
                    continue;
                }
                double[] b1 = ForwardLatency.compare(dense, r.shrunk(), 1, 300, reps);
                double[] b128 = ForwardLatency.compare(dense, r.shrunk(), 128, 10, reps);
                double d1 = b1[0];
                double s1 = b1[1];
                double d128 = b128[0];
                double s128 = b128[1];
                StringBuilder widths = new StringBuilder();
                for (StructuredReport.LayerWidth w : r.layers()) {
                    widths.append(widths.isEmpty() ? "" : "-").append(w.after());
                }
                b.append(String.format(Locale.ROOT, "| %s | %.3f | %.2f× | %d | %s | %.2f %% | %.2f %% | %+.2f | %.3f / %.3f | %.2f× "
                        + "| %.2f / %.2f | %.2f× |%n", m, f, r.flopsReduction(), r.parametersAfter(), widths,
                        100 * r.pruned().testAccuracy(), 100 * r.after().testAccuracy(), 100 * (r.after().testAccuracy() - denseAccuracy),
                        d1, s1, d1 / s1, d128, s128, d128 / s128));
                for (String n : r.notes()) {
                    b.append("|  | note: ").append(n).append(" |\n");
                }
                LOG.log(System.Logger.Level.INFO, b.substring(b.lastIndexOf("| " + m + " |")).strip());
            }
        }
        return b.toString();
    }

    /**
     * The knob overrides every preset gets in this experiment: the allocation of {@code NAME@ALLOCATION} (null: the
     * preset's), the structures, the FLOPs target, the calibration set, the final fine-tuning and the pruning schedule
     * ({@code rounds}, {@code finetune_steps} of mini-batch SGD between rounds, at the fine-tuning learning rate).
     */
    static Map<String, String> presetKnobs(String allocation, String kind, double flops, int calibration, int retrainEpochs,
            double lr, int rounds, int finetuneSteps) {
        checkSchedule(rounds, finetuneSteps);
        Map<String, String> knobs = new LinkedHashMap<>();
        if (allocation != null) {
            knobs.put("allocation", allocation);
        }
        knobs.put("structured", kind);
        knobs.put("flops", Double.toString(flops));
        knobs.put("calibration", Integer.toString(calibration));
        knobs.put("retrain_epochs", Integer.toString(retrainEpochs));
        knobs.put("finetune_lr", Double.toString(lr));
        knobs.put("finetune_cosine", "true");
        knobs.put("rounds", Integer.toString(rounds));
        knobs.put("finetune_steps", Integer.toString(finetuneSteps));
        return knobs;
    }

    /** The preset name of one entry of {@code methods} (see {@link #methodKnobs}). */
    static String methodName(String method) {
        return method.strip().split(":")[0].split("@", 2)[0];
    }

    /**
     * The knobs of one entry of {@code methods}: NAME, NAME@ALLOCATION (e.g. sosp-h@per-flop: the preset with its allocation
     * overridden), then any number of :KNOB=VALUE (e.g. sosp-i@per-flop:reconstruct=true), over {@link #presetKnobs}.
     */
    static Map<String, String> methodKnobs(String method, String kind, double flops, int calibration, int retrainEpochs, double lr,
                                           int rounds, int finetuneSteps) {
        String[] parts = method.strip().split(":");
        String[] token = parts[0].split("@", 2);
        Map<String, String> knobs = presetKnobs(token.length == 2 ? token[1] : null, kind, flops, calibration, retrainEpochs, lr,
                rounds, finetuneSteps);
        for (int p = 1; p < parts.length; p++) {
            String[] kv = parts[p].split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("method '" + method + "': expected NAME[@ALLOCATION][:KNOB=VALUE]..., got '"
                        + parts[p] + "'");
            }
            knobs.put(kv[0].strip(), kv[1].strip());
        }
        return knobs;
    }

    private static void checkSchedule(int rounds, int finetuneSteps) {
        if (rounds < 1) {
            throw new IllegalArgumentException("argument rounds must be >= 1, got " + rounds);
        }
        if (finetuneSteps < 0) {
            throw new IllegalArgumentException("argument finetune-steps must be >= 0, got " + finetuneSteps);
        }
        if (finetuneSteps > 0 && rounds == 1) {
            throw new IllegalArgumentException("argument finetune-steps runs between pruning rounds; with rounds=1 there are none "
                    + "(use rounds >= 2, or retrain-epochs for the fine-tuning after the last round)");
        }
    }

    /** The training recipe of the dense network, with the epochs of argument {@code dense-epochs} if given. */
    static TrainedModels.Recipe recipe(Map<String, String> a, String netName) {
        TrainedModels.Recipe r = switch (netName) {
            case "lenet-5" -> LENET5;
            case "lenet-300-100" -> LenetSparseTraining.RECIPE;
            default -> throw new IllegalArgumentException("net must be lenet-5 or lenet-300-100, got " + netName);
        };
        int epochs = Arguments.integer(a, "dense-epochs", r.epochs());
        if (epochs < 1) {
            throw new IllegalArgumentException("argument dense-epochs must be >= 1, got " + epochs);
        }
        return new TrainedModels.Recipe(r.spec(), epochs, r.learningRate(), r.momentum(), r.weightDecay(), r.batch(), r.cosine(),
                r.seed());
    }

    /**
     * The cached dense network (argument {@code model}; default target/experiments/NET-fashion-mnist.safetensors, or
     * NET-eE-fashion-mnist.safetensors when {@code dense-epochs} differs from the recipe's, so that the two never mix).
     */
    static Network dense(Map<String, String> a, String netName, Split split, Loss loss) throws IOException {
        TrainedModels.Recipe r = recipe(a, netName);
        String suffix = a.containsKey("dense-epochs") && r.epochs() != recipe(Map.of(), netName).epochs() ? "-e" + r.epochs() : "";
        Path model = Path.of(a.getOrDefault("model", "target/experiments/" + netName + suffix + "-fashion-mnist.safetensors"));
        return TrainedModels.trainOrLoad(model, r, loss, split.train(), split.test());
    }

    public static void main(String[] args) throws IOException {
        System.out.print(run(Arguments.parse(args)));
    }
}
