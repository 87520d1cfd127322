package dev.surgeon.core.prune.experiments;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.data.XorData;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.optim.Sgd;
import dev.surgeon.core.prune.Allocation;
import dev.surgeon.core.prune.MagnitudeScorer;
import dev.surgeon.core.prune.ObsScorer;
import dev.surgeon.core.prune.OptimalBrainSurgeon;
import dev.surgeon.core.prune.Pattern;
import dev.surgeon.core.prune.Pruner;
import dev.surgeon.core.prune.PruningContext;
import dev.surgeon.core.prune.QuadraticModelSource;
import dev.surgeon.core.prune.ScoredPruner;
import dev.surgeon.core.prune.Updater;
import dev.surgeon.core.train.Evaluation;
import dev.surgeon.core.train.Trainer;
import dev.surgeon.kernels.Kernels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The XOR experiment of Hassibi and Stork (1993; METHODS R1, XOR protocol): 2-2-1 sigmoid networks with biases (9
 * weights) trained on the four XOR patterns with summed squared error to near-zero error from many seeds (only nets
 * that solve XOR are kept); each method deletes one weight, OBS with its correction δw; a deletion is correct when all
 * four patterns stay on the right side of 0.5. OBS uses H = αI + (1/4) Σ_n J_nJ_nᵀ (output Jacobians after the output
 * sigmoid), OBD the Becker–LeCun diagonal of the same error, magnitude |w|. Expected: OBS 100 %.
 */
public final class XorExperiment {
    private static final List<String> METHODS = List.of("OBS", "OBD", "magnitude");

    private XorExperiment() {
    }

    /**
     * @param nets         solving networks to collect
     * @param seed         first network seed (seeds seed, seed+1, … are tried until {@code nets} solve XOR)
     * @param epochs       full-batch epochs of SGD with momentum per network
     * @param learningRate η
     * @param alpha        OBS's α
     * @param maxError     largest |f − t| over the four patterns for a net to count as trained to near-zero error
     */
    public record Options(int nets, long seed, int epochs, double learningRate, double alpha, double maxError) {
        public static Options defaults() {
            return new Options(100, 1, 4000, 0.5, 1e-6, 0.1);
        }
    }

    /**
     * @param tried     networks trained
     * @param solved    networks that solved XOR to the error bound (the population)
     * @param correct   per method, deletions that kept all four patterns correct
     * @param deleted   per method, how often each kind of weight was deleted
     */
    public record Result(Options options, int tried, int solved, Map<String, Integer> correct,
                         Map<String, Map<String, Integer>> deleted) {

        /** A Markdown table: method, correct deletions, rate, and where the deleted weights were. */
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "XOR (2-2-1 sigmoid, 9 weights): %d of %d trained nets solve XOR with max |f − t| < %s "
                    + "(%d epochs of SGD, lr %s, momentum 0.9); OBS α = %s%n%n", solved, tried, options.maxError(), options.epochs(),
                    options.learningRate(), options.alpha()));
            b.append("| method | correct deletions | rate | deleted: hidden weight / hidden bias / output weight / output bias |\n");
            b.append("|---|---|---|---|\n");
            for (String m : METHODS) {
                Map<String, Integer> d = deleted.get(m);
                b.append(String.format(Locale.ROOT, "| %s | %d / %d | %.1f %% | %d / %d / %d / %d |%n", m, correct.get(m), solved,
                        100.0 * correct.get(m) / Math.max(1, solved), d.getOrDefault("fc1.weight", 0), d.getOrDefault("fc1.bias", 0),
                        d.getOrDefault("fc2.weight", 0), d.getOrDefault("fc2.bias", 0)));
            }
            return b.toString();
        }
    }

    public static Result run(Options o) {
        Dataset data = XorData.dataset();
        Loss loss = Loss.meanSquaredError(Reduction.SUM);
        Map<String, Integer> correct = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> deleted = new LinkedHashMap<>();
        for (String m : METHODS) {
            correct.put(m, 0);
            deleted.put(m, new LinkedHashMap<>());
        }
        int tried = 0;
        int solved = 0;
        for (long s = o.seed(); solved < o.nets() && tried < 20 * o.nets(); s++) {
            tried++;
            Network net = trainSolving(o, s);
            if (net == null) {
                continue;
            }
            solved++;
            for (String m : METHODS) {
                Network copy = net.copy(Kernels.get());
                PruningContext ctx = PruningContext.builder(copy, loss, data).seed(s).pruneBiases(true).build();
                pruner(m, o.alpha()).prune(ctx, 1);
                int q = ctx.mask().prunedIndices()[0];
                ParameterTensor t = copy.layout().tensorAt(q);
                deleted.get(m).merge(t.name(), 1, Integer::sum);
                if (Evaluation.of(copy, loss, data, 4).correct() == 4) {
                    correct.merge(m, 1, Integer::sum);
                }
            }
        }
        return new Result(o, tried, solved, correct, deleted);
    }

    /**
     * Trains the 2-2-1 network of seed {@code seed} by the protocol (full batch, summed squared error, SGD with momentum
     * 0.9) and returns it when it solves XOR to {@code o.maxError()}, null otherwise (a local minimum).
     */
    public static Network trainSolving(Options o, long seed) {
        Dataset data = XorData.dataset();
        Network net = Network.create("xor", seed);
        Trainer.builder(net, Loss.meanSquaredError(Reduction.SUM), Sgd.momentum(o.learningRate(), 0.9)).batchSize(4)
                .epochs(o.epochs()).seed(seed).shuffle(false).build().fit(data);
        return maxError(net, data) < o.maxError() ? net : null;
    }

    private static Pruner pruner(String method, double alpha) {
        return switch (method) {
            case "OBS" -> new OptimalBrainSurgeon(Integer.MAX_VALUE, alpha, OptimalBrainSurgeon.Mode.DOWNDATE, Allocation.global());
            case "OBD" -> new ScoredPruner(new ObsScorer("OBD", QuadraticModelSource.beckerLeCun(Integer.MAX_VALUE)),
                    Allocation.global(), Pattern.UNSTRUCTURED, Updater.none());
            default -> new ScoredPruner(new MagnitudeScorer(false), Allocation.global(), Pattern.UNSTRUCTURED, Updater.none());
        };
    }

    private static double maxError(Network net, Dataset data) {
        Workspace ws = net.workspace(4);
        ws.load(data, 0, 4);
        float[] f = net.forward(ws, false);
        double e = 0;
        for (int n = 0; n < 4; n++) {
            e = Math.max(e, Math.abs(f[n] - data.labels()[n]));
        }
        return e;
    }

    /**
     * Runs with {@code key=value} arguments ({@code nets}, {@code seed}, {@code epochs}, {@code lr}, {@code alpha} — a
     * comma-separated list runs one table per α —, {@code max-error}) and returns the table(s).
     */
    public static String run(Map<String, String> a) {
        Arguments.check(a, "xor", "nets", "seed", "epochs", "lr", "alpha", "max-error");
        Options d = Options.defaults();
        StringBuilder b = new StringBuilder();
        for (double alpha : Arguments.doubles(a, "alpha", List.of(d.alpha()))) {
            Options o = new Options(Arguments.integer(a, "nets", d.nets()), Arguments.integer(a, "seed", d.seed()),
                    Arguments.integer(a, "epochs", d.epochs()), Arguments.real(a, "lr", d.learningRate()), alpha,
                    Arguments.real(a, "max-error", d.maxError()));
            b.append(run(o).table()).append('\n');
        }
        return b.toString();
    }

    public static void main(String[] args) {
        System.out.print(run(Arguments.parse(args)));
    }
}
