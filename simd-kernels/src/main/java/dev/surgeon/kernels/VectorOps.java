package dev.surgeon.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species and the multiply-add every Vector API kernel uses. Loaded only after the module check
 * (it names vector types). {@link #FMA} is a constant, so C2 folds the branch in {@code fma}.
 */
final class VectorOps {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    static final int FLOAT_LANES = FLOATS.length();
    static final int DOUBLE_LANES = DOUBLES.length();
    /** FMA only when the JIT emits the instruction; emulated FMA is ~1000× slower than mul+add. */
    static final boolean FMA = JvmFeatures.useFma();

    /**
     * {@code FLOAT_RANGE[lo·(L + 1) + n]}: lanes [lo, lo + n) of a float vector, for lo + n ≤ L, made once (the
     * prefixes are lo = 0). A mask made per call with {@code indexInRange} and a variable bound was not intrinsified in
     * the packing and merge loops here: it allocated a boolean[] per call, and the masked operations using it fell back
     * to Java code.
     */
    @SuppressWarnings("unchecked")
    private static final VectorMask<Float>[] FLOAT_RANGE = new VectorMask[(FLOATS.length() + 1) * (FLOATS.length() + 1)];

    static {
        int lanes = FLOATS.length();
        for (int lo = 0; lo <= lanes; lo++) {
            for (int n = 0; lo + n <= lanes; n++) {
                FLOAT_RANGE[lo * (lanes + 1) + n] = FLOATS.indexInRange(-lo, n);
            }
        }
    }

    /** Lanes [lo, lo + n) of a float vector, for 0 ≤ lo, 0 ≤ n and lo + n ≤ L (from a table made once). */
    static VectorMask<Float> floatRange(int lo, int n) {
        return FLOAT_RANGE[lo * (FLOATS.length() + 1) + n];
    }

    /** The first {@code n} lanes of a float vector, n clamped to [0, L]. */
    static VectorMask<Float> floatPrefix(int n) {
        return FLOAT_RANGE[Math.max(0, Math.min(FLOATS.length(), n))];
    }

    /**
     * Lane i takes lane (i + w) mod L, for w = 8, 4, 2, 1: the halving folds of a lane sum, v + v.rearrange(fold)
     * from the widest that applies down to 1, then lane 0 + 0 (the order in which C2 reduces a 512-bit vector, and the
     * reduction's identity, which turns −0 into +0). Unlike {@code reduceLanes(ADD)}, whose order the Vector API leaves
     * open (the interpreter and C1 add lane by lane), element-wise additions round the same in every JIT tier, so a
     * kernel returns the same bits before and after it is compiled. Kernels write the folds out where they sum
     * (see {@link DotProduct}): a helper taking a vector was not always inlined, and C2 then boxed the vector. Static
     * finals, not an array: a shuffle the compiler cannot see as a constant is not intrinsified.
     */
    static final VectorShuffle<Float> FLOAT_FOLD_8 = VectorShuffle.iota(FLOATS, 8, 1, true);
    static final VectorShuffle<Float> FLOAT_FOLD_4 = VectorShuffle.iota(FLOATS, 4, 1, true);
    static final VectorShuffle<Float> FLOAT_FOLD_2 = VectorShuffle.iota(FLOATS, 2, 1, true);
    static final VectorShuffle<Float> FLOAT_FOLD_1 = VectorShuffle.iota(FLOATS, 1, 1, true);

    private VectorOps() {
    }

    /** A per-thread cache of one gather index map for {@link #gatherOffsets}, empty at first. */
    static ThreadLocal<int[]> gatherOffsetCache() {
        return ThreadLocal.withInitial(() -> {
            int[] o = new int[FLOAT_LANES + 2];
            o[FLOAT_LANES + 1] = -1;
            return o;
        });
    }

    /**
     * {0, ld, 2·ld, …} for the first {@code lanes} lanes of a float vector and 0 after them (the Vector API
     * range-checks the indices of masked-off lanes too), cached per thread for the last (ld, lanes) in entries L and
     * L + 1 of the cache's array.
     */
    static int[] gatherOffsets(ThreadLocal<int[]> cache, int ld, int lanes) {
        int[] o = cache.get();
        if (o[FLOAT_LANES] != ld || o[FLOAT_LANES + 1] != lanes) {
            for (int i = 0; i < FLOAT_LANES; i++) {
                o[i] = i < lanes ? i * ld : 0;
            }
            o[FLOAT_LANES] = ld;
            o[FLOAT_LANES + 1] = lanes;
        }
        return o;
    }

    /** {@code a·b + c}, fused when the hardware has FMA. */
    static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** {@code a·b + c}, fused when the hardware has FMA. */
    static DoubleVector fma(DoubleVector a, DoubleVector b, DoubleVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    /** {@code a·b + c} for scalars, fused only when the hardware has FMA (Math.fma is slow otherwise). */
    static float fma(float a, float b, float c) {
        return FMA ? Math.fma(a, b, c) : a * b + c;
    }

    /** {@code a·b + c} for scalars, fused only when the hardware has FMA. */
    static double fma(double a, double b, double c) {
        return FMA ? Math.fma(a, b, c) : a * b + c;
    }
}
