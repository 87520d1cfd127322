package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Factorization parity, by residuals: {@code potrf} (‖LLᵀ − A‖, both triangles), {@code potri}
 * (‖A·A⁻¹ − I‖), {@code potrs} (‖AX − B‖), {@code syev} (‖AV − VΛ‖, ‖VᵀV − I‖, ascending eigenvalues) and
 * {@code getrfNoPivot} (‖LU − A‖); and their failures: the index of a pivot that is not positive, zero or
 * NaN.
 *
 * <p>Tolerances (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.):
 * <ul>
 *   <li>Cholesky, any ordering or blocking: L̂L̂ᵀ = A + ΔA with |ΔA| ≤ γ_{n+1}|L̂||L̂ᵀ| (Thm 10.3).</li>
 *   <li>Cholesky solve: (A + ΔA)X̂ = B with |ΔA| ≤ γ_{3n+1}|L̂||L̂ᵀ| (Thm 10.4).</li>
 *   <li>LU without pivoting: L̂Û = A + ΔA with |ΔA| ≤ γ_n|L̂||Û| (Thm 9.3).</li>
 *   <li>Inverse from Cholesky: ‖X̂ − A⁻¹‖₂ ≤ c_n·u·κ₂(A)·‖A⁻¹‖₂ (§14.3); we take c_n = 3n + 3 for the three
 *       O(n)-deep stages (factor, triangular inverse, product), so ‖AX̂ − I‖ ≤ γ_{3n+3}·κ₂².</li>
 *   <li>Symmetric eigensolver (Householder + QL, Golub &amp; Van Loan §8.3): exact for A + ΔA with
 *       ‖ΔA‖₂ ≲ u‖A‖₂; we allow γ_{4n}·‖A‖_F, which also covers rounding V and Λ to float.</li>
 * </ul>
 * Each bound gets a factor 2 (see {@link Parity}); +2 in the γ index covers reciprocal multiplication in
 * place of division. Check (a) compares with the scalar factors through first-order perturbation bounds,
 * which need the condition of the matrix: the well-conditioned test matrices have it by construction
 * (Gershgorin, {@link TestMatrices}).
 */
public final class FactorizationParity {
    /**
     * First-order perturbation of the Cholesky/LU factors of the well-conditioned test matrices: with
     * A = D½(I + E)D½ (or D(I + N)) and ‖E‖, ‖N‖ ≤ ½, the factors and their inverses are within a factor 2
     * of the diagonal scaling, so |δL| ≤ ‖L⁻¹‖·‖ΔA‖·‖U⁻¹‖·‖L‖ ≤ 8‖ΔA‖ with ‖ΔA‖ ≤ 2γ‖A‖.
     */
    static final double FACTOR_PERTURBATION = 16;

    /** Which SPD test matrix. */
    public enum SpdKind {
        /** Diagonally dominant, κ ≤ 5 ({@link TestMatrices#wellConditionedSpd}). */
        WELL_CONDITIONED,
        /** Damped Gram matrix, κ in the thousands ({@link TestMatrices#dampedGram}). */
        GRAM
    }

