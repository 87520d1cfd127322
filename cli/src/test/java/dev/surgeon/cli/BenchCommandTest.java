package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code surgeon bench --quick}: every workload measured on every available provider, with the ratios between them. */
class BenchCommandTest {

    @Test
    void quickBenchPrintsAThroughputPerProviderAndTheRatios() {
        Cli.Result r = Cli.run("bench", "--quick", "--rounds", "2", "--warmup-seconds", "0.02", "--no-peer");
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        List<String> available = Kernels.providers().stream().filter(ProviderStatus::available).map(ProviderStatus::name).toList();
        String header = r.out().lines().filter(l -> l.startsWith("| workload")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        for (String p : available) {
            assertTrue(header.contains(" " + p + " "), header);
        }
        if (available.size() > 1) {
            assertTrue(header.contains(available.get(1) + "/" + available.get(0)), header);
        }
        for (String w : List.of("sgemm", "sdot", "dpotrf", "LeNet-300-100 training", "ExactOBS", "M-FAC")) {
            String row = r.out().lines().filter(l -> l.startsWith("| " + w)).findFirst().orElseThrow(() -> new AssertionError(w + r.out()));
            // One throughput per provider and one ratio per pair of providers, all finite and positive.
            long ratios = row.chars().filter(c -> c == '×').count();
            assertEquals(available.size() * (available.size() - 1) / 2, ratios, row);
        }
        assertTrue(r.out().contains("PyTorch peer"), r.out());
    }

    @Test
    void theMedianAndTheRatioTableAreComputedFromTheMeasurements() {
        assertEquals(2.0, BenchCommand.median(new double[] {5, 1, 2}));
        assertEquals(2.5, BenchCommand.median(new double[] {4, 1, 3, 2}));
        String table = BenchCommand.table(new BenchCommand.Result(List.of("scalar", "vector"),
                Map.of("sdot", Map.of("scalar", 1.0, "vector", 4.0)), Map.of("sdot", "GFLOP/s")));
        assertTrue(table.contains("vector/scalar") && table.contains("4.00×"), table);
    }

    @Test
    void thePeerLineIsParsedAndTurnedIntoARatio(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of(dev.surgeon.core.data.Datasets.FASHION_MNIST_PATH)),
                "the peer trains on Fashion-MNIST");
        // A stand-in interpreter: 'import torch' succeeds and the script prints peer_torch.py's line format.
        Path python = dir.resolve("python");
        Files.writeString(python, "#!/bin/sh\nif [ \"$1\" = -c ]; then exit 0; fi\n"
                + "echo 'arch=lenet-300-100 threads=1 epoch=0 train_s=2.00 samples_per_s=1000 test_acc=0.8500'\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwx------"));
        Path script = Files.writeString(dir.resolve("peer_torch.py"), "# stand-in\n");
        Cli.Result r = Cli.run("bench", "--quick", "--rounds", "1", "--warmup-seconds", "0", "--providers", "scalar", "--python",
                python.toString(), "--peer-script", script.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        String row = r.out().lines().filter(l -> l.startsWith("| LeNet")).findFirst().orElseThrow();
        double ours = Double.parseDouble(row.split("\\|")[3].strip());
        String line = r.out().lines().filter(l -> l.contains("Surgeon scalar")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        // Our samples/s over the peer's 1000 (the table rounds ours to whole samples/s, the ratio to 0.01).
        double ratio = Double.parseDouble(line.replaceAll(".*= (\\S+)× PyTorch.*", "$1"));
        assertEquals(ours / 1000, ratio, 0.011, line);
        assertTrue(r.out().contains("PyTorch peer (peer_torch.py"), r.out());
    }

    @Test
    void unknownProvidersAndBadSettingsAreUsageErrors() {
        for (String[] args : new String[][] {{"bench", "--providers", "cuda"}, {"bench", "--rounds", "0"}, {"bench", "--threads", "-1"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        }
    }
}
