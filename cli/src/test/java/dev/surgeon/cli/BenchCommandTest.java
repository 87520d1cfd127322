package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code surgeon bench --quick}: every workload measured on every available provider, with the ratios between them. */
class BenchCommandTest {

    @Test
    void quickBenchPrintsAThroughputPerProviderAndTheRatios() {
        Cli.Result r = Cli.run("bench", "--quick", "--rounds", "2", "--warmup-seconds", "0.02");
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
    void unknownProvidersAndBadSettingsAreUsageErrors() {
        for (String[] args : new String[][] {{"bench", "--providers", "cuda"}, {"bench", "--rounds", "0"}, {"bench", "--threads", "-1"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        }
    }
}
