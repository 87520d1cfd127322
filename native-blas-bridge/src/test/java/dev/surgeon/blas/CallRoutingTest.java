package dev.surgeon.blas;

import static dev.surgeon.blas.OpenBlasTestSupport.DOUBLE_U;
import static dev.surgeon.blas.OpenBlasTestSupport.SCALAR;
import static dev.surgeon.blas.OpenBlasTestSupport.abs;
import static dev.surgeon.blas.OpenBlasTestSupport.assertAllWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.assertWithin;
import static dev.surgeon.blas.OpenBlasTestSupport.matrix;
import static dev.surgeon.blas.OpenBlasTestSupport.spd;
import static dev.surgeon.blas.OpenBlasTestSupport.toFloat;
import static dev.surgeon.blas.OpenBlasTestSupport.triangle;
import static dev.surgeon.blas.OpenBlasTestSupport.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.blas.CallPolicy.Route;
import dev.surgeon.blas.CallPolicy.Work;
import dev.surgeon.kernels.Diag;
import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.ProviderStatus;
import dev.surgeon.kernels.Side;
import dev.surgeon.kernels.Trans;
import dev.surgeon.kernels.Uplo;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which route calls take: tiny sizes on the fallback, short calls critical on the caller's arrays, long
 * ones on off-heap copies (observed through {@link OffHeap#copiedCalls()}), with correct results on the
 * off-heap route of the operations the parity suites do not already push past the budget.
 */
class CallRoutingTest {
    private static OpenBlasKernels blas;

    @BeforeAll
    static void load() {
        blas = OpenBlasTestSupport.defaultKernels();
    }

    /** The smallest order n whose work (as the kernels compute it) exceeds the critical budget of {@code w}. */
    private static int firstOffHeap(Work w, IntToDoubleFunction work) {
        int n = 1;
        while (CallPolicy.route(w, work.applyAsDouble(n), true) != Route.OFF_HEAP) {
            n++;
        }
        return n;
    }

    @Test
    void routesGoFromDelegatedToCriticalToOffHeapAsWorkGrows() {
        for (Work w : Work.values()) {
            assertEquals(Route.DELEGATE, CallPolicy.route(w, 0, true), w + " empty");
            assertEquals(Route.CRITICAL, CallPolicy.route(w, 0, false), w + " empty, no delegation");
            assertEquals(Route.CRITICAL, CallPolicy.route(w, w.delegateBelow, true), w + " at the delegation size");
            assertTrue(w.criticalMax > w.delegateBelow, w + ": the critical range is not empty");
            Route huge = CallPolicy.route(w, 1e18, true);
            assertEquals(Double.isInfinite(w.criticalMax) ? Route.CRITICAL : Route.OFF_HEAP, huge, w + " huge");
        }
    }

    @Test
    void aLongGemmIsCopiedOffHeapAndAShortOneIsNot() {
        int big = firstOffHeap(Work.MATRIX_MATRIX, n -> 2.0 * n * n * n);
        assertTrue(big < 600, "the off-heap route starts at a size tests can afford: " + big);
        for (int n : new int[]{64, big}) {
            float[] a = toFloat(matrix(new SplittableRandom(n), 0, n, n, n));
            float[] c = new float[n * n];
            long before = OffHeap.copiedCalls();
            blas.gemm(Trans.N, Trans.N, n, n, n, 1f, a, 0, n, a, 0, n, 0f, c, 0, n);
            assertEquals(n == big ? 1 : 0, OffHeap.copiedCalls() - before, "copied calls for sgemm n = " + n);
        }
    }

    @Test
    void longFactorizationsAreCopiedOffHeapAndShortOnesAreNot() {
        int potrf = firstOffHeap(Work.CHOLESKY, n -> n * (double) n * n / 3);
        int syev = firstOffHeap(Work.EIGEN, n -> n * (double) n * n);
        int lu = firstOffHeap(Work.LU, n -> 2 * n * (double) n * n / 3);
        for (int n : new int[]{40, potrf}) {
            double[] a = spd(new SplittableRandom(n), 0, n, n, true, true);
            long before = OffHeap.copiedCalls();
            blas.potrf(Uplo.LOWER, n, a, 0, n);
            assertEquals(n == potrf ? 1 : 0, OffHeap.copiedCalls() - before, "dpotrf n = " + n);
        }
        for (int n : new int[]{40, syev}) {
            double[] a = spd(new SplittableRandom(n), 0, n, n, true, true);
            long before = OffHeap.copiedCalls();
            blas.syev(Uplo.LOWER, n, a, 0, n, new double[n], 0);
            assertEquals(n == syev ? 1 : 0, OffHeap.copiedCalls() - before, "dsyev n = " + n);
        }
        for (int n : new int[]{60, lu}) {
            double[] a = matrix(new SplittableRandom(n), 0, n, n, n);
            for (int i = 0; i < n; i++) {
                a[i * n + i] += n;
            }
            long before = OffHeap.copiedCalls();
            blas.getrfNoPivot(n, a, 0, n);
            assertEquals(n == lu ? 1 : 0, OffHeap.copiedCalls() - before, "dgetrfNoPivot n = " + n);
        }
    }

    /** symv and potrs are only pushed past their budgets here; both must give the reference result there too. */
    @Test
    void offHeapSymvAndPotrsMatchTheReference() {
        int n = firstOffHeap(Work.SYMMETRIC_MATRIX_VECTOR, i -> (double) i * i);
        SplittableRandom r = new SplittableRandom(5);
        double[] a = triangle(r, false, 1, n, n + 1);
        double[] x = vector(r, 0, n);
        double[] y = vector(r, 2, n);
        double[] scale = abs(y);
        SCALAR.symv(Uplo.UPPER, n, 1, abs(a), 1, n + 1, abs(x), 0, 2, scale, 2);
        double[] yRef = y.clone();
        long before = OffHeap.copiedCalls();
        blas.symv(Uplo.UPPER, n, -1, a, 1, n + 1, x, 0, 2, y, 2);
        assertEquals(1, OffHeap.copiedCalls() - before, "dsymv n = " + n);
        SCALAR.symv(Uplo.UPPER, n, -1, a, 1, n + 1, x, 0, 2, yRef, 2);
        assertWithin("off-heap dsymv", yRef, y, scale, 2 * (n + 3) * DOUBLE_U);

        double[] t = triangle(r, true, 0, n, n);
        double[] tRef = t.clone();
        before = OffHeap.copiedCalls();
        blas.syr(Uplo.LOWER, n, 0.5, x, 0, t, 0, n);
        assertEquals(1, OffHeap.copiedCalls() - before, "dsyr n = " + n);
        SCALAR.syr(Uplo.LOWER, n, 0.5, x, 0, tRef, 0, n);
        assertAllWithin("off-heap dsyr (upper triangle still NaN)", tRef, t, 8 * DOUBLE_U);

        int m = 300;
        int nrhs = (int) Math.ceil(Work.MATRIX_MATRIX.criticalMax / (2.0 * m * m)) + 1;
        double[] l = spd(r, 0, m, m, true, true);
        SCALAR.potrf(Uplo.LOWER, m, l, 0, m);
        double[] b = matrix(r, 0, m, nrhs, nrhs);
        double[] bRef = b.clone();
        before = OffHeap.copiedCalls();
        blas.potrs(Uplo.LOWER, m, nrhs, l, 0, m, b, 0, nrhs);
        assertEquals(1, OffHeap.copiedCalls() - before, "dpotrs n = " + m + ", nrhs = " + nrhs);
        SCALAR.potrs(Uplo.LOWER, m, nrhs, l, 0, m, bRef, 0, nrhs);
        assertAllWithin("off-heap dpotrs", bRef, b, 16 * (m + 3) * DOUBLE_U * 10);

        float[] tri = toFloat(matrix(r, 0, m, m, m));
        for (int i = 0; i < m; i++) {
            tri[i * m + i] = m;
        }
        int cols = (int) Math.ceil(Work.MATRIX_MATRIX.criticalMax / ((double) m * m)) + 1;
        float[] rhs = toFloat(matrix(r, 0, m, cols, cols));
        float[] rhsRef = rhs.clone();
        before = OffHeap.copiedCalls();
        blas.trsm(Side.LEFT, Uplo.UPPER, Trans.T, Diag.NON_UNIT, m, cols, 1f, tri, 0, m, rhs, 0, cols);
        assertEquals(1, OffHeap.copiedCalls() - before, "strsm");
        SCALAR.trsm(Side.LEFT, Uplo.UPPER, Trans.T, Diag.NON_UNIT, m, cols, 1f, tri, 0, m, rhsRef, 0, cols);
        assertAllWithin("off-heap strsm", OpenBlasTestSupport.toDouble(rhsRef), OpenBlasTestSupport.toDouble(rhs),
                1e-5);
    }

    @Test
    void tinySizesRunOnTheBestOtherAvailableProvider() {
        ProviderStatus best = null;
        for (ProviderStatus s : Kernels.providers()) {
            if (s.available() && !s.name().equals(OpenBlasProvider.NAME) && (best == null || s.priority() > best.priority())) {
                best = s;
            }
        }
        Kernels fallback = blas.fallback();
        assertEquals(best.name(), fallback.name());
        assertTrue(fallback.threads() <= blas.threads(), "the fallback is bound to at most the same thread count");

        assertEquals(Route.DELEGATE, CallPolicy.route(Work.VECTOR, 8, true));
        float[] x = {1e8f, 1, -1e8f, 1, 0.5f, 3, 2, 7};
        assertEquals(fallback.dot(8, x, 0, x, 0), blas.dot(8, x, 0, x, 0), 0, "delegated: the fallback's exact result");
        assertEquals(fallback.sumOfSquares(8, x, 0), blas.sumOfSquares(8, x, 0), 0);
    }
}
