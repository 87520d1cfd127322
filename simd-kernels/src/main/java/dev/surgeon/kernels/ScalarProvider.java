package dev.surgeon.kernels;

/** The always-available reference provider: {@link ScalarKernels}. */
public final class ScalarProvider implements KernelProvider {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Kernels create(int threads) {
        return new ScalarKernels();
    }
}
