package dev.surgeon.core.prune;

/**
 * Sorting indices by a key without boxing: a stable merge sort of an {@code int[]} of positions by
 * {@code key[position]}, ascending. Stability makes ties resolve by the indices' initial order (ascending flat
 * index in every caller), which keeps masks deterministic.
 */
final class IndexSort {
    private IndexSort() {
    }

    /** Sorts {@code idx[0, n)} by {@code key[idx[i]]} ascending, stably. NaN keys must be rejected by the caller. */
    static void ascending(int[] idx, int n, double[] key) {
        int[] buffer = new int[n];
        for (int width = 1; width < n; width <<= 1) {
            for (int lo = 0; lo < n - width; lo += width << 1) {
                int mid = lo + width;
                int hi = Math.min(n, mid + width);
                if (key[idx[mid - 1]] <= key[idx[mid]]) {
                    continue;
                }
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    buffer[k++] = key[idx[j]] < key[idx[i]] ? idx[j++] : idx[i++];
                }
                while (i < mid) {
                    buffer[k++] = idx[i++];
                }
                while (j < hi) {
                    buffer[k++] = idx[j++];
                }
                System.arraycopy(buffer, lo, idx, lo, hi - lo);
            }
        }
    }

    /** Positions 0..n−1 sorted by key ascending (ties by position). */
    static int[] ascending(double[] key, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        ascending(idx, n, key);
        return idx;
    }
}
