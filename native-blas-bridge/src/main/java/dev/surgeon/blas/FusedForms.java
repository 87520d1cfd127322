package dev.surgeon.blas;

import dev.surgeon.kernels.Trans;
import java.lang.foreign.MemorySegment;

/**
 * The curvature forms of the SPI composed from level-2 BLAS on the full (both triangles stored) symmetric
 * inverse, one pass over the n×n matrix per BLAS call:
 * <ul>
 *   <li>Sherman–Morrison (Hassibi &amp; Stork 1993, eq. 8): {@code u = H⁻¹x} by gemv,
 *       {@code den = c + xᵀu} by dot, {@code H⁻¹ ← H⁻¹ − u·uᵀ/den} by ger. gemv rather than symv because
 *       the reference multiplies the full stored matrix (which rounding leaves only nearly symmetric), and
 *       ger rather than syr because both triangles must be updated.</li>
 *   <li>Eliminating coordinate p (OBC's Lemma 1): {@code H⁻¹ ← H⁻¹ − H⁻¹[:,p]·H⁻¹[p,:]/H⁻¹[p,p]} by one ger
 *       on copies of row and column p (BLAS forbids a vector that aliases the matrix), then row and column p
 *       are set to exactly zero.</li>
 * </ul>
 * {@code G·x} and {@code Gᵀ·c} are plain gemv calls (N and T) and live in {@link OpenBlasKernels}.
 */
final class FusedForms {
    private FusedForms() {
    }

    /** n ≥ 1; returns {@code c + xᵀu} in precision p. */
    static double shermanMorrisonUpdate(Precision p, int threads, int n, double c, MemorySegment x, long xOff,
                                        MemorySegment h, long hOff, int ldh, MemorySegment work, long workOff) {
        MatrixVector.gemv(p, threads, Trans.N, n, n, 1, h, hOff, ldh, x, xOff, 0, work, workOff);
        double den = p.round(c + p.round(Vectors.dot(p, threads, n, x, xOff, work, workOff)));
        MatrixVector.ger(p, threads, n, n, p.round(-1 / den), work, workOff, work, workOff, h, hOff, ldh);
        return den;
    }

    /** n ≥ 1, 0 ≤ q &lt; n; returns the pivot {@code H⁻¹[q,q]} before elimination. */
    static double eliminateCoordinate(Precision p, int threads, int n, int q, MemorySegment h, long hOff, int ldh,
                                      MemorySegment work, long workOff) {
        double piv = p.get(h, hOff + (long) q * ldh + q);
        MemorySegment.copy(h, (hOff + (long) q * ldh) * p.bytes, work, workOff * p.bytes, n * p.bytes);
        try (OffHeap.Frame f = OffHeap.frame(OffHeap.bytes(p, n))) {
            MemorySegment column = f.allocate(OffHeap.bytes(p, n));
            SegmentOps.copyColumn(p, n, h, hOff, ldh, q, column);
            MatrixVector.ger(p, threads, n, n, p.round(-1 / piv), column, 0, work, workOff, h, hOff, ldh);
        }
        SegmentOps.zeroRowAndColumn(p, n, q, h, hOff, ldh);
        return piv;
    }
}
