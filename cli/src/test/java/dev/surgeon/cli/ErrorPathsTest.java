package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user mistake: one line on stderr naming the problem, the documented exit code; --verbose adds the trace. */
class ErrorPathsTest {
    @TempDir
    Path dir;

    private static Cli.Result fails(int exit, String fragment, String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals(exit, r.exit(), r.toString());
        assertTrue(r.err().contains(fragment), "stderr lacks '" + fragment + "':\n" + r);
        assertEquals(1, r.errLines(), "one line:\n" + r.err());
        return r;
    }

    @Test
    void aMissingModelFileIsBadInput() {
        Path missing = dir.resolve("nowhere.safetensors");
        fails(ExitCodes.INPUT, "surgeon eval: no such file: " + missing, "eval", "--model", missing.toString(), "--data", "xor");
        fails(ExitCodes.INPUT, "no such file: " + missing, "inspect", missing.toString());
    }

    @Test
    void anUnknownOptimizerIsAUsageError() {
        fails(ExitCodes.USAGE, "unknown optimizer 'sgdw'", "train", "--data", "xor", "--optimizer", "sgdw", "--out",
                dir.resolve("m.safetensors").toString());
    }

    @Test
    void dataNotFoundIsBadInputAndNamesThePackage() {
        fails(ExitCodes.INPUT, "apt-get install dataset-fashion-mnist", "train", "--data", "idx:" + dir.resolve("no-such-dir"),
                "--out", dir.resolve("m.safetensors").toString());
        fails(ExitCodes.INPUT, "monks-N.train and monks-N.test side by side", "train", "--data", "monk-1:" + dir.resolve("monks-1.train"), "--out",
                dir.resolve("m.safetensors").toString());
    }

    @Test
    void anArchitectureThatDoesNotFitTheDataIsBadInput() {
        fails(ExitCodes.INPUT, "the data 'xor' does not fit the network", "train", "--data", "xor", "--arch", "monk-3h", "--out",
                dir.resolve("m.safetensors").toString());
    }

    @Test
    void aTruncatedModelFileIsBadInput() throws Exception {
        Path model = dir.resolve("m.safetensors");
        assertEquals(0, Cli.run("train", "--data", "xor", "--epochs", "1", "--out", model.toString()).exit());
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        fails(ExitCodes.INPUT, "truncated", "eval", "--model", model.toString(), "--data", "xor");
    }

    @Test
    void aModelWithNonFiniteWeightsIsRefusedByEvalButListedByInspect() throws Exception {
        Path model = dir.resolve("m.safetensors");
        assertEquals(0, Cli.run("train", "--data", "xor", "--epochs", "1", "--out", model.toString()).exit());
        // Patch the first weight (data starts after the 8-byte length and the header) to NaN.
        byte[] bytes = Files.readAllBytes(model);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        int nan = Float.floatToRawIntBits(Float.NaN);
        for (int k = 0; k < 4; k++) {
            bytes[(int) (8 + headerLength) + k] = (byte) (nan >>> (8 * k));
        }
        Files.write(model, bytes);
        fails(ExitCodes.INPUT, "fc1.weight element [0, 0] = NaN", "eval", "--model", model.toString(), "--data", "xor");
        Cli.Result r = Cli.run("inspect", model.toString());
        assertEquals(ExitCodes.INPUT, r.exit());
        assertTrue(r.out().contains("INVALID Surgeon model file"), r.out());
        assertTrue(r.out().contains("fc1.weight"), "the tensors are still listed:\n" + r.out());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("eval", "--verbose", "--model", dir.resolve("x.safetensors").toString(), "--data", "xor");
        assertEquals(ExitCodes.INPUT, r.exit());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void aDivergingRunFailsWithTheEpochAndTheFix() {
        fails(ExitCodes.FAILED, "training diverged in epoch", "train", "--data", "monk-1", "--arch", "in(17) dense(1)",
                "--loss", "mse-sum", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "5", "--out",
                dir.resolve("m.safetensors").toString());
    }
}
