package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The parity suite can fail: each test plants one typical provider bug (a dropped tail element, reading
 * the output when β = 0, writing into padding, touching the other triangle, the wrong Sherman–Morrison
 * denominator, a misreported pivot, …) into an otherwise correct provider and asserts that the matching
 * check rejects it, after checking that the same check accepts the provider without the bug.
 */
class ParitySuiteSensitivityTest {

    /** One intercepted call: its arguments (which the fault may change) and the correct implementation. */
    interface Invocation {
        Object[] args();

        Object proceed() throws Throwable;
    }

    /** A bug planted into one operation. */
    @FunctionalInterface
    interface Fault {
        Object call(Invocation inv) throws Throwable;
    }

    /** The scalar provider with {@code fault} replacing {@code operation} (all overloads). */
    static Kernels faulty(String operation, Fault fault) {
        Kernels delegate = new ScalarKernels();
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, m, args) -> {
                    Invocation inv = new Invocation() {
                        @Override
                        public Object[] args() {
                            return args;
                        }

                        @Override
                        public Object proceed() throws Throwable {
                            return invoke(delegate, m, args);
                        }
                    };
                    return m.getName().equals(operation) ? fault.call(inv) : inv.proceed();
                });
    }

    private static Object invoke(Kernels k, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(k, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The check passes on the correct provider (through the same proxy) and fails with the fault planted. */
    private static void assertCaught(String operation, Fault fault, CheckOn check) {
        Executable correct = () -> check.run(faulty(operation, Invocation::proceed));
        try {
            correct.execute();
        } catch (Throwable t) {
            throw new AssertionError("control: the check rejects the correct provider", t);
        }
        assertThrows(AssertionError.class, () -> check.run(faulty(operation, fault)),
                "the planted " + operation + " bug went unnoticed");
    }

    /** A parity check run on a given provider. */
    @FunctionalInterface
    interface CheckOn {
        void run(Kernels k) throws Throwable;
    }

    private static final Level3Parity.GemmCase GEMM =
            new Level3Parity.GemmCase(Precision.FLOAT, Trans.N, Trans.T, 7, 17, 9, -0.5, 2, Operand.Layout.PADDED);

    @Test
    void aDotProductThatDropsTheTailElementIsCaught() {
        assertCaught("dot", inv -> {
            inv.args()[0] = (Integer) inv.args()[0] - 1;
            return inv.proceed();
        }, k -> Level1Parity.reduction(k, new Level1Parity.VectorCase(Precision.FLOAT, 17, Operand.Layout.TIGHT), "dot"));
    }

    @Test
    void aGemmThatLosesOneProductIsCaught() {
        assertCaught("gemm", inv -> {
            inv.args()[4] = (Integer) inv.args()[4] - 1; // k − 1
            return inv.proceed();
        }, k -> Level3Parity.gemm(k, GEMM));
    }

    @Test
    void aGemmThatScalesCWhenBetaIsZeroIsCaught() {
        assertCaught("gemm", inv -> {
            if (((Number) inv.args()[12]).doubleValue() == 0) {
                inv.args()[12] = Float.MIN_VALUE; // reads the (poisoned) output instead of overwriting it
            }
            return inv.proceed();
        }, k -> Level3Parity.gemm(k, new Level3Parity.GemmCase(Precision.FLOAT, Trans.T, Trans.N, 9, 7, 8, 1, 0,
                Operand.Layout.TIGHT)));
    }

    @Test
    void aGemmThatReadsTheInputsWhenAlphaIsZeroIsCaught() {
        assertCaught("gemm", inv -> {
            if (((Number) inv.args()[5]).doubleValue() == 0) {
                inv.args()[5] = Double.MIN_VALUE;
            }
            return inv.proceed();
        }, k -> Level3Parity.gemm(k, new Level3Parity.GemmCase(Precision.DOUBLE, Trans.N, Trans.N, 9, 7, 8, 0, 2,
                Operand.Layout.PADDED)));
    }

    @Test
    void aGemmThatWritesIntoTheRowPaddingIsCaught() {
        assertCaught("gemm", inv -> {
            Object result = inv.proceed();
            float[] c = (float[]) inv.args()[13];
            int cOff = (Integer) inv.args()[14];
            int n = (Integer) inv.args()[3];
            c[cOff + n] = 0; // one element past the first row: padding when ldc > n
            return result;
        }, k -> Level3Parity.gemm(k, GEMM));
    }

    @Test
    void aSyrkThatWritesTheOtherTriangleIsCaught() {
        assertCaught("syrk", inv -> {
            Object result = inv.proceed();
            Object[] a = inv.args();
            ((Kernels) new ScalarKernels()).symmetrize((Uplo) a[0], (Integer) a[2], (double[]) a[9], (Integer) a[10],
                    (Integer) a[11]);
            return result;
        }, k -> Level3Parity.syrk(k, new Level3Parity.SyrkCase(Precision.DOUBLE, Uplo.UPPER, Trans.T, 17, 9, 1, 1,
                Operand.Layout.PADDED)));
    }

    @Test
    void aSymvThatReadsTheOtherTriangleIsCaught() {
        assertCaught("symv", inv -> {
            Object[] a = inv.args();
            new ScalarKernels().gemv(Trans.N, (Integer) a[1], (Integer) a[1], (Float) a[2], (float[]) a[3],
                    (Integer) a[4], (Integer) a[5], (float[]) a[6], (Integer) a[7], (Float) a[8], (float[]) a[9],
                    (Integer) a[10]);
            return null;
        }, k -> Level2Parity.symv(k, new Level2Parity.SymmetricCase(Precision.FLOAT, Uplo.LOWER, 9, 1, 1,
                Operand.Layout.TIGHT)));
    }

    @Test
    void aTrsmThatReadsAUnitDiagonalIsCaught() {
        assertCaught("trsm", inv -> {
            inv.args()[3] = Diag.NON_UNIT;
            return inv.proceed();
        }, k -> Level3Parity.trsm(k, new Level3Parity.TrsmCase(Precision.FLOAT, Side.RIGHT, Uplo.LOWER, Trans.T,
                Diag.UNIT, 7, 9, 1, Operand.Layout.PADDED)));
    }

    @Test
    void aShermanMorrisonUpdateWithDenominatorOneInsteadOfNIsCaught() {
        assertCaught("shermanMorrisonUpdate", inv -> {
            inv.args()[1] = 1.0; // c = 1: the inverse of λI + Σ x xᵀ, not λI + (1/N)Σ x xᵀ
            return inv.proceed();
        }, k -> FusedFormParity.shermanMorrison(k, new FusedFormParity.InverseCase(Precision.DOUBLE, 9, 12,
                Operand.Layout.PADDED)));
    }

    @Test
    void anEliminationThatLeavesColumnPNonzeroIsCaught() {
        assertCaught("eliminateCoordinate", inv -> {
            Object result = inv.proceed();
            Object[] a = inv.args();
            int p = (Integer) a[1];
            ((float[]) a[2])[(Integer) a[3] + ((p + 1) % (Integer) a[0]) * (Integer) a[4] + p] = 1e-30f;
            return result;
        }, k -> FusedFormParity.eliminateCoordinates(k, new FusedFormParity.InverseCase(Precision.FLOAT, 9, 0,
                Operand.Layout.TIGHT)));
    }

    @Test
    void aCholeskyThatReportsTheWrongPivotIsCaught() {
        assertCaught("potrf", inv -> {
            try {
                return inv.proceed();
            } catch (NotPositiveDefiniteException e) {
                throw new NotPositiveDefiniteException(e.pivot() + 1, e.pivotValue());
            }
        }, k -> FactorizationParity.potrfReportsTheFailingPivot(k, Precision.DOUBLE));
    }

    @Test
    void anEigensolverWithDescendingEigenvaluesIsCaught() {
        assertCaught("syev", inv -> {
            Object result = inv.proceed();
            Object[] a = inv.args();
            int n = (Integer) a[1];
            double[] v = (double[]) a[2];
            double[] w = (double[]) a[5];
            int aOff = (Integer) a[3];
            int lda = (Integer) a[4];
            int wOff = (Integer) a[6];
            for (int j = 0; j < n / 2; j++) {
                swap(w, wOff + j, wOff + n - 1 - j);
                for (int i = 0; i < n; i++) {
                    swap(v, aOff + i * lda + j, aOff + i * lda + n - 1 - j);
                }
            }
            return result;
        }, k -> FactorizationParity.syev(k, new FactorizationParity.SyevCase(Precision.DOUBLE, Uplo.LOWER, 9,
                FactorizationParity.Spectrum.RANDOM, Operand.Layout.PADDED)));
    }

    @Test
    void aProviderWithoutArgumentChecksIsCaught() {
        assertCaught("dot", inv -> {
            Object[] a = inv.args();
            float[] x = (float[]) a[1];
            float[] y = (float[]) a[3];
            float s = 0;
            for (int i = 0; i < (Integer) a[0]; i++) {
                s += x[(Integer) a[2] + i] * y[(Integer) a[4] + i];
            }
            return s;
        }, k -> {
            for (BadInputCases.BadInput c : BadInputCases.cases()) {
                if (c.p() == Precision.FLOAT && c.description().startsWith("dot with x shorter")) {
                    BadInputCases.check(k, c);
                }
            }
        });
    }

    private static void swap(double[] a, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
