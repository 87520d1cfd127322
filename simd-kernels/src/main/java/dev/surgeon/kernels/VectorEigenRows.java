package dev.surgeon.kernels;

import static dev.surgeon.kernels.VectorOps.fma;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of {@link SymmetricEigensolver} with the Vector API: the Householder reduction's
 * matrix-vector products and rank-2 row updates, the accumulation of Q, and the QL plane rotations of
 * the eigenvector rows — together nearly all of its ~(4/3 + 4/3 + 3)·n³ flops. The scalar iteration on
 * the tridiagonal (shifts, deflation, the sweep limit that makes NaN end in an exception rather than a
 * hang) is the reference's own.
 */
final class VectorEigenRows implements SymmetricEigensolver.RowKernels {
    static final VectorEigenRows INSTANCE = new VectorEigenRows();

    private static final VectorSpecies<Double> S = VectorOps.DOUBLES;
    private static final int L = S.length();

    private VectorEigenRows() {
    }

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        return VectorBlas1.dot(n, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        VectorBlas1.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void rank2(int n, double a, double[] x, int xOff, double b, double[] y, int yOff, double[] z, int zOff) {
        int i = 0;
        if (n >= L) {
            DoubleVector av = DoubleVector.broadcast(S, a);
            DoubleVector bv = DoubleVector.broadcast(S, b);
            for (int bound = S.loopBound(n); i < bound; i += L) {
                DoubleVector t = fma(av, DoubleVector.fromArray(S, x, xOff + i),
                        bv.mul(DoubleVector.fromArray(S, y, yOff + i)));
                DoubleVector.fromArray(S, z, zOff + i).sub(t).intoArray(z, zOff + i);
            }
        }
        for (; i < n; i++) {
            z[zOff + i] -= a * x[xOff + i] + b * y[yOff + i];
        }
    }

    @Override
    public void rotate(int n, double c, double s, double[] x, int xOff, double[] y, int yOff) {
        int k = 0;
        if (n >= L) {
            DoubleVector cv = DoubleVector.broadcast(S, c);
            DoubleVector sv = DoubleVector.broadcast(S, s);
            for (int bound = S.loopBound(n); k < bound; k += L) {
                DoubleVector vi = DoubleVector.fromArray(S, x, xOff + k);
                DoubleVector vj = DoubleVector.fromArray(S, y, yOff + k);
                fma(cv, vi, sv.mul(vj).neg()).intoArray(x, xOff + k);
                fma(sv, vi, cv.mul(vj)).intoArray(y, yOff + k);
            }
        }
        for (; k < n; k++) {
            double vi = x[xOff + k];
            double vj = y[yOff + k];
            x[xOff + k] = c * vi - s * vj;
            y[yOff + k] = s * vi + c * vj;
        }
    }
}
