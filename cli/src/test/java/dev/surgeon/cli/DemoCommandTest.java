package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code surgeon demo --quick} end to end: the table, its counts, the report, determinism and the missing-data line. */
class DemoCommandTest {
    private static final Pattern ROW = Pattern.compile(
            "^\\| (\\S.*?) +\\| (.+?) +\\| (\\S+) +\\| (\\S+) +\\| +(\\d+) / (\\d+) \\| +([\\d.]+) % \\| +([\\d.]+) % \\| +([\\d.]+) \\|$");

    record Row(String problem, String method, int left, int weights, double train, double test) {
    }

    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        for (String line : out.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(new Row(m.group(1), m.group(3), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)),
                        Double.parseDouble(m.group(7)), Double.parseDouble(m.group(8))));
            }
        }
        return rows;
    }

    @Test
    void quickDemoPrintsEveryMethodWithConsistentCountsAndWritesAParseableReport(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("demo.json");
        Cli.Result r = Cli.run("demo", "--quick", "--seed", "1", "--report", report.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        List<Row> rows = rows(r.out());
        boolean fashion = Files.isDirectory(Path.of(dev.surgeon.core.data.Datasets.FASHION_MNIST_PATH));
        // XOR and MONK-3 with dense + 3 methods each; MLPNet with dense + 4 methods when Fashion-MNIST is installed.
        assertEquals(8 + (fashion ? 5 : 0), rows.size(), r.out());
        for (String problem : List.of("XOR", "MONK-3")) {
            List<Row> p = rows.stream().filter(x -> x.problem().equals(problem)).toList();
            assertEquals(List.of("dense", "magnitude", "OBD", "OBS"), p.stream().map(Row::method).toList(), r.out());
            Row dense = p.get(0);
            assertEquals(dense.weights(), dense.left(), "nothing is pruned in the dense row");
            for (Row x : p) {
                assertEquals(dense.weights(), x.weights(), "every method prunes the same network");
                assertTrue(x.left() <= x.weights(), r.out());
                // The stopping rule never lets the training accuracy fall below the dense one.
                assertTrue(x.train() >= dense.train(), r.out());
            }
        }
        if (fashion) {
            List<Row> p = rows.stream().filter(x -> x.problem().startsWith("Fashion-MNIST")).toList();
            assertEquals(List.of("dense", "magnitude", "WoodFisher", "M-FAC", "CBS"), p.stream().map(Row::method).toList());
            for (Row x : p.subList(1, p.size())) {
                // 90 % of 32360 weights pruned in one shot: exactly 3236 left.
                assertEquals(3236, x.left(), r.out());
            }
        } else {
            assertTrue(r.out().contains("apt-get install dataset-fashion-mnist"), r.out());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("time: ") && l.contains("training") && l.contains("pruning")), r.out());
        JsonNode json = ReportWriter.JSON.readTree(report.toFile());
        assertEquals("demo", json.get("command").asText());
        assertEquals(rows.size(), json.get("rows").size());
        assertEquals(rows.get(3).left(), json.get("rows").get(3).get("weights_left").asInt());
        assertTrue(json.get("timings").get("total").asDouble() > 0);
    }

    @Test
    void withoutFashionMnistTheDemoSaysWhichPackageProvidesItAndIsDeterministic(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-dir");
        Cli.Result a = Cli.run("demo", "--quick", "--seed", "3", "--fashion-mnist", missing.toString());
        Cli.Result b = Cli.run("demo", "--quick", "--seed", "3", "--fashion-mnist", missing.toString());
        assertEquals(ExitCodes.OK, a.exit(), a.toString());
        assertTrue(a.out().contains("not installed in " + missing) && a.out().contains("apt-get install dataset-fashion-mnist"),
                a.out());
        assertEquals(8, rows(a.out()).size(), a.out());
        // Same seed, same table (the seconds column aside).
        assertEquals(withoutSeconds(rows(a.out())), withoutSeconds(rows(b.out())));
    }

    private static List<String> withoutSeconds(List<Row> rows) {
        return rows.stream().map(Row::toString).toList();
    }

    @Test
    void aReportWithAnUnknownExtensionIsAUsageError() {
        Cli.Result r = Cli.run("demo", "--quick", "--report", "demo.txt");
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertEquals(1, r.errLines(), r.err());
    }
}
