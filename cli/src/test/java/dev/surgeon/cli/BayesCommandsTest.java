package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.kernels.Kernels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code surgeon evidence}, {@code train --variational}, {@code train --flat-minimum} and the second-order optimizer
 * options: what they print and save on small synthetic tasks, and a usage error (exit 2, one line) for every knob
 * given where it does not apply.
 */
class BayesCommandsTest {
    @TempDir
    Path dir;

    private static Cli.Result ok(String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    private void usage(String fragment, String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains(fragment), "stderr lacks '" + fragment + "':\n" + r);
        assertEquals(1, r.errLines(), r.err());
    }

    @Test
    void evidenceOfARegressionModelPrintsTheHyperparametersAndErrorBars() {
        Path m = dir.resolve("sine.safetensors");
        ok("train", "--data", "synthetic:sine:n=40", "--arch", "in(1) dense(5) tanh dense(1)", "--epochs", "100", "--out",
                m.toString());
        Cli.Result r = ok("evidence", "--model", m.toString(), "--data", "synthetic:sine:n=40", "--hessian", "gauss-newton");
        assertTrue(r.out().contains("fc1.weight") && r.out().contains("β = ") && r.out().contains("ln p(D|H) = ")
                && r.out().contains("within ±2σ"), r.out());
        Path retrained = dir.resolve("retrained.safetensors");
        Cli.Result k = ok("evidence", "--model", m.toString(), "--data", "synthetic:sine:n=40", "--hessian", "kfac", "--classes",
                "layer", "--retrain", "--loops", "2", "--iterations", "50", "--out", retrained.toString());
        assertTrue(k.out().contains("loop  1") && k.out().contains("saved " + retrained), k.out());
    }

    @Test
    void variationalTrainingSavesTheSignalToNoiseMask() throws Exception {
        Path m = dir.resolve("v.safetensors");
        Cli.Result r = ok("train", "--data", "synthetic:sine:n=40", "--arch", "in(1) dense(8) tanh dense(1)", "--epochs", "5",
                "--variational", "--initial-sigma", "0.02", "--snr-prune", "0.25", "--out", m.toString());
        assertTrue(r.out().contains("complexity cost") && r.out().contains("pruned 4 weights"), r.out());
        SavedModel saved = ModelFile.read(m, Kernels.scalar());
        assertEquals(4, saved.mask().prunedCount(), "a quarter of the 16 weights");
    }

    @Test
    void flatMinimumSearchPrunesAndReportsWhatIsLeft() {
        Path m = dir.resolve("f.safetensors");
        Cli.Result r = ok("train", "--data", "synthetic:relevance:n=64", "--arch", "in(10) dense(4) tanh dense(1)", "--epochs", "3",
                "--flat-minimum", "--tolerable-error", "0.5", "--lambda-step", "1e-3", "--fms-prune", "0.01", "--fms-retrain", "1",
                "--out", m.toString());
        assertTrue(r.out().contains("flat minimum search: λ") && r.out().contains("left: "), r.out());
    }

    @Test
    void secondOrderOptimizersTrainWithTheirKnobs() {
        Path m = dir.resolve("k.safetensors");
        Cli.Result r = ok("train", "--data", "xor", "--optimizer", "kfac", "--kfac-rescaling", "kl-clip", "--kl-clip", "0.01",
                "--momentum", "0.5", "--statistics-every", "1", "--inverse-every", "5", "--epochs", "3", "--out", m.toString());
        assertTrue(r.out().contains("training: kfac, lr 0.001, momentum 0.5"), r.out());
        ok("train", "--data", "xor", "--optimizer", "mfac", "--mfac-window", "8", "--damping", "0.01", "--epochs", "3", "--out",
                m.toString());
        ok("train", "--data", "xor", "--optimizer", "natural-gradient", "--damping", "0.1", "--epochs", "3", "--out", m.toString());
    }

    @Test
    void knobsGivenWhereTheyDoNotApplyAreUsageErrors() {
        String out = dir.resolve("m.safetensors").toString();
        usage("--kl-clip applies to kfac with the kl-clip rule", "train", "--data", "xor", "--optimizer", "kfac", "--kl-clip",
                "0.1", "--out", out);
        usage("--mfac-window applies to mfac", "train", "--data", "xor", "--optimizer", "kfac", "--mfac-window", "8", "--out", out);
        usage("--damping applies to kfac, mfac and natural-gradient", "train", "--data", "xor", "--damping", "0.1", "--out", out);
        usage("--momentum applies to", "train", "--data", "xor", "--optimizer", "kfac", "--momentum", "0.5", "--out", out);
        usage("not kfac", "train", "--data", "xor", "--optimizer", "kfac", "--variational", "--out", out);
        usage("--flat-minimum needs --tolerable-error", "train", "--data", "xor", "--flat-minimum", "--out", out);
        usage("apply to --variational", "train", "--data", "xor", "--snr-prune", "0.5", "--out", out);
        usage("give one", "train", "--data", "xor", "--variational", "--flat-minimum", "--tolerable-error", "0.1", "--out", out);
        usage("--out saves the retrained model", "evidence", "--model", out, "--data", "xor", "--out", out);
    }
}
