package dev.surgeon.core.curvature;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * M-FAC's dynamic operator (Frantar, Kurtic and Alistarh 2021; IST-DASLab/M-FAC; METHODS 1.7, A8), the inverse
 * of the optimizer's sliding-window Fisher F̂ = λI + (1/m) Σ_{i=1}^{m} g_i g_iᵀ over the last m gradients. G is a
 * ring buffer that starts as zeros, with the nominal m kept in the denominator (the first m steps see a smaller
 * curvature than the window suggests; kept for parity with the reference). The Gram matrix P = GGᵀ is kept
 * up to date; a {@link #push} overwrites the oldest row, refreshes its row and column of P with one rowDots pass
 * (O(dm)) and recomputes D, den and B ({@link MfacCoefficients}, O(m³)). Then
 * F̂⁻¹x = λ⁻¹x − Gᵀ(Bᵀ((B G x) ⊘ den)): one rowDots and one rowCombination pass over G plus O(m²), in the
 * physical buffer order (F̂ does not depend on the order of the rows). Products F̂x = λx + (1/m)Gᵀ(Gx) and
 * diag F̂ (O(dm)) are cheap; diag F̂⁻¹ needs V = B·G chunk by chunk, O(m²d).
 * Memory: m·d stored values ({@link GradientStorage}) and three m × m double matrices.
 */
public final class MfacDynamic implements CurvatureOperator {
    private final MfacRows rows;
    private final double lambda;
    private final double count;
    private final double[] gram;
    private final double[] lu;
    private final double[] b;
    private final double[] den;
    private final double[] coef;
    private final double[] q;
    private final double[] y;
    private final double[] incoming;
    private int next;
    private long pushes;

    /**
     * An empty window (all-zero rows) of m gradients of d coordinates, F̂ = λI + (1/m) GᵀG.
     */
    public MfacDynamic(int m, int d, double lambda, GradientStorage storage, Kernels kernels) {
        this(m, d, lambda, m, storage, kernels);
    }

    /** The same with an explicit denominator count n: F̂ = λI + (1/n) GᵀG. */
    public MfacDynamic(int m, int d, double lambda, double count, GradientStorage storage, Kernels kernels) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("M-FAC needs a damping λ > 0, got " + lambda);
        }
        if (!(count > 0)) {
            throw new IllegalArgumentException("the denominator count must be > 0, got " + count);
        }
        this.rows = MfacRows.of(storage, m, d, kernels);
        this.lambda = lambda;
        this.count = count;
        this.gram = new double[m * m];
        this.lu = new double[m * m];
        this.b = new double[m * m];
        this.den = new double[m];
        this.coef = new double[m];
        this.q = new double[m];
        this.y = new double[m];
        this.incoming = new double[m];
        recompute();
    }

    /** Memory of a window of m gradients of d coordinates. */
    static long estimateBytes(int m, int d, GradientStorage storage) {
        return (long) storage.bytesPerValue() * m * d + 24L * d + 8L * (3L * m * m + 5L * m) + 16L * m * MfacRows.CHUNK;
    }

    /** Replaces the oldest gradient by g (length d) and updates the inverse: O(dm + m³). */
    public void push(float[] g) {
        checkLength(g.length);
        rows.setRow(next, g, 0);
        afterPush();
    }

    /** The same for a double gradient. */
    public void push(double[] g) {
        checkLength(g.length);
        rows.setRow(next, g, 0);
        afterPush();
    }

    /**
     * {@link #push} g, then {@code out = F̂⁻¹ g} for the window that now contains it, one pass over G cheaper than
     * push + {@link #inverseMultiply}: the new row of the Gram matrix, G·g, which the push computes anyway, is the
     * first product G·x of the inverse product (METHODS 1.7 step 3). The M-FAC optimizer's step (F item 15). With
     * float storage G·g uses g as stored (rounded to float), a relative difference of ~1e-7 from inverseMultiply.
     */
    public void pushAndInverseMultiply(double[] g, double[] out) {
        push(g);
        if (out.length != rows.d) {
            throw new IllegalArgumentException("output has " + out.length + " entries, the window holds " + rows.d);
        }
        System.arraycopy(incoming, 0, q, 0, rows.m);
        applyInverse(g, out);
    }

    private void checkLength(int length) {
        if (length != rows.d) {
            throw new IllegalArgumentException("gradient has " + length + " entries, the window holds " + rows.d);
        }
    }

    private void afterPush() {
        int m = rows.m;
        int r = next;
        // Row and column r of P = GGᵀ: G g_r, with g_r as stored (in the storage precision).
        rows.setVectorFromRow(r);
        rows.rowDots(m, 0, rows.d, incoming, 0);
        for (int i = 0; i < m; i++) {
            gram[r * m + i] = incoming[i];
            gram[i * m + r] = incoming[i];
        }
        next = (next + 1) % m;
        pushes++;
        recompute();
    }

    private void recompute() {
        System.arraycopy(gram, 0, lu, 0, gram.length);
        MfacCoefficients.compute(rows.kernels, lu, rows.m, lambda, count, b, den, coef);
    }

    /** Number of gradients pushed so far (the window holds min(pushes, m) non-zero rows). */
    public long pushes() {
        return pushes;
    }

    /** Window size m. */
    public int window() {
        return rows.m;
    }

    public double lambda() {
        return lambda;
    }

    @Override
    public String name() {
        return "M-FAC dynamic (window of " + rows.m + " gradients)";
    }

    @Override
    public int dim() {
        return rows.d;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public void multiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        int m = rows.m;
        rows.setVector(v);
        rows.rowDots(m, 0, rows.d, q, 0);
        for (int i = 0; i < m; i++) {
            q[i] /= count;
        }
        rows.rowCombination(m, q, 0, 0, rows.d);
        rows.finish(lambda, v, 1.0, out);
    }

    @Override
    public void inverseMultiply(double[] v, double[] out) {
        Vectors.check(this, v, out);
        rows.setVector(v);
        rows.rowDots(rows.m, 0, rows.d, q, 0);
        applyInverse(v, out);
    }

    /** The rest of the inverse product once q = G v is known: λ⁻¹v − Gᵀ(Bᵀ((B q) ⊘ den)). */
    private void applyInverse(double[] v, double[] out) {
        int m = rows.m;
        Kernels k = rows.kernels;
        k.gemv(Trans.N, m, m, 1.0, b, 0, m, q, 0, 0.0, y, 0);
        for (int i = 0; i < m; i++) {
            y[i] /= den[i];
        }
        k.gemv(Trans.T, m, m, 1.0, b, 0, m, y, 0, 0.0, q, 0);
        rows.rowCombination(m, q, 0, 0, rows.d);
        rows.finish(1 / lambda, v, -1.0, out);
    }

    @Override
    public double[] diagonal() {
        double[] d = new double[rows.d];
        rows.weightedSquares(null, null, 0, rows.d, d, 0);
        for (int k = 0; k < d.length; k++) {
            d[k] = lambda + d[k] / count;
        }
        return d;
    }

    @Override
    public double[] inverseDiagonal() {
        double[] d = new double[rows.d];
        rows.inverseDiagonal(b, den, 0, lambda, 0, rows.d, d, 0);
        return d;
    }

    @Override
    public long memoryBytes() {
        return rows.bytes() + 8L * (gram.length + lu.length + b.length + 5L * rows.m);
    }

    @Override
    public List<DampingRecord> dampingUsed() {
        return List.of(new DampingRecord(name(), lambda, lambda, 1));
    }

    @Override
    public String toString() {
        return name() + " over " + rows.d + " coordinates (" + rows.storage() + ")";
    }
}
