package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

/**
 * The reference provider against independent float64 loops and residuals (check (b) of
 * {@link ProviderParityTest}; check (a), scalar against itself, is skipped as trivially true).
 */
class ScalarParityTest extends ProviderParityTest {
    @Override
    protected Kernels candidate() {
        return new ScalarKernels();
    }
}
