package dev.surgeon.core.curvature;

import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.ParameterLayout;
import dev.surgeon.core.nn.ParameterTensor;
import dev.surgeon.core.nn.Reduction;
import dev.surgeon.core.nn.Workspace;
import dev.surgeon.core.progress.Progress;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Streams the vectors x of an outer-product curvature C = λI + c·Σ x xᵀ over a data source, restricted to the
 * subset's columns, in blocks of rows (float, row stride = subset dimension), as the network's per-sample
 * hooks produce them. Nothing of size N × d is ever held: consumers accumulate (syrk, rank-one updates,
 * sums of squares) or store what they need.
 */
final class GradientStream {
    /** Receives {@code count} rows at {@code rows[off + r·dim]}; the array is reused after the call returns. */
    interface RowConsumer {
        void accept(float[] rows, int off, int count);
    }

    /** Rows handed over at once for mini-batch gradients (one network pass each). */
    private static final int MINI_BATCH_BLOCK = 32;
    /** Stream id mixed into the seed of the label sampler, so that probe vectors and labels differ. */
    static final long LABEL_STREAM = 0x5DEECE66DL;

    private final Curvature c;
    private final Gradients g;
    private final int dim;

    GradientStream(Curvature c, Gradients g) {
        this.c = c;
        this.g = g;
        this.dim = c.subset().dim();
        c.loss().checkOutputs(c.network().outputSize());
    }

    Gradients gradients() {
        return g;
    }

    /** Row length: the subset's dimension. */
    int dim() {
        return dim;
    }

    /** Rows per example: 1 (Fisher), K (output Jacobian) or C (Λ factor columns). */
    int rowsPerExample() {
        int k = c.network().outputSize();
        return switch (g.kind()) {
            case EMPIRICAL_FISHER, TRUE_FISHER -> 1;
            case GAUSS_NEWTON -> c.loss().factorColumns(k);
            case OUTPUT_JACOBIAN -> k;
        };
    }

    /** Examples: N samples, or ⌊N/b⌋ mini-batches. */
    int examples() {
        return c.data().size() / g.miniBatch();
    }

    /** Total number of rows R. */
    long rows() {
        return (long) examples() * rowsPerExample();
    }

    /** Largest number of rows in one {@link RowConsumer#accept} call. */
    int maxRowsPerCall() {
        return g.miniBatch() > 1 ? Math.min(MINI_BATCH_BLOCK, examples()) : c.data().batchSize();
    }

    /**
     * c in C = λI + c·Σ x xᵀ: the loss scale s_N (1/N for MEAN, 1 for SUM) for per-sample rows; 1/N for OBS's
     * output Jacobian (its definition); N·s_N/M for M mini-batch means.
     */
    double coefficient() {
        int n = c.data().size();
        if (g.kind() == GradientKind.OUTPUT_JACOBIAN) {
            return 1.0 / n;
        }
        double sN = c.loss().reduction() == Reduction.MEAN ? 1.0 / n : 1.0;
        return g.miniBatch() == 1 ? sN : n * sN / examples();
    }

    /** The sampler of model targets for the true Fisher (same seed ⇒ same labels), or null. */
    SplittableRandom labelSampler() {
        return g.kind() == GradientKind.TRUE_FISHER ? new SplittableRandom(c.seed() ^ LABEL_STREAM) : null;
    }

    void run(RowConsumer consumer) {
        if (examples() == 0) {
            throw new IllegalArgumentException("mini-batches of " + g.miniBatch() + " need at least that many samples; "
                    + c.data() + " has fewer");
        }
        if (g.miniBatch() == 1) {
            perSample(consumer);
        } else {
            miniBatches(consumer);
        }
    }

    private void perSample(RowConsumer consumer) {
        Network net = c.network();
        Loss loss = c.loss();
        DataSource data = c.data();
        ParameterSubset subset = c.subset();
        int capacity = data.batchSize();
        int k = net.outputSize();
        // Per-sample gradients come per layer (weight and bias together): widen the subset's covering
        // range to whole layers and pack the subset's columns out of it.
        ParameterLayout layout = net.layout();
        int from = layout.tensorsOf(layout.tensorAt(subset.coveringFrom()).layerIndex()).get(0).offset();
        List<ParameterTensor> last = layout.tensorsOf(layout.tensorAt(subset.coveringTo() - 1).layerIndex());
        int to = last.get(last.size() - 1).end();
        int width = to - from;
        boolean pack = !(subset.rangeCount() == 1 && subset.rangeFrom(0) == from && subset.rangeTo(0) == to);
        Workspace ws = net.workspace(capacity);
        float[] raw = new float[Math.multiplyExact(capacity, width)];
        float[] rows = pack ? new float[Math.multiplyExact(capacity, dim)] : raw;
        int columns = rowsPerExample();
        float[] seeds = new float[columns * capacity * k];
        SplittableRandom labels = labelSampler();
        Progress progress = c.progress();
        progress.start(g.label() + " gradients", data.batchCount());
        for (int b = 0; b < data.batchCount(); b++) {
            data.load(ws, b);
            net.forward(ws, false);
            int n = ws.batch();
            switch (g.kind()) {
                case EMPIRICAL_FISHER -> net.lossSeeds(ws, loss, null, seeds, 0);
                case TRUE_FISHER -> net.lossSeeds(ws, loss, labels, seeds, 0);
                case GAUSS_NEWTON -> loss.hessianFactor(ws.outputs(), ws.targets(), n, k, 1f, seeds, 0);
                case OUTPUT_JACOBIAN -> {
                    java.util.Arrays.fill(seeds, 0, columns * n * k, 0f);
                    for (int col = 0; col < k; col++) {
                        for (int s = 0; s < n; s++) {
                            seeds[(col * n + s) * k + col] = 1f;
                        }
                    }
                }
            }
            for (int col = 0; col < columns; col++) {
                net.sampleGradients(ws, seeds, col * n * k, from, to, raw, 0, width);
                if (pack) {
                    subset.packRows(raw, 0, width, from, n, rows, 0);
                }
                consumer.accept(rows, 0, n);
            }
            progress.advance(1);
        }
        progress.finish();
    }

    private void miniBatches(RowConsumer consumer) {
        Network net = c.network();
        Loss loss = c.loss();
        DataSource data = c.data();
        ParameterSubset subset = c.subset();
        int b = g.miniBatch();
        int k = net.outputSize();
        int m = examples();
        Workspace ws = net.workspace(b);
        float[] seeds = new float[b * k];
        float[] full = new float[net.parameterCount()];
        int block = maxRowsPerCall();
        float[] rows = new float[Math.multiplyExact(block, dim)];
        SplittableRandom labels = labelSampler();
        Progress progress = c.progress();
        progress.start(g.label() + " gradients", m);
        int filled = 0;
        for (int j = 0; j < m; j++) {
            data.load(ws, j * b, b);
            net.forward(ws, false);
            net.lossSeeds(ws, loss, labels, seeds, 0);
            for (int i = 0; i < b * k; i++) {
                seeds[i] /= b;
            }
            net.vectorJacobianProduct(ws, seeds, 0, full);
            subset.packRows(full, 0, 0, 0, 1, rows, filled * dim);
            filled++;
            if (filled == block || j == m - 1) {
                consumer.accept(rows, 0, filled);
                filled = 0;
            }
            progress.advance(1);
        }
        progress.finish();
    }
}
