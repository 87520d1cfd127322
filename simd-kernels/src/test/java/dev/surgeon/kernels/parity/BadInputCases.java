package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import static dev.surgeon.kernels.Diag.NON_UNIT;
import static dev.surgeon.kernels.Side.RIGHT;
import static dev.surgeon.kernels.Trans.N;
import static dev.surgeon.kernels.Trans.T;
import static dev.surgeon.kernels.Uplo.LOWER;
import static dev.surgeon.kernels.Uplo.UPPER;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Bad arguments for a representative set of operations, each with the fragments the
 * {@link IllegalArgumentException} message must contain: the argument's name and the offending values
 * (the wording of {@link KernelArguments}, which every provider shares).
 */
public final class BadInputCases {

    /** One bad call and what its message must say. */
    public record BadInput(String description, Precision p, Consumer<KernelInvoker> call, List<String> fragments) {
        @Override
        public String toString() {
            return p + " " + description;
        }
    }

    private BadInputCases() {
    }

    public static List<BadInput> cases() {
        List<BadInput> out = new ArrayList<>();
        for (Precision p : Precision.values()) {
            add(out, p, "dot with negative n", k -> k.call("dot", -1, a(p, 4), 0, a(p, 4), 0), "length of x", "-1");
            add(out, p, "dot with x shorter than offset + n", k -> k.call("dot", 10, a(p, 12), 3, a(p, 12), 0),
                    "x is too short", "offset 3", "10", "array length 12");
            add(out, p, "dot with null y", k -> k.call("dot", 3, a(p, 3), 0, null, 0), "y must not be null");
            add(out, p, "axpy with negative offset", k -> k.call("axpy", 2, 1, a(p, 4), -1, a(p, 4), 0),
                    "offset of x", "-1");
            add(out, p, "scal past the end", k -> k.call("scal", 5, 2, a(p, 4), 0), "x is too short", "5",
                    "array length 4");
            add(out, p, "nrm2 with negative n", k -> k.call("nrm2", -3, a(p, 4), 0), "length of x", "-3");
            add(out, p, "iamax with null x", k -> k.call("iamax", 3, null, 0), "x must not be null");
            add(out, p, "mul with short z", k -> k.call("mul", 4, a(p, 4), 0, a(p, 4), 0, a(p, 3), 0),
                    "z is too short", "4", "array length 3");

            add(out, p, "gemv with lda < n", k -> k.call("gemv", N, 3, 5, 1, a(p, 20), 0, 4, a(p, 5), 0, 0, a(p, 3), 0),
                    "leading dimension of A", "5", "but is 4");
            add(out, p, "gemv with A too short", k -> k.call("gemv", N, 3, 5, 1, a(p, 14), 0, 5, a(p, 5), 0, 0,
                    a(p, 3), 0), "A is too short", "3×5", "needs 15", "array length is 14");
            add(out, p, "gemv T with x shorter than m", k -> k.call("gemv", T, 3, 5, 1, a(p, 15), 0, 5, a(p, 2), 0, 0,
                    a(p, 5), 0), "x is too short", "3 elements", "array length 2");
            add(out, p, "gemv with negative m", k -> k.call("gemv", N, -2, 5, 1, a(p, 15), 0, 5, a(p, 5), 0, 0,
                    a(p, 3), 0), "m must be >= 0", "-2");
            add(out, p, "ger with lda < n", k -> k.call("ger", 3, 4, 1, a(p, 3), 0, a(p, 4), 0, a(p, 12), 0, 3),
                    "leading dimension of A", "4", "but is 3");
            add(out, p, "symv with null y", k -> k.call("symv", LOWER, 3, 1, a(p, 9), 0, 3, a(p, 3), 0, 0, null, 0),
                    "y must not be null");
            add(out, p, "syr with negative n", k -> k.call("syr", UPPER, -1, 1, a(p, 3), 0, a(p, 9), 0, 3),
                    "n must be >= 0", "-1");

            add(out, p, "gemm N with lda < k", k -> k.call("gemm", N, N, 2, 3, 4, 1, a(p, 8), 0, 3, a(p, 12), 0, 3, 0,
                    a(p, 6), 0, 3), "leading dimension of A", "4", "but is 3");
            add(out, p, "gemm T with lda < m", k -> k.call("gemm", T, N, 5, 3, 2, 1, a(p, 10), 0, 4, a(p, 6), 0, 3, 0,
                    a(p, 15), 0, 3), "leading dimension of A", "5", "but is 4");
            add(out, p, "gemm with ldb < n", k -> k.call("gemm", N, N, 2, 3, 4, 1, a(p, 8), 0, 4, a(p, 12), 0, 2, 0,
                    a(p, 6), 0, 3), "leading dimension of B", "3", "but is 2");
            add(out, p, "gemm with C too short", k -> k.call("gemm", N, T, 2, 3, 4, 1, a(p, 8), 0, 4, a(p, 12), 0, 4, 0,
                    a(p, 7), 2, 3), "C is too short", "2×3", "offset 2", "needs 8", "array length is 7");
            add(out, p, "gemm with negative k", k -> k.call("gemm", N, N, 2, 3, -1, 1, a(p, 8), 0, 4, a(p, 12), 0, 3, 0,
                    a(p, 6), 0, 3), "k must be >= 0", "-1");
            add(out, p, "gemm with null transA", k -> k.call("gemm", null, N, 2, 3, 4, 1, a(p, 8), 0, 4, a(p, 12), 0, 3,
                    0, a(p, 6), 0, 3), "transA must not be null");
            add(out, p, "syrk with ldc < n", k -> k.call("syrk", LOWER, N, 4, 2, 1, a(p, 8), 0, 2, 0, a(p, 16), 0, 3),
                    "leading dimension of C", "4", "but is 3");
            add(out, p, "syrk T with A too short", k -> k.call("syrk", UPPER, T, 4, 3, 1, a(p, 11), 0, 4, 0,
                    a(p, 16), 0, 4), "A is too short", "3×4", "needs 12", "array length is 11");
            add(out, p, "trsm RIGHT with lda < n", k -> k.call("trsm", RIGHT, LOWER, N, NON_UNIT, 2, 5, 1,
                    a(p, 25), 0, 4, a(p, 10), 0, 5), "leading dimension of A", "5", "but is 4");
            add(out, p, "trsm with B too short", k -> k.call("trsm", Side.LEFT, UPPER, T, Diag.UNIT, 3, 4, 1,
                    a(p, 9), 0, 3, a(p, 11), 0, 4), "B is too short", "3×4", "needs 12", "array length is 11");

            add(out, p, "potrf with lda < n", k -> k.call("potrf", LOWER, 6, a(p, 36), 0, 5),
                    "leading dimension of A", "6", "but is 5");
            add(out, p, "potrf with negative n", k -> k.call("potrf", UPPER, -4, a(p, 16), 0, 4), "n must be >= 0", "-4");
            add(out, p, "potrf with null uplo", k -> k.call("potrf", null, 2, a(p, 4), 0, 2), "uplo must not be null");
            add(out, p, "potri with A too short", k -> k.call("potri", LOWER, 3, a(p, 10), 2, 3), "A is too short",
                    "offset 2", "needs 11", "array length is 10");
            add(out, p, "potrs with ldb < nrhs", k -> k.call("potrs", LOWER, 3, 4, a(p, 9), 0, 3, a(p, 12), 0, 3),
                    "leading dimension of B", "4", "but is 3");
            add(out, p, "syev with w too short", k -> k.call("syev", LOWER, 4, a(p, 16), 0, 4, a(p, 3), 0),
                    "w is too short", "4 elements", "array length 3");
            add(out, p, "getrfNoPivot with A too short", k -> k.call("getrfNoPivot", 4, a(p, 15), 0, 4),
                    "A is too short", "4×4", "needs 16", "array length is 15");
            add(out, p, "symmetrize with lda < n", k -> k.call("symmetrize", UPPER, 3, a(p, 9), 0, 2),
                    "leading dimension of A", "3", "but is 2");

            add(out, p, "shermanMorrisonUpdate with short work", k -> k.call("shermanMorrisonUpdate", 4, 1,
                    a(p, 4), 0, a(p, 16), 0, 4, a(p, 3), 0), "work is too short", "4 elements", "array length 3");
            add(out, p, "shermanMorrisonUpdate with short x", k -> k.call("shermanMorrisonUpdate", 4, 1,
                    a(p, 5), 2, a(p, 16), 0, 4, a(p, 4), 0), "x is too short", "offset 2", "array length 5");
            add(out, p, "eliminateCoordinate with p = n", k -> k.call("eliminateCoordinate", 5, 5, a(p, 25), 0, 5,
                    a(p, 5), 0), "p = 5", "[0, 5)");
            add(out, p, "eliminateCoordinate with p < 0", k -> k.call("eliminateCoordinate", 5, -1, a(p, 25), 0, 5,
                    a(p, 5), 0), "p = -1", "[0, 5)");
            add(out, p, "eliminateCoordinate with ldh < n", k -> k.call("eliminateCoordinate", 5, 1, a(p, 25), 0, 4,
                    a(p, 5), 0), "leading dimension of hInv", "5", "but is 4");
            add(out, p, "rowDots with ldg < d", k -> k.call("rowDots", 2, 5, a(p, 10), 0, 4, a(p, 5), 0, a(p, 2), 0),
                    "leading dimension of G", "5", "but is 4");
            add(out, p, "rowDots with y too short", k -> k.call("rowDots", 3, 2, a(p, 6), 0, 2, a(p, 2), 0, a(p, 2), 0),
                    "y is too short", "3 elements", "array length 2");
            add(out, p, "rowDots with negative d", k -> k.call("rowDots", 2, -1, a(p, 6), 0, 3, a(p, 3), 0, a(p, 2), 0),
                    "d must be >= 0", "-1");
            add(out, p, "rowCombination with c too short", k -> k.call("rowCombination", 3, 4, a(p, 2), 0, a(p, 12), 0,
                    4, 0, a(p, 4), 0), "c is too short", "3 elements", "array length 2");
            add(out, p, "rowCombination with null x", k -> k.call("rowCombination", 3, 4, a(p, 3), 0, a(p, 12), 0, 4,
                    0, null, 0), "x must not be null");
        }
        return out;
    }

