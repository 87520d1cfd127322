package dev.surgeon.kernels;

/**
 * The Vector API provider. This class names no vector type: {@code VectorKernels} is loaded reflectively
 * only after the module check, because on a JVM without {@code --add-modules jdk.incubator.vector} any
 * class whose constant pool mentions a vector type fails with {@link NoClassDefFoundError}.
 */
public final class VectorProvider implements KernelProvider {
    static final String MISSING_MODULE = "module jdk.incubator.vector is not in the boot layer; "
            + "run the JVM with --add-modules jdk.incubator.vector";

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int priority() {
        return 20;
    }

    @Override
    public String unavailableReason() {
        if (!JvmFeatures.vectorModulePresent()) {
            return MISSING_MODULE;
        }
        try {
            Class.forName("dev.surgeon.kernels.VectorKernels", false, VectorProvider.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "cannot load the Vector API kernels: " + e;
        }
    }

    @Override
    public Kernels create(int threads) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("vector kernels unavailable: " + reason);
        }
        try {
            return (Kernels) Class.forName("dev.surgeon.kernels.VectorKernels")
                    .getDeclaredConstructor(int.class)
                    .newInstance(threads);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("vector kernels failed to initialize: " + e, e);
        }
    }
}
