package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Double-precision packing and micro-kernels for {@link PackedProduct} ({@code dgemm}, {@code dsyrk}): the
 * twin of {@link FloatGemm} with half the lanes per vector. With 512-bit vectors (8 doubles) the tile is
 * 12×16 with 24 accumulators; narrower species get 4×2L. The blocking is the same in bytes as for float
 * (a KC×NR B micro-panel of 32 KiB).
 */
final class DoubleGemm extends PackedProduct<double[]> {
    private static final VectorSpecies<Double> S = VectorOps.DOUBLES;
    private static final int L = S.length();
    private static final boolean WIDE = L >= 8;
    static final int MR = WIDE ? 12 : 4;
    static final int NR = 2 * L;
    private static final int KC = 256;
    private static final int MC = 192;
    private static final int NC = 1024;

    static final DoubleGemm INSTANCE = new DoubleGemm();

    private DoubleGemm() {
        super(MR, NR, KC, MC, NC);
    }

    @Override
    double[] primary(PackingBuffers.Lease lease, int size) {
        return lease.doubles(size);
    }

    @Override
    double[] secondary(PackingBuffers.Lease lease, int size) {
        return lease.doubles2(size);
    }

    @Override
    void packA(boolean trans, double[] a, int aOff, int lda, int i0, int rows, int p0, int depth, double[] dst) {
        for (int ir = 0, q = 0; ir < rows; ir += MR, q += MR * depth) {
            int h = Math.min(MR, rows - ir);
            if (trans) {
                // op(A)[i][p] = A[p][i]: the MR entries of one k step are contiguous in A.
                for (int p = 0; p < depth; p++) {
                    int src = aOff + (p0 + p) * lda + i0 + ir;
                    int d = q + p * MR;
                    for (int r = 0; r < h; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = h; r < MR; r++) {
                        dst[d + r] = 0.0;
                    }
                }
            } else {
                for (int r = 0; r < h; r++) {
                    int src = aOff + (i0 + ir + r) * lda + p0;
                    for (int p = 0; p < depth; p++) {
                        dst[q + p * MR + r] = a[src + p];
                    }
                }
                for (int r = h; r < MR; r++) {
                    for (int p = 0; p < depth; p++) {
                        dst[q + p * MR + r] = 0.0;
                    }
                }
            }
        }
    }

    @Override
    void packB(boolean trans, double[] b, int bOff, int ldb, int p0, int depth, int j0, int cols, double[] dst,
               int dstOff) {
        if (trans) {
            // op(B)[p][j] = B[j][p]: read each row of B contiguously, write it as one column of the panel.
            for (int col = 0; col < cols; col++) {
                int src = bOff + (j0 + col) * ldb + p0;
                for (int p = 0; p < depth; p++) {
                    dst[dstOff + p * NR + col] = b[src + p];
                }
            }
            for (int col = cols; col < NR; col++) {
                for (int p = 0; p < depth; p++) {
                    dst[dstOff + p * NR + col] = 0.0;
                }
            }
        } else if (cols == NR) {
            for (int p = 0; p < depth; p++) {
                int src = bOff + (p0 + p) * ldb + j0;
                int d = dstOff + p * NR;
                DoubleVector.fromArray(S, b, src).intoArray(dst, d);
                DoubleVector.fromArray(S, b, src + L).intoArray(dst, d + L);
            }
        } else {
            for (int p = 0; p < depth; p++) {
                int src = bOff + (p0 + p) * ldb + j0;
                int d = dstOff + p * NR;
                for (int col = 0; col < cols; col++) {
                    dst[d + col] = b[src + col];
                }
                for (int col = cols; col < NR; col++) {
                    dst[d + col] = 0.0;
                }
            }
        }
    }

    @Override
    void kernel(int rows, int depth, double[] ap, int ai, double[] bp, int bi, int bStride, double[] tile, int ti,
                int ld) {
        if (WIDE) {
            kernel12x2(depth, ap, ai, bp, bi, bStride, tile, ti, ld);
        } else {
            kernel4x2(depth, ap, ai, bp, bi, bStride, tile, ti, ld);
        }
    }

