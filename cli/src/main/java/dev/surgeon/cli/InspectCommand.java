package dev.surgeon.cli;

import dev.surgeon.core.io.FileFormatException;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.SafeTensors;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.io.Tensor;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code surgeon inspect}: what a safetensors file holds. For a Surgeon model file: the architecture, the
 * weight count and sparsity, the mask, then every stored tensor and the metadata, after validating the
 * whole file. For any other safetensors file (e.g. a PyTorch state_dict): the tensors and the metadata.
 */
@Command(name = "inspect",
        header = "List the tensors, sparsity and metadata of a safetensors file.",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
                "Show what a safetensors file holds: every tensor with its dtype, shape, non-zero count and sparsity "
                        + "(fraction of zeros), and the metadata. A Surgeon model file is also validated and summarized "
                        + "(architecture, weights, sparsity, mask); other safetensors files are listed as they are.",
                ""},
        footerHeading = "%nExamples:%n",
        footer = {"  surgeon inspect model.safetensors", "  surgeon inspect pytorch_state_dict.safetensors"})
final class InspectCommand implements Callable<Integer> {
    /** Tensors larger than this are listed without counting their zeros (it would mean reading gigabytes). */
    static final long COUNT_LIMIT = 1L << 28;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A .safetensors file.")
    Path file;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        Map<String, String> metadata;
        boolean model;
        long bytes = java.nio.file.Files.size(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            model = ModelFile.isModelFile(st);
            metadata = st.metadata();
            for (String name : st.names()) {
                rows.add(row(st, name));
            }
        }
        FileFormatException invalid = null;
        if (model) {
            try {
                SavedModel saved = ModelFile.read(file, Kernels.scalar());
                List<Report.Layer> layers = Report.layers(saved.network());
                long nonzero = Report.nonzero(layers);
                int d = saved.network().parameterCount();
                out.printf(Locale.ROOT, "%s: Surgeon model file (format %s), %d bytes%n", file,
                        metadata.getOrDefault(ModelFile.FORMAT_KEY, "?"), bytes);
                out.printf(Locale.ROOT, "architecture: %s%n", saved.network().spec());
                out.printf(Locale.ROOT, "weights: %d, %d non-zero (sparsity %.2f %%); %s%n", d, nonzero,
                        100 * Report.sparsity(d, nonzero), saved.mask() == null ? "no mask"
                                : String.format(Locale.ROOT, "mask prunes %d (%.2f %%)", saved.mask().prunedCount(),
                                100 * saved.mask().sparsity()));
            } catch (FileFormatException e) {
                invalid = e;
                out.printf(Locale.ROOT, "%s: INVALID Surgeon model file (see the error below), %d bytes%n", file, bytes);
            }
        } else {
            out.printf(Locale.ROOT, "%s: safetensors file, not a Surgeon model (no %s in its metadata), %d bytes%n", file,
                    ModelFile.ARCH_KEY, bytes);
        }
        out.println();
        printTable(out, rows);
        out.println();
        if (metadata.isEmpty()) {
            out.println("metadata: none");
        } else {
            out.println("metadata:");
            int width = metadata.keySet().stream().mapToInt(String::length).max().orElse(0);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                out.printf(Locale.ROOT, "  %-" + width + "s  %s%n", e.getKey(), e.getValue().replace("\n", "\\n"));
            }
        }
        out.flush();
        if (invalid != null) {
            throw invalid;
        }
        return ExitCodes.OK;
    }

    /** name, dtype, shape, non-zero/size, sparsity. */
    private static String[] row(SafeTensors st, String name) throws IOException {
        long[] shape = st.shape(name);
        long size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        String nonzero = "-";
        String sparsity = "-";
        if (size <= COUNT_LIMIT) {
            Tensor t = st.read(name);
            long nz = 0;
            if (t.isFloating()) {
                float[] f = t.floats();
                for (float v : f) {
                    if (v != 0f) {
                        nz++;
                    }
                }
            } else {
                for (int i = 0; i < t.size(); i++) {
                    if (t.longAt(i) != 0) {
                        nz++;
                    }
                }
            }
            nonzero = nz + "/" + size;
            sparsity = size == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * (1 - (double) nz / size));
        }
        return new String[] {name, st.dtype(name).name(), Arrays.toString(shape), nonzero, sparsity};
    }

    private static void printTable(PrintWriter out, List<String[]> rows) {
        String[] header = {"tensor", "dtype", "shape", "non-zero", "sparsity"};
        int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        printRow(out, header, width);
        for (String[] r : rows) {
            printRow(out, r, width);
        }
    }

    private static void printRow(PrintWriter out, String[] cells, int[] width) {
        out.printf(Locale.ROOT, "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %" + width[3] + "s  %" + width[4]
                + "s%n", (Object[]) cells);
    }
}