    /**
     * Calls that touch nothing but sit exactly at the end of their arrays, or have a zero extent with a
     * minimal leading dimension: they are valid and must not throw.
     */
    public static List<BadInput> validEdgeCases() {
        List<BadInput> out = new ArrayList<>();
        for (Precision p : Precision.values()) {
            add(out, p, "dot of length 0 at the end of its arrays", k -> k.call("dot", 0, a(p, 3), 3, a(p, 0), 0));
            add(out, p, "gemm 0×0×0 with ld 1 on empty arrays", k -> k.call("gemm", N, T, 0, 0, 0, 1, a(p, 0), 0, 1,
                    a(p, 0), 0, 1, 0, a(p, 0), 0, 1));
            add(out, p, "gemm with k = 0 scales C by beta", k -> k.call("gemm", T, N, 2, 2, 0, 1, a(p, 0), 0, 2,
                    a(p, 0), 0, 2, 0, a(p, 4), 0, 2));
            add(out, p, "gemv with m = 0", k -> k.call("gemv", N, 0, 4, 1, a(p, 0), 0, 4, a(p, 4), 0, 0, a(p, 0), 0));
            add(out, p, "potrf with n = 0", k -> k.call("potrf", LOWER, 0, a(p, 0), 0, 1));
            add(out, p, "syev with n = 0", k -> k.call("syev", UPPER, 0, a(p, 2), 2, 1, a(p, 0), 0));
            add(out, p, "rowCombination with m = 0", k -> k.call("rowCombination", 0, 3, a(p, 0), 0, a(p, 0), 0, 3,
                    1, a(p, 3), 0));
        }
        return out;
    }

    /** The call throws {@link IllegalArgumentException} and its message contains every fragment. */
    static void check(Kernels candidate, BadInput c) {
        KernelInvoker k = new KernelInvoker(candidate, c.p());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.call().accept(k),
                c.description());
        for (String fragment : c.fragments()) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                    c.description() + ": message \"" + e.getMessage() + "\" should contain \"" + fragment + "\"");
        }
    }

    private static void add(List<BadInput> out, Precision p, String description, Consumer<KernelInvoker> call,
                            String... fragments) {
        out.add(new BadInput(description, p, call, List.of(fragments)));
    }

    private static NumArray a(Precision p, int length) {
        return NumArray.zeros(p, length);
    }
}
