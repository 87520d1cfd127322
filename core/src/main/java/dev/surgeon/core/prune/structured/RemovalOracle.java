package dev.surgeon.core.prune.structured;

import dev.surgeon.core.data.Dataset;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.train.Evaluation;

/**
 * The remove-and-measure oracle of Molchanov et al. (2019; METHODS D2, R21): for every structure, the measured change
 * of the mean loss on a fixed data set when that structure alone is removed (its outgoing weights set to 0, which
 * removes its contribution exactly), then restored. Cost: one evaluation of the data set per structure.
 */
public final class RemovalOracle {
    private RemovalOracle() {
    }

    /** L(w with s removed) − L(w) on {@code data} for every structure (the network is left unchanged). */
    public static double[] lossChanges(Structures structures, dev.surgeon.core.nn.Loss loss, Dataset data, int batch) {
        Network net = structures.network();
        float[] w = net.parameters();
        double base = Evaluation.of(net, loss, data, batch).loss();
        double[] out = new double[structures.size()];
        for (Structure s : structures.all()) {
            int[] q = s.outgoing();
            float[] saved = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                saved[i] = w[q[i]];
                w[q[i]] = 0f;
            }
            out[s.index()] = Evaluation.of(net, loss, data, batch).loss() - base;
            for (int i = 0; i < q.length; i++) {
                w[q[i]] = saved[i];
            }
        }
        return out;
    }

    /**
     * Spearman's rank correlation of two samples: Pearson's correlation of their ranks, ties getting the mean of the
     * ranks they span; NaN when either sample is constant.
     */
    public static double spearman(double[] a, double[] b) {
        if (a.length != b.length || a.length < 2) {
            throw new IllegalArgumentException("Spearman needs two samples of the same size >= 2, got " + a.length + " and "
                    + b.length);
        }
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < ra.length; i++) {
            ma += ra[i];
            mb += rb[i];
        }
        ma /= ra.length;
        mb /= rb.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < ra.length; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    /** 1-based ranks with ties averaged. */
    static double[] ranks(double[] x) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (i, j) -> Double.compare(x[i], x[j]));
        double[] r = new double[x.length];
        int i = 0;
        while (i < x.length) {
            int j = i;
            while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) {
                j++;
            }
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = mean;
            }
            i = j + 1;
        }
        return r;
    }
}
