package dev.surgeon.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import dev.surgeon.kernels.Trans;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The thread-count phases: equal counts share a phase, a different count waits for it to drain. */
class NativeThreadsTest {

    @BeforeAll
    static void requireLibrary() {
        OpenBlasTestSupport.defaultKernels();
    }

    @Test
    void aCallWithAnotherThreadCountWaitsUntilTheRunningPhaseEnds() throws Exception {
        NativeThreads.enter(1);
        CountDownLatch sameEntered = new CountDownLatch(1);
        CountDownLatch otherEntered = new CountDownLatch(1);
        Thread same = new Thread(() -> {
            NativeThreads.enter(1);
            sameEntered.countDown();
            NativeThreads.exit();
        });
        Thread other = new Thread(() -> {
            NativeThreads.enter(2);
            otherEntered.countDown();
            NativeThreads.exit();
        });
        try {
            same.start();
            assertTrue(sameEntered.await(10, TimeUnit.SECONDS), "an equal count joins the running phase");
            other.start();
            assertFalse(otherEntered.await(300, TimeUnit.MILLISECONDS), "a different count must wait");
        } finally {
            NativeThreads.exit();
        }
        assertTrue(otherEntered.await(10, TimeUnit.SECONDS), "and proceeds once the phase has drained");
        same.join();
        other.join();
    }

    /** Instances with 1 and 2 threads used concurrently: no deadlock, and the same results as alone. */
    @Test
    void concurrentCallersWithDifferentThreadCountsGetCorrectResults() throws Exception {
        Kernels one = OpenBlasTestSupport.defaultKernels().withThreads(1);
        Kernels two = one.withThreads(2);
        int n = 400; // off-heap sgemm, multithreaded in OpenBLAS
        float[] a = OpenBlasTestSupport.toFloat(OpenBlasTestSupport.matrix(new SplittableRandom(1), 0, n, n, n));
        float[] expected = new float[n * n];
        one.gemm(Trans.N, Trans.T, n, n, n, 1f, a, 0, n, a, 0, n, 0f, expected, 0, n);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Kernels k = t % 2 == 0 ? one : two;
                results.add(pool.submit(() -> {
                    float[] c = new float[n * n];
                    k.gemm(Trans.N, Trans.T, n, n, n, 1f, a, 0, n, a, 0, n, 0f, c, 0, n);
                    float[] x = new float[20_000];
                    java.util.Arrays.fill(x, 1f);
                    assertEquals(20_000f, k.dot(20_000, x, 0, x, 0));
                    return c;
                }));
            }
            for (Future<float[]> f : results) {
                // sgemm computes each element of C on one thread in the same order whatever the count.
                assertArrayEquals(expected, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
