package dev.surgeon.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The per-tensor table of non-zero weights and sparsity (eval, inspect), and its bar chart for reports. */
final class LayerTable {
    private LayerTable() {
    }

    static void print(PrintWriter out, List<Report.Layer> layers) {
        int width = Math.max(6, layers.stream().mapToInt(l -> l.name().length()).max().orElse(0));
        out.printf(Locale.ROOT, "%-" + width + "s  %-16s %15s %9s%n", "tensor", "shape", "non-zero", "sparsity");
        for (Report.Layer l : layers) {
            long size = l.shape().stream().mapToLong(Integer::longValue).reduce(1, Math::multiplyExact);
            out.printf(Locale.ROOT, "%-" + width + "s  %-16s %15s %8.2f%%%n", l.name(), l.shape(), l.nonzero() + "/" + size,
                    100 * l.sparsity());
        }
    }

    /** Writes {@code STEM.sparsity.svg} beside the report; returns its name relative to the report. */
    static String writeChart(Path report, List<Report.Layer> layers) throws IOException {
        String file = ReportFormat.stem(report) + ".sparsity.svg";
        double[] percent = layers.stream().mapToDouble(l -> 100 * l.sparsity()).toArray();
        Charts.write(Charts.bars("Sparsity per tensor", "tensor", "sparsity (%)",
                layers.stream().map(Report.Layer::name).toList(), Map.of("sparsity", percent)),
                report.toAbsolutePath().getParent().resolve(file));
        return file;
    }
}
