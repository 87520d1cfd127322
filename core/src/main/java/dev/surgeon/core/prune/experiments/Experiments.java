package dev.surgeon.core.prune.experiments;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The pruning experiments of issues 6 and 9 as named entries ({@code surgeon experiment NAME key=value…}); each returns the
 * Markdown table it prints. Results and commands are recorded in docs/BENCHMARKS.md.
 */
public final class Experiments {
    private Experiments() {
    }

    /** Runs an experiment from {@code key=value} arguments and returns its table. */
    @FunctionalInterface
    public interface Runner {
        String run(Map<String, String> arguments) throws IOException;
    }

    /**
     * @param name        e.g. {@code xor}
     * @param description one line
     * @param arguments   the accepted arguments with their defaults
     * @param runner      the experiment
     */
    public record Entry(String name, String description, String arguments, Runner runner) {
    }

    public static List<Entry> all() {
        return List.of(
                new Entry("xor", "OBS vs OBD vs magnitude on trained 2-2-1 XOR nets: rate of correct single deletions (METHODS R1)",
                        "nets=100 seed=1 epochs=4000 lr=0.5 alpha=1e-6 (comma list: one table each) max-error=0.1", XorExperiment::run),
                new Entry("monk", "OBS with the stopping rule on MONK-1/2/3, 17-3-1 / 17-2-1 nets (METHODS R2-R4)",
                        "problems=1,2,3 net-seeds=1 data-seed=0 epochs=1000 lr=0.05 wd=1e-4 (MONK-3: 2e-3) alpha=1e-6 train-N=PATH",
                        MonkExperiment::run),
                new Entry("mlpnet", "MLPNet one-shot sweep on Fashion-MNIST: magnitude, diagonal Fisher, K-FAC-OBS, WoodFisher, M-FAC, "
                        + "CBS (METHODS R6-R10)",
                        "data=/usr/share/datasets/fashion-mnist model=target/experiments/mlpnet-fashion-mnist.safetensors "
                                + "sparsities=0.5,0.6,0.7,0.8,0.9,0.95,0.98 methods=magnitude,diag-fisher,kfac-obs,woodfisher,mfac,cbs "
                                + "(variants: woodfisher[gradients=1000;update=joint]) seeds=0,1,2,3,4", MlpnetSweep::run),
                new Entry("lenet", "LeNet-300-100 on Fashion-MNIST: SNIP and Han's iterative magnitude pruning with retraining at "
                        + "90/95/98 % vs dense (METHODS R11, R13)",
                        "data=/usr/share/datasets/fashion-mnist model=target/experiments/lenet-300-100-fashion-mnist.safetensors "
                                + "sparsities=0.9,0.95,0.98 snip-epochs=10 han-rounds=4 han-epochs=1 seed=0", LenetSparseTraining::run),
                new Entry("structured", "LeNet-5 / LeNet-300-100 on Fashion-MNIST pruned structurally to 2x/4x/8x fewer FLOPs with "
                        + "every structured criterion, fine-tuned; shrunk-network latency at batch 1 and 128 (issue 9)",
                        "net=lenet-5 (or lenet-300-100) data=/usr/share/datasets/fashion-mnist model=target/experiments/NET-fashion-mnist"
                                + ".safetensors dense-epochs=(recipe) methods=filter-norm,taylor,taylor-fo,taylor-so,sosp-h,sosp-i,kfac-obs,redundancy "
                                + "(NAME@per-flop: allocation override; NAME:KNOB=VALUE, e.g. sosp-i:reconstruct=true: any knob) "
                                + "flops=0.5,0.25,0.125 retrain-epochs=2 lr=0.01 calibration=1000 structured=all seed=0 latency-reps=31 "
                                + "rounds=1 finetune-steps=0 (SGD steps between rounds)",
                        StructuredLenet::run),
                new Entry("structured-oracle", "Spearman correlation of each structured criterion with the remove-and-measure oracle "
                        + "(METHODS R21), and gradient-redundancy estimates vs measured safe rates per layer (D5)",
                        "net=lenet-5 data=/usr/share/datasets/fashion-mnist model=target/experiments/NET-fashion-mnist.safetensors "
                                + "samples=1000 taus=0.01,0.05,0.1 tolerance=0.01 seed=0", StructuredOracle::run));
    }

    /**
     * The experiment with this name.
     *
     * @throws IllegalArgumentException naming the known experiments
     */
    public static Entry named(String name) {
        for (Entry e : all()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown experiment '" + name + "'; known: "
                + String.join(", ", all().stream().map(Entry::name).toList()));
    }

    /** Parses {@code key=value} arguments (the CLI's positional parameters). */
    public static Map<String, String> arguments(List<String> args) {
        return Arguments.parse(args.toArray(String[]::new));
    }
}
