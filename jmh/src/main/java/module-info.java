/** JMH benchmarks; run from the shaded jar {@code jmh/target/benchmarks.jar} (class path, not module path). */
module dev.surgeon.jmh {
    requires dev.surgeon.kernels;
    requires dev.surgeon.core;
    requires dev.surgeon.blas;
    requires jmh.core;

    exports dev.surgeon.jmh;
    exports dev.surgeon.jmh.jmh_generated;
}