    @Override
    void mergeTile(double[] tile, int rows, int cols, double[] c, int ci, int ldc, double alpha, double beta,
                   Uplo tri, int diag) {
        double al = alpha;
        double be = beta;
        if (tri == null && rows == MR && cols == NR) {
            mergeFullTile(tile, c, ci, ldc, al, be);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int lo = tri == Uplo.UPPER ? Math.max(0, r + diag) : 0;
            int hi = tri == Uplo.LOWER ? Math.min(cols, r + diag + 1) : cols;
            int row = ci + r * ldc;
            for (int col = lo; col < hi; col++) {
                double t = al * tile[r * NR + col];
                c[row + col] = be == 0 ? t : fma(be, c[row + col], t);
            }
        }
    }

    private static void mergeFullTile(double[] tile, double[] c, int ci, int ldc, double alpha, double beta) {
        DoubleVector al = DoubleVector.broadcast(S, alpha);
        if (beta == 0) {
            for (int r = 0; r < MR; r++) {
                for (int v = 0; v < NR; v += L) {
                    DoubleVector.fromArray(S, tile, r * NR + v).mul(al).intoArray(c, ci + r * ldc + v);
                }
            }
        } else {
            DoubleVector be = DoubleVector.broadcast(S, beta);
            for (int r = 0; r < MR; r++) {
                for (int v = 0; v < NR; v += L) {
                    int i = ci + r * ldc + v;
                    DoubleVector t = DoubleVector.fromArray(S, tile, r * NR + v).mul(al);
                    fma(DoubleVector.fromArray(S, c, i), be, t).intoArray(c, i);
                }
            }
        }
    }

