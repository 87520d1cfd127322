/**
 * The optional OpenBLAS provider of Surgeon's kernel SPI: the system {@code libopenblas} reached through
 * {@code java.lang.foreign}. Found by {@link java.util.ServiceLoader}; when the library is missing it
 * reports itself unavailable and the other providers are used. Needs native access
 * ({@code --enable-native-access=ALL-UNNAMED} on the class path, {@code =dev.surgeon.blas} on the module path).
 */
module dev.surgeon.blas {
    requires dev.surgeon.kernels;

    exports dev.surgeon.blas;

    provides dev.surgeon.kernels.KernelProvider with dev.surgeon.blas.OpenBlasProvider;
}
