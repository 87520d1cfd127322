package dev.surgeon.core.curvature;

/** Argument checks and small vector helpers shared by the operators. */
final class Vectors {
    private Vectors() {
    }

    /** Throws unless v and out have the operator's dimension. */
    static void check(CurvatureOperator op, double[] v, double[] out) {
        int d = op.dim();
        if (v.length != d || out.length != d) {
            throw new IllegalArgumentException(op.name() + ": vectors must have " + d + " entries, got " + v.length
                    + " and " + out.length);
        }
    }

    /** Mean of the diagonal of the n × n row-major matrix a. */
    static double meanDiagonal(double[] a, int off, int n, int lda) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[off + i * lda + i];
        }
        return n == 0 ? 0 : s / n;
    }

    /** Human-readable byte count, e.g. "7.45 GiB". */
    static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " B" : String.format(java.util.Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