    /** A square factorization problem (potrf, potri, syev, getrfNoPivot); {@code kind} only for potrf. */
    public record SquareCase(Precision p, Uplo uplo, int n, SpdKind kind, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + uplo + " n=" + n + (kind == null ? "" : " " + kind) + " " + layout;
        }
    }

    /** A Cholesky solve with nrhs right-hand sides. */
    public record PotrsCase(Precision p, Uplo uplo, int n, int nrhs, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + uplo + " n=" + n + " nrhs=" + nrhs + " " + layout;
        }
    }

    /**
     * Special spectra for syev: degenerate and already-diagonal matrices exercise deflation and sorting;
     * TINY and HUGE are RANDOM scaled by 2^∓560 (2^∓100 in float), where squares of entries underflow or
     * overflow unless the solver scales first.
     */
    public enum Spectrum {
        RANDOM, ZERO, IDENTITY, UNSORTED_DIAGONAL, REPEATED, TINY, HUGE
    }

    /** A symmetric eigenproblem. */
    public record SyevCase(Precision p, Uplo uplo, int n, Spectrum spectrum, Operand.Layout layout) {
        @Override
        public String toString() {
            return p + " " + uplo + " n=" + n + " " + spectrum + " " + layout;
        }
    }

    private static final int[] FACTOR_SIZES = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 255, 257};
    private static final int[] EIGEN_SIZES = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127};

    private FactorizationParity() {
    }

    /** Sizes up to 257 for both triangles and both matrix kinds; one 1000 and one 300 (scalar UPPER is strided). */
    public static List<SquareCase> potrfCases() {
        List<SquareCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : FACTOR_SIZES) {
                for (Uplo uplo : Uplo.values()) {
                    for (SpdKind kind : SpdKind.values()) {
                        out.add(new SquareCase(p, uplo, n, kind, Parity.layout(i++)));
                    }
                }
            }
        }
        out.add(new SquareCase(Precision.FLOAT, Uplo.LOWER, 1000, SpdKind.GRAM, Operand.Layout.PADDED));
        out.add(new SquareCase(Precision.DOUBLE, Uplo.UPPER, 300, SpdKind.WELL_CONDITIONED, Operand.Layout.TIGHT));
        return out;
    }

    /** potri and getrfNoPivot: sizes up to 257 (getrf ignores uplo and runs once per size). */
    public static List<SquareCase> squareCases() {
        List<SquareCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : FACTOR_SIZES) {
                for (Uplo uplo : Uplo.values()) {
                    out.add(new SquareCase(p, uplo, n, null, Parity.layout(i++)));
                }
            }
        }
        return out;
    }

    public static List<PotrsCase> potrsCases() {
        int[][] shapes = {{0, 2}, {1, 1}, {2, 3}, {7, 3}, {16, 1}, {17, 5}, {33, 16}, {64, 9}, {65, 33}, {127, 4},
            {257, 7}, {3, 0}};
        List<PotrsCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int[] s : shapes) {
                for (Uplo uplo : Uplo.values()) {
                    out.add(new PotrsCase(p, uplo, s[0], s[1], Parity.layout(i++)));
                }
            }
        }
        return out;
    }

    public static List<SyevCase> syevCases() {
        List<SyevCase> out = new ArrayList<>();
        int i = 0;
        for (Precision p : Precision.values()) {
            for (int n : EIGEN_SIZES) {
                for (Uplo uplo : Uplo.values()) {
                    out.add(new SyevCase(p, uplo, n, Spectrum.RANDOM, Parity.layout(i++)));
                }
            }
            for (Spectrum s : Spectrum.values()) {
                for (int n : new int[] {1, 9, 33}) {
                    out.add(new SyevCase(p, Uplo.values()[i % 2], n, s, Parity.layout(i++)));
                }
            }
        }
        out.add(new SyevCase(Precision.DOUBLE, Uplo.LOWER, 255, Spectrum.RANDOM, Operand.Layout.PADDED));
        out.add(new SyevCase(Precision.FLOAT, Uplo.UPPER, 257, Spectrum.RANDOM, Operand.Layout.TIGHT));
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // potrf

    static void potrf(Kernels candidate, SquareCase c) {
        SplittableRandom rnd = TestMatrices.random("potrf", c.toString());
        Operand.Cells triangle = Operand.Cells.triangle(c.uplo());
        Operand a = Operand.matrix(c.p(), c.n(), c.n(), c.layout());
        if (c.kind() == SpdKind.GRAM) {
            TestMatrices.dampedGram(a, triangle, rnd);
        } else {
            TestMatrices.wellConditionedSpd(a, triangle, rnd);
        }
        int n = c.n();
        KernelCall.Outcome out = new KernelCall("potrf", c.uplo(), n, a.data, a.off, a.ld)
                .writes(a, triangle).run(candidate, c.p());
        Operand f = out.candidate(a);
        String what = "potrf " + c.uplo();
        for (int j = 0; j < n; j++) {
            assertTrue(f.get(j, j) > 0, what + ": diagonal of the factor must be positive at " + j);
        }
        // Residual rows: all of them, or a sample for n = 1000 (each row costs n² here).
        double[] l = lowerFactor(f, c.uplo());
        double[] dense = a.toDenseSymmetric(c.uplo());
        Operand product = Operand.matrix(Precision.DOUBLE, n, n, Operand.Layout.TIGHT);
        Expected e = new Expected(n, n);
        for (int i = 0; i < n; i++) {
            if (n > 300 && i % 61 != 0 && i != n - 1) {
                continue;
            }
            for (int j = 0; j <= i; j++) {
                double s = 0;
                double mag = 0;
                for (int q = 0; q <= j; q++) {
                    double t = l[i * n + q] * l[j * n + q];
                    s += t;
                    mag += Math.abs(t);
                }
                product.set(i, j, s);
                e.set(i, j, dense[i * n + j], c.p().gamma(n + 3) * mag);
            }
        }
        e.assertMatches(what + " residual |LLᵀ − A|", product, Parity.TWO_BOUNDS);
        if (out.hasReference() && c.kind() == SpdKind.WELL_CONDITIONED) {
            double maxDiagonal = 0;
            for (int i = 0; i < n; i++) {
                maxDiagonal = Math.max(maxDiagonal, a.get(i, i));
            }
            // |δL_ij| ≤ 16·γ·‖A‖ in the D½-scaled space, i.e. ·sqrt(max a_ii) for L itself.
            double tol = FACTOR_PERTURBATION * c.p().gamma(n + 3) * Math.sqrt(maxDiagonal);
            Level3Parity.uniformBound(n, n, triangle, tol)
                    .assertAgree(what + " factor vs scalar", f, out.reference(a), Parity.TWO_BOUNDS);
        }
    }

    /** The lower Cholesky factor L, dense n×n with zeros above the diagonal (stored as U = Lᵀ for UPPER). */
    static double[] lowerFactor(Operand f, Uplo uplo) {
        int n = f.rows;
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                l[i * n + j] = uplo == Uplo.LOWER ? f.get(i, j) : f.get(j, i);
            }
        }
        return l;
    }

    // ------------------------------------------------------------------------------------------------
    // potri and potrs (given the same factor, computed by the scalar provider)

    /** An SPD test matrix, its dense float64 copy, Gershgorin bounds and the scalar Cholesky factor. */
    private record Factored(Operand a, double[] dense, double lo, double hi, Operand factor) {
    }

    private static Factored factored(Precision p, Uplo uplo, int n, Operand.Layout layout, SplittableRandom rnd) {
        Operand a = Operand.matrix(p, n, n, layout);
        TestMatrices.wellConditionedSpd(a, Operand.Cells.triangle(uplo), rnd);
        double[] dense = a.toDenseSymmetric(uplo);
        double[] g = n == 0 ? new double[] {1, 1} : TestMatrices.gershgorin(dense, n);
        Operand factor = a.copy();
        new KernelInvoker(new ScalarKernels(), p).call("potrf", uplo, n, factor.data, factor.off, factor.ld);
        return new Factored(a, dense, g[0], g[1], factor);
    }

    static void potri(Kernels candidate, SquareCase c) {
        int n = c.n();
        Precision p = c.p();
        Factored fa = factored(p, c.uplo(), n, c.layout(), TestMatrices.random("potri", c.toString()));
        Operand.Cells triangle = Operand.Cells.triangle(c.uplo());
        Operand f = fa.factor();
        KernelCall.Outcome out = new KernelCall("potri", c.uplo(), n, f.data, f.off, f.ld)
                .writes(f, triangle).run(candidate, p);
        Operand inv = out.candidate(f);
        double[] invT = inv.toDenseSymmetric(c.uplo()); // symmetric: row j is column j
        double[] dense = fa.dense();
        double kappa = fa.hi() / fa.lo();
        Operand residual = Operand.matrix(Precision.DOUBLE, n, n, Operand.Layout.TIGHT);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < n; q++) {
                    s += dense[i * n + q] * invT[j * n + q];
                }
                residual.set(i, j, s - (i == j ? 1 : 0));
            }
        }
        String what = "potri " + c.uplo();
        Level3Parity.uniformBound(n, n, Operand.Cells.ALL, p.gamma(3 * n + 3) * kappa * kappa)
                .assertMatches(what + " residual |A·A⁻¹ − I|", residual, Parity.TWO_BOUNDS);
        if (out.hasReference()) {
            // ‖X̂ − A⁻¹‖ ≤ c_n·u·κ·‖A⁻¹‖ with ‖A⁻¹‖₂ ≤ 1/λ_min ≤ 1/lo.
            Level3Parity.uniformBound(n, n, triangle, p.gamma(3 * n + 3) * kappa / fa.lo())
                    .assertAgree(what + " vs scalar", inv, out.reference(f), Parity.TWO_BOUNDS);
        }
    }

    static void potrs(Kernels candidate, PotrsCase c) {
        int n = c.n();
        Precision p = c.p();
        SplittableRandom rnd = TestMatrices.random("potrs", c.toString());
        Factored fa = factored(p, c.uplo(), n, c.layout(), rnd);
        Operand f = fa.factor();
        Operand b = Operand.matrix(p, n, c.nrhs(), Parity.other(c.layout())).fillRandom(rnd);
        KernelCall.Outcome out = new KernelCall("potrs", c.uplo(), n, c.nrhs(), f.data, f.off, f.ld,
                b.data, b.off, b.ld).reads(f).writes(b, Operand.Cells.ALL).run(candidate, p);
        Operand x = out.candidate(b);
        // |L||Lᵀ| once, then the residual B − A·X̂ and its bound γ_{3n+1}·|L||Lᵀ|·|X̂|.
        double[] l = lowerFactor(f, c.uplo());
        double[] llt = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q <= Math.min(i, j); q++) {
                    s += Math.abs(l[i * n + q] * l[j * n + q]);
                }
                llt[i * n + j] = s;
            }
        }
        double[] xt = x.toDense(Trans.T); // nrhs×n: column j of X̂ is row j
        double[] dense = fa.dense();
        Operand residual = Operand.matrix(Precision.DOUBLE, n, c.nrhs(), Operand.Layout.TIGHT);
        Expected e = new Expected(n, c.nrhs());
        double[] columnNorm = new double[c.nrhs()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c.nrhs(); j++) {
                double s = 0;
                double mag = 0;
                for (int q = 0; q < n; q++) {
                    s += dense[i * n + q] * xt[j * n + q];
                    mag += llt[i * n + q] * Math.abs(xt[j * n + q]);
                }
                residual.set(i, j, b.get(i, j) - s);
                double bound = p.gamma(3 * n + 1) * mag;
                e.set(i, j, 0, bound);
                columnNorm[j] += bound * bound;
            }
        }
        String what = "potrs " + c.uplo();
        e.assertMatches(what + " residual |B − A·X|", residual, Parity.TWO_BOUNDS);
        if (out.hasReference()) {
            // X̂ − X = A⁻¹·R column by column: |δx_ij| ≤ ‖A⁻¹‖₂·‖r_j‖₂ ≤ ‖r_j‖₂ / lo.
            Expected forward = new Expected(n, c.nrhs());
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c.nrhs(); j++) {
                    forward.set(i, j, 0, Parity.TWO_BOUNDS * Math.sqrt(columnNorm[j]) / fa.lo());
                }
            }
            forward.assertAgree(what + " vs scalar", x, out.reference(b), Parity.TWO_BOUNDS);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // syev

    static void syev(Kernels candidate, SyevCase c) {
        int n = c.n();
        Precision p = c.p();
        SplittableRandom rnd = TestMatrices.random("syev", c.toString());
        double[] s = spectrumMatrix(c.spectrum(), n, p, rnd);
        Operand a = Operand.matrix(p, n, n, c.layout()).fill(Operand.Cells.triangle(c.uplo()), (i, j) -> s[i * n + j]);
        Operand w = Operand.vector(p, n, Parity.other(c.layout()));
        KernelCall.Outcome out = new KernelCall("syev", c.uplo(), n, a.data, a.off, a.ld, w.data, w.off)
                .writes(a, Operand.Cells.ALL).writes(w, Operand.Cells.ALL).run(candidate, p);
        Operand v = out.candidate(a);
        Operand lambda = out.candidate(w);
        String what = "syev " + c.uplo() + " " + c.spectrum();
        double[] dense = a.toDenseSymmetric(c.uplo());
        double[] vt = v.toDense(Trans.T); // row j is eigenvector j
        double frobenius = frobenius(dense);
        for (int j = 1; j < n; j++) {
            assertTrue(lambda.get(j - 1) <= lambda.get(j), what + ": eigenvalues not ascending at " + j
                    + ": " + lambda.get(j - 1) + " > " + lambda.get(j));
        }
        double tol = p.gamma(4 * Math.max(n, 1)) * frobenius;
        Operand residual = Operand.matrix(Precision.DOUBLE, n, n, Operand.Layout.TIGHT);
        Operand gram = Operand.matrix(Precision.DOUBLE, n, n, Operand.Layout.TIGHT);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double av = 0;
                double vv = 0;
                for (int q = 0; q < n; q++) {
                    av += dense[i * n + q] * vt[j * n + q];
                    vv += vt[i * n + q] * vt[j * n + q];
                }
                residual.set(i, j, av - v.get(i, j) * lambda.get(j));
                gram.set(i, j, vv - (i == j ? 1 : 0));
            }
        }
        Level3Parity.uniformBound(n, n, Operand.Cells.ALL, tol)
                .assertMatches(what + " residual |AV − VΛ|", residual, Parity.TWO_BOUNDS);
        Level3Parity.uniformBound(n, n, Operand.Cells.ALL, p.gamma(4 * Math.max(n, 1)))
                .assertMatches(what + " orthogonality |VᵀV − I|", gram, Parity.TWO_BOUNDS);
        if (out.hasReference()) {
            // Weyl: each computed spectrum is exact for A + ΔA, so eigenvalues move by at most ‖ΔA‖₂.
            Level3Parity.uniformBound(1, n, Operand.Cells.ALL, tol)
                    .assertAgree(what + " eigenvalues vs scalar", lambda, out.reference(w), Parity.TWO_BOUNDS);
        }
    }

    /** ‖A‖_F, computed on A/max|a_ij| so that squares of tiny or huge entries neither underflow nor overflow. */
    static double frobenius(double[] a) {
        double largest = 0;
        for (double v : a) {
            largest = Math.max(largest, Math.abs(v));
        }
        if (largest == 0) {
            return 0;
        }
        double sum = 0;
        for (double v : a) {
            sum += (v / largest) * (v / largest);
        }
        return largest * Math.sqrt(sum);
    }

    /** The full symmetric test matrix (row-major) for a spectrum kind. */
    public static double[] spectrumMatrix(Spectrum kind, int n, Precision p, SplittableRandom rnd) {
        int exponent = p == Precision.DOUBLE ? 560 : 100;
        double[] s = new double[n * n];
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = switch (kind) {
                    case RANDOM -> rnd.nextDouble(-1, 1);
                    case TINY -> Math.scalb(rnd.nextDouble(-1, 1), -exponent);
                    case HUGE -> Math.scalb(rnd.nextDouble(-1, 1), exponent);
                    case ZERO -> 0;
                    case IDENTITY -> i == j ? 1 : 0;
                    case UNSORTED_DIAGONAL -> i == j ? (i * 7919 % 13) - 6 : 0;
                    case REPEATED -> (i == j ? 2 : 0) + x[i] * x[j]; // 2 with multiplicity n − 1
                };
                s[i * n + j] = v;
                s[j * n + i] = v;
            }
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------
    // getrfNoPivot

    static void getrf(Kernels candidate, SquareCase c) {
        int n = c.n();
        Precision p = c.p();
        Operand a = Operand.matrix(p, n, n, c.layout());
        TestMatrices.wellConditionedSquare(a, Operand.Cells.ALL, TestMatrices.random("getrf", c.toString()));
        KernelCall.Outcome out = new KernelCall("getrfNoPivot", n, a.data, a.off, a.ld)
                .writes(a, Operand.Cells.ALL).run(candidate, p);
        Operand lu = out.candidate(a);
        double[] f = lu.toDense(Trans.N);
        Operand product = Operand.matrix(Precision.DOUBLE, n, n, Operand.Layout.TIGHT);
        Expected e = new Expected(n, n);
        double normInf = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) {
                double s = 0;
                double mag = 0;
                for (int q = 0; q <= Math.min(i, j); q++) {
                    double t = (q == i ? 1 : f[i * n + q]) * f[q * n + j];
                    s += t;
                    mag += Math.abs(t);
                }
                product.set(i, j, s);
                e.set(i, j, a.get(i, j), p.gamma(n + 3) * mag);
                row += Math.abs(a.get(i, j));
            }
            normInf = Math.max(normInf, row);
        }
        e.assertMatches("getrfNoPivot residual |LU − A|", product, Parity.TWO_BOUNDS);
        if (out.hasReference()) {
            Level3Parity.uniformBound(n, n, Operand.Cells.ALL, FACTOR_PERTURBATION * p.gamma(n + 3) * normInf)
                    .assertAgree("getrfNoPivot factors vs scalar", lu, out.reference(a), Parity.TWO_BOUNDS);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Failures

    /**
     * potrf on L·diag(d)·Lᵀ with d_j = 0 or −1 stops exactly at j (the integer construction makes every
     * pivot exact) with a {@link NotPositiveDefiniteException} carrying j and the pivot value.
     */
    static void potrfReportsTheFailingPivot(Kernels candidate, Precision p) {
        List<Object[]> cases = new ArrayList<>(); // n, failing pivot index, its value, triangle
        for (int n : new int[] {1, 5, 17, 64, 100}) {
            for (int failing : new int[] {0, n / 2, n - 1}) {
                for (Uplo uplo : Uplo.values()) {
                    cases.add(new Object[] {n, failing, failing % 2 == 0 ? 0.0 : -1.0, uplo});
                    cases.add(new Object[] {n, failing, failing % 2 == 0 ? -1.0 : 0.0, uplo});
                }
            }
        }
        // Past a typical block size: the failing pivot in a later diagonal block, or in the trailing part.
        cases.add(new Object[] {300, 257, 0.0, Uplo.LOWER});
        cases.add(new Object[] {300, 299, -1.0, Uplo.UPPER});
        for (Object[] c : cases) {
            int n = (Integer) c[0];
            int failing = (Integer) c[1];
            double pivot = (Double) c[2];
            Uplo uplo = (Uplo) c[3];
            Operand a = Operand.matrix(p, n, n, Operand.Layout.PADDED);
            TestMatrices.integerLdlt(a, Operand.Cells.triangle(uplo), failing, pivot,
                    TestMatrices.random("ldlt", p, n, failing, pivot, uplo));
            String what = "potrf " + uplo + " n=" + n + " with pivot " + failing + " = " + pivot;
            FactorizationException e = assertThrows(NotPositiveDefiniteException.class,
                    () -> new KernelInvoker(candidate, p).call("potrf", uplo, n, a.data, a.off, a.ld), what);
            assertEquals(failing, e.pivot(), what + ": pivot index");
            assertTrue(e.pivotValue() == pivot, what + ": pivot value " + e.pivotValue());
            assertTrue(e.getMessage().contains("pivot " + failing), what + ": message " + e.getMessage());
        }
    }

    /** A NaN on the diagonal, or below it, is a NaN pivot of the row it sits in. */
    static void potrfReportsNaNPivots(Kernels candidate, Precision p) {
        for (int n : new int[] {9, 64, 300}) {
            for (Uplo uplo : Uplo.values()) {
                int row = n / 2 + 1;
                int[][] where = {{row, row}, {row, 1}}; // (i, j) of the lower factor's view, i ≥ j
                for (int[] at : where) {
                    Operand a = Operand.matrix(p, n, n, Operand.Layout.TIGHT);
                    TestMatrices.wellConditionedSpd(a, Operand.Cells.triangle(uplo),
                            TestMatrices.random("potrf nan", p, n, uplo));
                    if (uplo == Uplo.LOWER) {
                        a.set(at[0], at[1], Double.NaN);
                    } else {
                        a.set(at[1], at[0], Double.NaN);
                    }
                    String what = "potrf " + uplo + " n=" + n + " NaN at lower (" + at[0] + ", " + at[1] + ")";
                    FactorizationException e = assertThrows(NotPositiveDefiniteException.class,
                            () -> new KernelInvoker(candidate, p).call("potrf", uplo, n, a.data, a.off, a.ld), what);
                    assertEquals(row, e.pivot(), what + ": pivot index");
                    assertTrue(Double.isNaN(e.pivotValue()), what + ": pivot value " + e.pivotValue());
                }
            }
        }
    }

    /** getrfNoPivot on an exact integer L·U with U_jj = 0 stops at j; a NaN pivot is reported too. */
    static void getrfReportsZeroAndNaNPivots(Kernels candidate, Precision p) {
        for (int n : new int[] {1, 5, 17, 64, 100}) {
            for (int zero : new int[] {0, n / 2, n - 1}) {
                Operand a = Operand.matrix(p, n, n, Operand.Layout.PADDED);
                TestMatrices.integerLu(a, zero, TestMatrices.random("lu", p, n, zero));
                String what = "getrfNoPivot n=" + n + " with U[" + zero + "][" + zero + "] = 0";
                FactorizationException e = assertThrows(ZeroPivotException.class,
                        () -> new KernelInvoker(candidate, p).call("getrfNoPivot", n, a.data, a.off, a.ld), what);
                assertEquals(zero, e.pivot(), what + ": pivot index");
                assertTrue(e.pivotValue() == 0, what + ": pivot value " + e.pivotValue());

                Operand b = Operand.matrix(p, n, n, Operand.Layout.TIGHT);
                TestMatrices.wellConditionedSquare(b, Operand.Cells.ALL, TestMatrices.random("lu nan", p, n, zero));
                b.set(zero, zero, Double.NaN);
                FactorizationException nan = assertThrows(ZeroPivotException.class,
                        () -> new KernelInvoker(candidate, p).call("getrfNoPivot", n, b.data, b.off, b.ld),
                        "getrfNoPivot n=" + n + " with NaN at (" + zero + ", " + zero + ")");
                assertEquals(zero, nan.pivot(), "NaN pivot index");
                assertTrue(Double.isNaN(nan.pivotValue()), "NaN pivot value " + nan.pivotValue());
            }
        }
    }

    /** A NaN anywhere in the referenced triangle makes every eigenvalue and vector NaN, promptly. */
    static void syevReturnsNaNForNaNInput(Kernels candidate, Precision p) {
        for (int n : new int[] {1, 8, 65, 127}) {
            for (Uplo uplo : Uplo.values()) {
                SplittableRandom rnd = TestMatrices.random("syev nan", p, n, uplo);
                Operand a = Operand.matrix(p, n, n, Operand.Layout.PADDED)
                        .fill(Operand.Cells.triangle(uplo), (i, j) -> rnd.nextDouble(-1, 1));
                int i = n - 1;
                int j = n / 3;
                a.set(uplo == Uplo.LOWER ? i : j, uplo == Uplo.LOWER ? j : i, Double.NaN);
                Operand w = Operand.vector(p, n, Operand.Layout.TIGHT);
                // A hang is the failure mode to catch (an eigensolver iterating on NaN forever).
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> new KernelInvoker(candidate, p)
                        .call("syev", uplo, n, a.data, a.off, a.ld, w.data, w.off));
                for (int r = 0; r < n; r++) {
                    if (!Double.isNaN(w.get(r))) {
                        fail("syev " + uplo + " n=" + n + " with a NaN input: eigenvalue " + r + " = " + w.get(r));
                    }
                    for (int col = 0; col < n; col++) {
                        if (!a.isNaN(r, col)) {
                            fail("syev " + uplo + " n=" + n + " with a NaN input: V(" + r + ", " + col + ") = "
                                    + a.get(r, col));
                        }
                    }
                }
            }
        }
    }
}
