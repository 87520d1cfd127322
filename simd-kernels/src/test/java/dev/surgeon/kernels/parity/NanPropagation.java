package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/**
 * NaN inputs propagate as NaN through levels 2 and 3 (Kernels' conventions): no exception, no hang, and
 * NaN exactly where the float64 formula puts it, not more (a NaN must not leak into other rows, blocks or
 * threads' tiles) and not less (skipping a "zero" contribution would drop 0·NaN = NaN). Sizes span several
 * blocks of a blocked provider.
 */
final class NanPropagation {
    private NanPropagation() {
    }

    static void levels2And3(Kernels candidate, Precision p) {
        for (int n : new int[] {17, 130}) {
            SplittableRandom rnd = TestMatrices.random("nan levels 2-3", p, n);
            int m = n + 3;
            int k = n - 1;
            for (Trans t : Trans.values()) {
                Operand a = Operand.matrix(p, m, n, Operand.Layout.PADDED).fillRandom(rnd);
                Operand x = Operand.vector(p, t == Trans.N ? n : m, Operand.Layout.TIGHT).fillRandom(rnd);
                Operand y = Operand.vector(p, t == Trans.N ? m : n, Operand.Layout.PADDED).fillRandom(rnd);
                a.set(m / 2, n - 1, Double.NaN);
                Level2Parity.checkGemv(candidate, t, -0.5, 1, a, x, y);
                x.set(0, Double.NaN);
                Level2Parity.checkGemv(candidate, t, 1, 2, a, x, y);

                for (Trans tb : Trans.values()) {
                    Operand ga = t == Trans.N ? Operand.matrix(p, m, k, Operand.Layout.TIGHT)
                            : Operand.matrix(p, k, m, Operand.Layout.TIGHT);
                    Operand gb = tb == Trans.N ? Operand.matrix(p, k, n, Operand.Layout.PADDED)
                            : Operand.matrix(p, n, k, Operand.Layout.PADDED);
                    Operand c = Operand.matrix(p, m, n, Operand.Layout.PADDED).fillRandom(rnd);
                    ga.fillRandom(rnd);
                    gb.fillRandom(rnd);
                    setOp(ga, t, 3, k / 2, Double.NaN);   // row 3 of C
                    setOp(gb, tb, k - 1, n - 2, Double.NaN); // column n − 2 of C
                    c.set(m - 1, 0, Double.NaN);          // one cell, through β
                    Level3Parity.checkGemm(candidate, t, tb, k, -0.5, 1, ga, gb, c);
                }

                Operand s = t == Trans.N ? Operand.matrix(p, n, k, Operand.Layout.PADDED)
                        : Operand.matrix(p, k, n, Operand.Layout.PADDED);
                s.fillRandom(rnd);
                setOp(s, t, n / 3, k - 1, Double.NaN);
                for (Uplo uplo : Uplo.values()) {
                    Operand c = Operand.matrix(p, n, n, Operand.Layout.TIGHT)
                            .fill(Operand.Cells.triangle(uplo), (i, j) -> rnd.nextDouble(-1, 1));
                    Level3Parity.checkSyrk(candidate, uplo, t, 1, 1, s, c);
                }
            }
            for (Side side : Side.values()) {
                for (Uplo uplo : Uplo.values()) {
                    trsm(candidate, p, side, uplo, n, rnd);
                }
            }
        }
    }

    /** Sets op(A)(i, j). */
    private static void setOp(Operand a, Trans t, int i, int j, double v) {
        if (t == Trans.N) {
            a.set(i, j, v);
        } else {
            a.set(j, i, v);
        }
    }

    /** NaN in B, and in A's triangle, spreads along the substitution order and nowhere else. */
    private static void trsm(Kernels candidate, Precision p, Side side, Uplo uplo, int n, SplittableRandom rnd) {
        int m = 9;
        int order = side == Side.LEFT ? m : n;
        for (Trans t : Trans.values()) {
            Operand a = Operand.matrix(p, order, order, Operand.Layout.PADDED);
            TestMatrices.wellConditionedSquare(a, Operand.Cells.triangle(uplo), rnd);
            Operand b = Operand.matrix(p, m, n, Operand.Layout.TIGHT).fillRandom(rnd);
            b.set(m / 2, n / 2, Double.NaN);
            int lo = order / 3;
            int hi = order - 1;
            a.set(uplo == Uplo.LOWER ? hi : lo, uplo == Uplo.LOWER ? lo : hi, Double.NaN);
            boolean[][] expected = Level3Parity.trsmNaNPattern(side, uplo, t, Diag.NON_UNIT, 1, a, b);
            new KernelInvoker(candidate, p).call("trsm", side, uplo, t, Diag.NON_UNIT, m, n, 1, a.data, a.off, a.ld,
                    b.data, b.off, b.ld);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    if (b.isNaN(i, j) != expected[i][j]) {
                        fail("trsm " + side + " " + uplo + " " + t + " with NaN inputs: X(" + i + ", " + j + ") = "
                                + b.get(i, j) + ", expected " + (expected[i][j] ? "NaN" : "finite"));
                    }
                }
            }
        }
    }
}
