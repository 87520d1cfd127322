package dev.surgeon.kernels;

import java.lang.management.ManagementFactory;

/**
 * Facts about the running JVM that decide how kernels may be written. Deliberately free of any
 * {@code jdk.incubator.vector} type so that it loads on every JVM.
 */
final class JvmFeatures {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private JvmFeatures() {
    }

    /** Whether {@code jdk.incubator.vector} is resolved in the boot layer (i.e. {@code --add-modules} was given). */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * Whether the JIT emits fused multiply-add instructions. {@code FloatVector.fma} is three orders of
     * magnitude slower when {@code -XX:-UseFMA} (some containers hide the CPU flag), so kernels fall back
     * to multiply-then-add in that case. Unknown (no HotSpot diagnostic bean) counts as false.
     */
    static boolean useFma() {
        return Holder.USE_FMA;
    }

    private static final class Holder {
        static final boolean USE_FMA = readBooleanVmOption("UseFMA");
    }

    private static boolean readBooleanVmOption(String name) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean != null && Boolean.parseBoolean(bean.getVMOption(name).getValue());
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
