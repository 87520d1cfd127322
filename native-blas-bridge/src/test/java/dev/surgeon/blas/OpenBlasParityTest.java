package dev.surgeon.blas;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.parity.ProviderParityTest;
import org.junit.jupiter.api.Nested;

/**
 * The OpenBLAS provider through the providers' shared parity suite (simd-kernels' test jar): once with
 * every operation forced onto the native library, once as {@code Kernels.named("openblas")} builds it
 * (tiny sizes delegated to the next-best provider), each bound to one and to two threads.
 */
class OpenBlasParityTest {

    @Nested
    class NativeOnlyOneThread extends ProviderParityTest {
        @Override
        protected Kernels candidate() {
            return OpenBlasTestSupport.nativeKernels().withThreads(1);
        }
    }

    @Nested
    class NativeOnlyTwoThreads extends ProviderParityTest {
        @Override
        protected Kernels candidate() {
            return OpenBlasTestSupport.nativeKernels().withThreads(2);
        }
    }

    @Nested
    class Delegating extends ProviderParityTest {
        @Override
        protected Kernels candidate() {
            return OpenBlasTestSupport.defaultKernels();
        }
    }
}
