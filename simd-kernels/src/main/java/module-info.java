/**
 * Surgeon's numerical kernels: one SPI ({@link dev.surgeon.kernels.Kernels}) over flat row-major arrays,
 * with a scalar reference provider and a Vector API provider. The Vector module is optional at run time:
 * without {@code --add-modules jdk.incubator.vector} the scalar provider is used and one warning is logged.
 */
module dev.surgeon.kernels {
    requires static jdk.incubator.vector;
    requires java.management;
    requires static jdk.management;

    exports dev.surgeon.kernels;

    uses dev.surgeon.kernels.KernelProvider;

    provides dev.surgeon.kernels.KernelProvider with
            dev.surgeon.kernels.ScalarProvider,
            dev.surgeon.kernels.VectorProvider;
}
