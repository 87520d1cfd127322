package dev.surgeon.kernels;

/**
 * Argument checks shared by every {@link Kernels} provider, so that all of them reject the same bad input
 * with the same message: an {@link IllegalArgumentException} naming the argument and the values.
 * Extents are computed in {@code long} so that huge sizes cannot overflow into a false pass.
 */
public final class KernelArguments {
    private KernelArguments() {
    }

    /** A size or count must be {@code >= 0}. */
    public static void size(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0 but is " + value);
        }
    }

    /** A contiguous vector of n elements starting at {@code off}. */
    public static void vector(String name, float[] x, int off, int n) {
        vector(name, x == null ? -1 : x.length, off, n);
    }

    /** A contiguous vector of n elements starting at {@code off}. */
    public static void vector(String name, double[] x, int off, int n) {
        vector(name, x == null ? -1 : x.length, off, n);
    }

    /** A row-major rows×cols matrix at {@code off} with row stride {@code ld}. */
    public static void matrix(String name, float[] a, int off, int rows, int cols, int ld) {
        matrix(name, a == null ? -1 : a.length, off, rows, cols, ld);
    }

    /** A row-major rows×cols matrix at {@code off} with row stride {@code ld}. */
    public static void matrix(String name, double[] a, int off, int rows, int cols, int ld) {
        matrix(name, a == null ? -1 : a.length, off, rows, cols, ld);
    }

    /** An index that must satisfy {@code 0 <= index < bound}. */
    public static void index(String name, int index, int bound) {
        if (index < 0 || index >= bound) {
            throw new IllegalArgumentException(name + " = " + index + " is outside [0, " + bound + ")");
        }
    }

    /** An enum argument that must not be null. */
    public static void notNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    /** Array length, or -1 for null, so that operation checks serve float and double arrays alike. */
    public static int len(float[] a) {
        return a == null ? -1 : a.length;
    }

    /** Array length, or -1 for null. */
    public static int len(double[] a) {
        return a == null ? -1 : a.length;
    }

    // ---------------------------------------------------------------------------------------------
    // Whole-operation checks (array lengths from len(...)); every provider calls these first.

    /** {@code gemv}: A is m×n; x and y sized by the transpose. */
    public static void gemv(Trans trans, int m, int n, int aLen, int aOff, int lda,
                            int xLen, int xOff, int yLen, int yOff) {
        notNull("trans", trans);
        size("m", m);
        size("n", n);
        matrix("A", aLen, aOff, m, n, lda);
        vector("x", xLen, xOff, trans == Trans.N ? n : m);
        vector("y", yLen, yOff, trans == Trans.N ? m : n);
    }

    /** {@code ger}: A is m×n, x has m and y has n elements. */
    public static void ger(int m, int n, int xLen, int xOff, int yLen, int yOff, int aLen, int aOff, int lda) {
        size("m", m);
        size("n", n);
        vector("x", xLen, xOff, m);
        vector("y", yLen, yOff, n);
        matrix("A", aLen, aOff, m, n, lda);
    }

    /** {@code symv}/{@code syr}: A is n×n, x (and y when yLen is not {@code Integer.MIN_VALUE}) have n elements. */
    public static void symmetric2(Uplo uplo, int n, int aLen, int aOff, int lda, int xLen, int xOff,
                                  int yLen, int yOff) {
        notNull("uplo", uplo);
        size("n", n);
        matrix("A", aLen, aOff, n, n, lda);
        vector("x", xLen, xOff, n);
        if (yLen != Integer.MIN_VALUE) {
            vector("y", yLen, yOff, n);
        }
    }

    /** {@code gemm}: op(A) m×k, op(B) k×n, C m×n. */
    public static void gemm(Trans transA, Trans transB, int m, int n, int k,
                            int aLen, int aOff, int lda, int bLen, int bOff, int ldb,
                            int cLen, int cOff, int ldc) {
        notNull("transA", transA);
        notNull("transB", transB);
        size("m", m);
        size("n", n);
        size("k", k);
        if (transA == Trans.N) {
            matrix("A", aLen, aOff, m, k, lda);
        } else {
            matrix("A", aLen, aOff, k, m, lda);
        }
        if (transB == Trans.N) {
            matrix("B", bLen, bOff, k, n, ldb);
        } else {
            matrix("B", bLen, bOff, n, k, ldb);
        }
        matrix("C", cLen, cOff, m, n, ldc);
    }

    /** {@code syrk}: A n×k (N) or k×n (T), C n×n. */
    public static void syrk(Uplo uplo, Trans trans, int n, int k, int aLen, int aOff, int lda,
                            int cLen, int cOff, int ldc) {
        notNull("uplo", uplo);
        notNull("trans", trans);
        size("n", n);
        size("k", k);
        if (trans == Trans.N) {
            matrix("A", aLen, aOff, n, k, lda);
        } else {
            matrix("A", aLen, aOff, k, n, lda);
        }
        matrix("C", cLen, cOff, n, n, ldc);
    }

    /** {@code trsm}: B m×n, A m×m (left) or n×n (right). */
    public static void trsm(Side side, Uplo uplo, Trans transA, Diag diag, int m, int n,
                            int aLen, int aOff, int lda, int bLen, int bOff, int ldb) {
        notNull("side", side);
        notNull("uplo", uplo);
        notNull("transA", transA);
        notNull("diag", diag);
        size("m", m);
        size("n", n);
        int order = side == Side.LEFT ? m : n;
        matrix("A", aLen, aOff, order, order, lda);
        matrix("B", bLen, bOff, m, n, ldb);
    }

    /** A square n×n matrix operand with a triangle selector (potrf, potri, syev, symmetrize). */
    public static void square(Uplo uplo, int n, int aLen, int aOff, int lda) {
        notNull("uplo", uplo);
        size("n", n);
        matrix("A", aLen, aOff, n, n, lda);
    }

    /** {@code potrs}: A n×n, B n×nrhs. */
    public static void potrs(Uplo uplo, int n, int nrhs, int aLen, int aOff, int lda, int bLen, int bOff, int ldb) {
        square(uplo, n, aLen, aOff, lda);
        size("nrhs", nrhs);
        matrix("B", bLen, bOff, n, nrhs, ldb);
    }

    /** {@code shermanMorrisonUpdate} / {@code eliminateCoordinate}: full n×n inverse plus n scratch elements. */
    public static void inverseUpdate(int n, int hLen, int hOff, int ldh, int workLen, int workOff) {
        size("n", n);
        matrix("hInv", hLen, hOff, n, n, ldh);
        vector("work", workLen, workOff, n);
    }

    /** {@code rowDots} / {@code rowCombination}: G m×d, a d-vector and an m-vector. */
    public static void rows(int m, int d, int gLen, int gOff, int ldg, String dName, int dLen, int dOff,
                            String mName, int mLen, int mOff) {
        size("m", m);
        size("d", d);
        matrix("G", gLen, gOff, m, d, ldg);
        vector(dName, dLen, dOff, d);
        vector(mName, mLen, mOff, m);
    }

    /** A contiguous vector given by its array length (-1 = null). */
    public static void vector(String name, int length, int off, int n) {
        if (length < 0) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (n < 0) {
            throw new IllegalArgumentException("length of " + name + " must be >= 0 but is " + n);
        }
        if (off < 0) {
            throw new IllegalArgumentException("offset of " + name + " must be >= 0 but is " + off);
        }
        if ((long) off + n > length) {
            throw new IllegalArgumentException(name + " is too short: offset " + off + " + " + n
                    + " elements = " + ((long) off + n) + " > array length " + length);
        }
    }

    /** A row-major matrix given by its array length (-1 = null). */
    public static void matrix(String name, int length, int off, int rows, int cols, int ld) {
        if (length < 0) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("dimensions of " + name + " must be >= 0 but are "
                    + rows + "×" + cols);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("leading dimension of " + name + " must be >= max(1, "
                    + cols + ") (its row width) but is " + ld);
        }
        if (off < 0) {
            throw new IllegalArgumentException("offset of " + name + " must be >= 0 but is " + off);
        }
        if (rows == 0 || cols == 0) {
            if (off > length) {
                throw new IllegalArgumentException("offset of " + name + " (" + off + ") exceeds array length " + length);
            }
            return;
        }
        long end = (long) off + (long) (rows - 1) * ld + cols;
        if (end > length) {
            throw new IllegalArgumentException(name + " is too short for a " + rows + "×" + cols
                    + " matrix with leading dimension " + ld + " at offset " + off + ": needs " + end
                    + " elements, array length is " + length);
        }
    }
}
