package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parity suite every {@link Kernels} provider must pass: every operation of the SPI, float and double,
 * against (a) {@link ScalarKernels} and (b) an independent float64 loop (or a residual for
 * factorizations), on the sizes of issue 2, rectangular shapes, all transposes and (α, β) combinations,
 * leading dimensions larger than the width and nonzero offsets, with poisoned memory around every operand;
 * NaN propagation; typed factorization failures with the failing pivot; bad arguments.
 *
 * <p>A provider's test extends this class and says which instance to test:
 * <pre>{@code
 * class OpenBlasParityTest extends ProviderParityTest {
 *     protected Kernels candidate() { return Kernels.named("openblas").withThreads(1); }
 * }
 * }</pre>
 * (another module gets this class from the {@code surgeon-simd-kernels} test-jar: a test-scoped dependency
 * with {@code <type>test-jar</type>}; tests run on the class path, so the subclass may live in any package).
 * {@link #candidate()} is called once per test class. The checks and their tolerances (derived from
 * rounding-error bounds, see each class's Javadoc) live in {@link Level1Parity}, {@link Level2Parity},
 * {@link Level3Parity}, {@link FactorizationParity}, {@link FusedFormParity} and {@link BadInputCases}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ProviderParityTest {
    private static final String L1 = "dev.surgeon.kernels.parity.Level1Parity#";
    private static final String L2 = "dev.surgeon.kernels.parity.Level2Parity#";
    private static final String L3 = "dev.surgeon.kernels.parity.Level3Parity#";
    private static final String FACT = "dev.surgeon.kernels.parity.FactorizationParity#";
    private static final String FUSED = "dev.surgeon.kernels.parity.FusedFormParity#";
    private static final String BAD = "dev.surgeon.kernels.parity.BadInputCases#";

    private Kernels kernels;

    /** The provider instance under test (called once per test class). */
    protected abstract Kernels candidate();

    /** The candidate, created on first use. */
    protected final Kernels kernels() {
        if (kernels == null) {
            kernels = candidate();
            assertNotNull(kernels, "candidate() returned null");
        }
        return kernels;
    }

    // ------------------------------------------------------------------------------------------------
    // Level 1

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void dotMatchesFloat64AndScalar(Level1Parity.VectorCase c) {
        Level1Parity.reduction(kernels(), c, "dot");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void asumMatchesFloat64AndScalar(Level1Parity.VectorCase c) {
        Level1Parity.reduction(kernels(), c, "asum");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void nrm2MatchesFloat64AndScalar(Level1Parity.VectorCase c) {
        Level1Parity.reduction(kernels(), c, "nrm2");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void sumOfSquaresMatchesFloat64AndScalar(Level1Parity.VectorCase c) {
        Level1Parity.reduction(kernels(), c, "sumOfSquares");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void iamaxIsTheFirstLargestMagnitude(Level1Parity.VectorCase c) {
        Level1Parity.iamax(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void iamaxPrefersTheFirstOfTiesAndTheFirstNaN(Precision p) {
        Level1Parity.iamaxTiesAndNaN(kernels(), p);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void axpyMatchesFloat64AndScalar(Level1Parity.VectorCase c) {
        Level1Parity.axpy(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void scalMatchesFloat64AndScalar(Level1Parity.VectorCase c) {
        Level1Parity.scal(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void mulMatchesFloat64AndScalarAlsoInPlace(Level1Parity.VectorCase c) {
        Level1Parity.mulOrAdd(kernels(), c, "mul");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "cases")
    void addMatchesFloat64AndScalarAlsoInPlace(Level1Parity.VectorCase c) {
        Level1Parity.mulOrAdd(kernels(), c, "add");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L1 + "nanCases")
    void nanPropagatesThroughLevel1(Level1Parity.NanCase c) {
        Level1Parity.nanPropagates(kernels(), c);
    }

    // ------------------------------------------------------------------------------------------------
    // Level 2

    @ParameterizedTest(name = "{0}")
    @MethodSource(L2 + "gemvCases")
    void gemvMatchesFloat64AndScalar(Level2Parity.GemvCase c) {
        Level2Parity.gemv(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L2 + "symvCases")
    void symvReadsOneTriangleAndMatchesFloat64AndScalar(Level2Parity.SymmetricCase c) {
        Level2Parity.symv(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L2 + "gerCases")
    void gerMatchesFloat64AndScalar(Level2Parity.GerCase c) {
        Level2Parity.ger(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L2 + "syrCases")
    void syrUpdatesOneTriangleAndMatchesFloat64AndScalar(Level2Parity.SymmetricCase c) {
        Level2Parity.syr(kernels(), c);
    }

    // ------------------------------------------------------------------------------------------------
    // Level 3

    @ParameterizedTest(name = "{0}")
    @MethodSource(L3 + "gemmCases")
    void gemmMatchesFloat64AndScalar(Level3Parity.GemmCase c) {
        Level3Parity.gemm(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L3 + "syrkCases")
    void syrkUpdatesOneTriangleAndMatchesFloat64AndScalar(Level3Parity.SyrkCase c) {
        Level3Parity.syrk(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L3 + "trsmCases")
    void trsmSolvesWithinTheBackwardErrorBound(Level3Parity.TrsmCase c) {
        Level3Parity.trsm(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(L3 + "symmetrizeCases")
    void symmetrizeMirrorsTheStoredTriangleExactly(Level3Parity.SymmetrizeCase c) {
        Level3Parity.symmetrize(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void nanPropagatesThroughLevels2And3(Precision p) {
        NanPropagation.levels2And3(kernels(), p);
    }

    // ------------------------------------------------------------------------------------------------
    // Factorizations

    @ParameterizedTest(name = "{0}")
    @MethodSource(FACT + "potrfCases")
    void potrfFactorIsWithinTheBackwardErrorBound(FactorizationParity.SquareCase c) {
        FactorizationParity.potrf(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(FACT + "squareCases")
    void potriTimesAIsTheIdentity(FactorizationParity.SquareCase c) {
        FactorizationParity.potri(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(FACT + "potrsCases")
    void potrsSolvesWithinTheBackwardErrorBound(FactorizationParity.PotrsCase c) {
        FactorizationParity.potrs(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(FACT + "syevCases")
    void syevGivesOrthonormalEigenvectorsAndAscendingEigenvalues(FactorizationParity.SyevCase c) {
        FactorizationParity.syev(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(FACT + "squareCases")
    void getrfNoPivotFactorsAreWithinTheBackwardErrorBound(FactorizationParity.SquareCase c) {
        if (c.uplo() == Uplo.LOWER) { // LU has no triangle selector: run each size once
            FactorizationParity.getrf(kernels(), c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void potrfReportsTheIndexOfANonPositivePivot(Precision p) {
        FactorizationParity.potrfReportsTheFailingPivot(kernels(), p);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void potrfReportsANaNPivot(Precision p) {
        FactorizationParity.potrfReportsNaNPivots(kernels(), p);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void getrfNoPivotReportsZeroAndNaNPivots(Precision p) {
        FactorizationParity.getrfReportsZeroAndNaNPivots(kernels(), p);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void syevOfANaNMatrixIsNaNWithoutHanging(Precision p) {
        FactorizationParity.syevReturnsNaNForNaNInput(kernels(), p);
    }

    // ------------------------------------------------------------------------------------------------
    // Fused curvature forms

    @ParameterizedTest(name = "{0}")
    @MethodSource(FUSED + "shermanMorrisonCases")
    void shermanMorrisonBuildsTheInverseOfTheDampedMeanOuterProduct(FusedFormParity.InverseCase c) {
        FusedFormParity.shermanMorrison(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(FUSED + "eliminationCases")
    void eliminateCoordinateLeavesTheInverseOfTheSubmatrix(FusedFormParity.InverseCase c) {
        FusedFormParity.eliminateCoordinates(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(FUSED + "rowsCases")
    void rowDotsMatchesFloat64AndScalar(FusedFormParity.RowsCase c) {
        FusedFormParity.rowDots(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(FUSED + "rowsCases")
    void rowCombinationMatchesFloat64AndScalar(FusedFormParity.RowsCase c) {
        FusedFormParity.rowCombination(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void nanPropagatesThroughFusedForms(Precision p) {
        FusedFormParity.nanPropagates(kernels(), p);
    }

    // ------------------------------------------------------------------------------------------------
    // Arguments and threads

    @ParameterizedTest(name = "{0}")
    @MethodSource(BAD + "cases")
    void badArgumentsThrowIllegalArgumentExceptionNamingThem(BadInputCases.BadInput c) {
        BadInputCases.check(kernels(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(BAD + "validEdgeCases")
    void emptyExtentsAtTheEndOfTheirArraysAreValid(BadInputCases.BadInput c) {
        c.call().accept(new KernelInvoker(kernels(), c.p()));
    }

    @Test
    void withThreadsRejectsFewerThanOneThread() {
        for (int n : new int[] {0, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kernels().withThreads(n));
            assertTrue(e.getMessage() != null && e.getMessage().contains(String.valueOf(n)),
                    "the message gives the rejected value: " + e.getMessage());
        }
    }

    @Test
    void withThreadsBoundsTheThreadCount() {
        assertEquals(1, kernels().withThreads(1).threads(), "withThreads(1)");
        assertTrue(kernels().withThreads(2).threads() <= 2, "withThreads(2) uses at most 2 threads");
        assertEquals(kernels().name(), kernels().withThreads(1).name(), "withThreads keeps the provider");
    }
}
