package dev.surgeon.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table {@code surgeon demo} prints (an aligned Markdown table, readable in a terminal and renderable as Markdown)
 * and its report files: Markdown (the printed text), CSV (one line per row) or JSON ({@code command}, {@code seed},
 * {@code quick}, {@code rows}, {@code timings}, {@code provenance}).
 */
final class DemoTable {
    static final List<String> HEADER = List.of("problem", "network", "method", "target", "weights left", "train acc", "test acc",
            "seconds");

    private final List<DemoRow> rows;
    private final long seed;
    private final boolean quick;
    private final String fashionLine;

    /**
     * @param fashionLine the line saying why the MLPNet part is missing, or null when it ran
     */
    DemoTable(List<DemoRow> rows, long seed, boolean quick, String fashionLine) {
        this.rows = List.copyOf(rows);
        this.seed = seed;
        this.quick = quick;
        this.fashionLine = fashionLine;
    }

    List<DemoRow> rows() {
        return rows;
    }

    String dataDescription() {
        return "XOR (4 patterns); MONK's problems generated from their rules (training subsets of the official sizes, data seed 0; "
                + "test: all 432 combinations)" + (fashionLine == null ? "; Fashion-MNIST" : "");
    }

    /** The explanation, the table and the line about the MLPNet part. */
    String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "surgeon demo (seed %d%s)%n", seed, quick ? ", quick" : ""));
        b.append("target auto: weights (biases included) removed one at a time until the training accuracy would drop "
                + "(Hassibi & Stork's stopping rule);\n");
        if (fashionLine == null) {
            b.append(String.format(Locale.ROOT, "target %s: one shot to that sparsity, no fine-tuning.%n", DemoCommand.MLPNET_SPARSITY));
        }
        b.append("Accuracies are after pruning; dense rows show the trained network and its training time.\n\n");
        List<List<String>> cells = new ArrayList<>();
        cells.add(HEADER);
        for (DemoRow r : rows) {
            cells.add(List.of(r.problem(), r.network(), r.method(), r.target(),
                    String.format(Locale.ROOT, "%d / %d", r.weightsLeft(), r.weights()), percent(r.trainAccuracy()),
                    percent(r.testAccuracy()), String.format(Locale.ROOT, "%.2f", r.seconds())));
        }
        int[] width = new int[HEADER.size()];
        for (List<String> row : cells) {
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        for (int i = 0; i < cells.size(); i++) {
            b.append('|');
            for (int c = 0; c < width.length; c++) {
                String v = cells.get(i).get(c);
                // Numbers right-aligned, names left-aligned.
                b.append(' ').append(c >= 4 ? pad(v, width[c], true) : pad(v, width[c], false)).append(" |");
            }
            b.append('\n');
            if (i == 0) {
                b.append('|');
                for (int c = 0; c < width.length; c++) {
                    b.append(c >= 4 ? "-".repeat(width[c] + 1) + ":|" : "-".repeat(width[c] + 2) + "|");
                }
                b.append('\n');
            }
        }
        if (fashionLine != null) {
            b.append('\n').append(fashionLine).append('\n');
        }
        return b.toString();
    }

    /** Where the time went: total, then each stage with its share. */
    static String timeLine(Map<String, Double> seconds, String kernels) {
        double total = seconds.get("total");
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "time: %.1f s in all (kernels %s):", total, kernels));
        String sep = " ";
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            if (!e.getKey().equals("total")) {
                b.append(sep).append(String.format(Locale.ROOT, "%s %.1f s (%.0f %%)", e.getKey(), e.getValue(),
                        100 * e.getValue() / Math.max(total, 1e-9)));
                sep = ", ";
            }
        }
        return b.toString();
    }

    /** Writes the report in the format of the file's extension. */
    void write(Path file, Map<String, Double> seconds, Report.Provenance provenance) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String text = switch (ReportFormat.of(file)) {
            case MARKDOWN -> "# surgeon demo\n\n```\n" + text() + "```\n\n" + timeLine(seconds, provenance.kernels()) + "\n";
            case CSV -> csv();
            case JSON -> {
                Map<String, Object> tree = new LinkedHashMap<>();
                tree.put("command", "demo");
                tree.put("seed", seed);
                tree.put("quick", quick);
                tree.put("rows", rows);
                tree.put("fashion_mnist", fashionLine == null ? "ran" : fashionLine);
                tree.put("timings", seconds);
                tree.put("provenance", provenance);
                yield ReportWriter.JSON.writeValueAsString(tree) + "\n";
            }
        };
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private String csv() {
        StringBuilder b = new StringBuilder("problem,network,method,target,weights,weights_left,train_accuracy,test_accuracy,seconds\n");
        for (DemoRow r : rows) {
            b.append(ReportWriter.csvField(r.problem())).append(',').append(ReportWriter.csvField(r.network())).append(',')
                    .append(ReportWriter.csvField(r.method())).append(',').append(r.target()).append(',').append(r.weights()).append(',')
                    .append(r.weightsLeft()).append(',').append(r.trainAccuracy()).append(',').append(r.testAccuracy()).append(',')
                    .append(r.seconds()).append('\n');
        }
        return b.toString();
    }

    private static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f %%", 100 * fraction) : "-";
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