    /** 12×2·L register tile: 24 accumulators, 2 B loads and 12 broadcasts per k step. */
    private static void kernel12x2(int depth, double[] ap, int ai, double[] bp, int bi, int bStride, double[] tile,
                                   int ti, int ld) {
        DoubleVector c0a = DoubleVector.zero(S); DoubleVector c0b = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S); DoubleVector c1b = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S); DoubleVector c2b = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S); DoubleVector c3b = DoubleVector.zero(S);
        DoubleVector c4a = DoubleVector.zero(S); DoubleVector c4b = DoubleVector.zero(S);
        DoubleVector c5a = DoubleVector.zero(S); DoubleVector c5b = DoubleVector.zero(S);
        DoubleVector c6a = DoubleVector.zero(S); DoubleVector c6b = DoubleVector.zero(S);
        DoubleVector c7a = DoubleVector.zero(S); DoubleVector c7b = DoubleVector.zero(S);
        DoubleVector c8a = DoubleVector.zero(S); DoubleVector c8b = DoubleVector.zero(S);
        DoubleVector c9a = DoubleVector.zero(S); DoubleVector c9b = DoubleVector.zero(S);
        DoubleVector c10a = DoubleVector.zero(S); DoubleVector c10b = DoubleVector.zero(S);
        DoubleVector c11a = DoubleVector.zero(S); DoubleVector c11b = DoubleVector.zero(S);
        for (int p = 0; p < depth; p++) {
            int b = bi + p * bStride;
            int a = ai + p * 12;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, b);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, b + L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, ap[a]);
            c0a = fma(x, b0, c0a); c0b = fma(x, b1, c0b);
            x = DoubleVector.broadcast(S, ap[a + 1]);
            c1a = fma(x, b0, c1a); c1b = fma(x, b1, c1b);
            x = DoubleVector.broadcast(S, ap[a + 2]);
            c2a = fma(x, b0, c2a); c2b = fma(x, b1, c2b);
            x = DoubleVector.broadcast(S, ap[a + 3]);
            c3a = fma(x, b0, c3a); c3b = fma(x, b1, c3b);
            x = DoubleVector.broadcast(S, ap[a + 4]);
            c4a = fma(x, b0, c4a); c4b = fma(x, b1, c4b);
            x = DoubleVector.broadcast(S, ap[a + 5]);
            c5a = fma(x, b0, c5a); c5b = fma(x, b1, c5b);
            x = DoubleVector.broadcast(S, ap[a + 6]);
            c6a = fma(x, b0, c6a); c6b = fma(x, b1, c6b);
            x = DoubleVector.broadcast(S, ap[a + 7]);
            c7a = fma(x, b0, c7a); c7b = fma(x, b1, c7b);
            x = DoubleVector.broadcast(S, ap[a + 8]);
            c8a = fma(x, b0, c8a); c8b = fma(x, b1, c8b);
            x = DoubleVector.broadcast(S, ap[a + 9]);
            c9a = fma(x, b0, c9a); c9b = fma(x, b1, c9b);
            x = DoubleVector.broadcast(S, ap[a + 10]);
            c10a = fma(x, b0, c10a); c10b = fma(x, b1, c10b);
            x = DoubleVector.broadcast(S, ap[a + 11]);
            c11a = fma(x, b0, c11a); c11b = fma(x, b1, c11b);
        }
        c0a.intoArray(tile, ti); c0b.intoArray(tile, ti + L);
        c1a.intoArray(tile, ti + 1 * ld); c1b.intoArray(tile, ti + 1 * ld + L);
        c2a.intoArray(tile, ti + 2 * ld); c2b.intoArray(tile, ti + 2 * ld + L);
        c3a.intoArray(tile, ti + 3 * ld); c3b.intoArray(tile, ti + 3 * ld + L);
        c4a.intoArray(tile, ti + 4 * ld); c4b.intoArray(tile, ti + 4 * ld + L);
        c5a.intoArray(tile, ti + 5 * ld); c5b.intoArray(tile, ti + 5 * ld + L);
        c6a.intoArray(tile, ti + 6 * ld); c6b.intoArray(tile, ti + 6 * ld + L);
        c7a.intoArray(tile, ti + 7 * ld); c7b.intoArray(tile, ti + 7 * ld + L);
        c8a.intoArray(tile, ti + 8 * ld); c8b.intoArray(tile, ti + 8 * ld + L);
        c9a.intoArray(tile, ti + 9 * ld); c9b.intoArray(tile, ti + 9 * ld + L);
        c10a.intoArray(tile, ti + 10 * ld); c10b.intoArray(tile, ti + 10 * ld + L);
        c11a.intoArray(tile, ti + 11 * ld); c11b.intoArray(tile, ti + 11 * ld + L);
    }

    /** 4×2·L register tile: 8 accumulators, 2 B loads and 4 broadcasts per k step. */
    private static void kernel4x2(int depth, double[] ap, int ai, double[] bp, int bi, int bStride, double[] tile,
                                   int ti, int ld) {
        DoubleVector c0a = DoubleVector.zero(S); DoubleVector c0b = DoubleVector.zero(S);
        DoubleVector c1a = DoubleVector.zero(S); DoubleVector c1b = DoubleVector.zero(S);
        DoubleVector c2a = DoubleVector.zero(S); DoubleVector c2b = DoubleVector.zero(S);
        DoubleVector c3a = DoubleVector.zero(S); DoubleVector c3b = DoubleVector.zero(S);
        for (int p = 0; p < depth; p++) {
            int b = bi + p * bStride;
            int a = ai + p * 4;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, b);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, b + L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, ap[a]);
            c0a = fma(x, b0, c0a); c0b = fma(x, b1, c0b);
            x = DoubleVector.broadcast(S, ap[a + 1]);
            c1a = fma(x, b0, c1a); c1b = fma(x, b1, c1b);
            x = DoubleVector.broadcast(S, ap[a + 2]);
            c2a = fma(x, b0, c2a); c2b = fma(x, b1, c2b);
            x = DoubleVector.broadcast(S, ap[a + 3]);
            c3a = fma(x, b0, c3a); c3b = fma(x, b1, c3b);
        }
        c0a.intoArray(tile, ti); c0b.intoArray(tile, ti + L);
        c1a.intoArray(tile, ti + 1 * ld); c1b.intoArray(tile, ti + 1 * ld + L);
        c2a.intoArray(tile, ti + 2 * ld); c2b.intoArray(tile, ti + 2 * ld + L);
        c3a.intoArray(tile, ti + 3 * ld); c3b.intoArray(tile, ti + 3 * ld + L);
    }

}
