package dev.surgeon.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the system OpenBLAS and checks that it exports every symbol the bridge calls, without ever
 * throwing: a missing library, a missing symbol or denied native access all become a one-line reason.
 *
 * <p>The library is looked up by soname ({@code libopenblas.so.0}, the only name Debian's
 * {@code libopenblas0-pthread} installs; then {@code libopenblas.so}, which comes with the {@code -dev}
 * package or a source build), or by the name or path given with {@code -Dsurgeon.blas.library}.
 *
 * <p>LAPACK is reached through its Fortran symbols ({@code spotrf_}, {@code ssyevd_}, …) rather than
 * LAPACKE: Debian builds OpenBLAS with {@code NO_LAPACKE}, so {@code LAPACKE_*} is absent from
 * {@code libopenblas.so.0}, while the Fortran LAPACK is exported by the same library. The Fortran
 * interface is column-major, which is what the bridge wants anyway (row-major symmetric data is passed as
 * its column-major transpose with the opposite triangle).
 */
final class OpenBlasLibrary {
    /** System property naming the library (soname or path) instead of the default sonames. */
    static final String LIBRARY_PROPERTY = "surgeon.blas.library";

    static final List<String> DEFAULT_NAMES = List.of("libopenblas.so.0", "libopenblas.so");

    /** Every symbol {@link NativeBlas} binds; all must be present for the provider to be available. */
    static final List<String> REQUIRED_SYMBOLS = symbols();

    private static final String INSTALL_HINT = "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0-pthread)"
            + " or point -D" + LIBRARY_PROPERTY + " at libopenblas.so";

    /** A library that loaded and exports every required symbol. */
    record Loaded(String name, SymbolLookup lookup, String config) {
    }

    /** The outcome of a probe: exactly one of {@code loaded} and {@code reason} is non-null. */
    record Probe(Loaded loaded, String reason) {
    }

    private OpenBlasLibrary() {
    }

    /** The names to try, in order: the system property if set, else {@link #DEFAULT_NAMES}. */
    static List<String> configuredNames() {
        String name = System.getProperty(LIBRARY_PROPERTY);
        return name == null || name.isBlank() ? DEFAULT_NAMES : List.of(name.trim());
    }

    /** The library as configured for this JVM, probed once. */
    static Probe configured() {
        return Configured.PROBE;
    }

    /**
     * Loads the first of {@code names} that loads (into the global arena: a loaded BLAS is never unloaded)
     * and checks its symbols. Never throws.
     */
    static Probe probe(List<String> names) {
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                failures.add(name + " (" + e.getMessage() + ")");
                continue;
            } catch (IllegalCallerException e) {
                return new Probe(null, "native access is not enabled (" + e.getMessage()
                        + "); run the JVM with --enable-native-access=ALL-UNNAMED (class path) or "
                        + "--enable-native-access=dev.surgeon.blas (module path)");
            } catch (RuntimeException | LinkageError e) {
                failures.add(name + " (" + e + ")");
                continue;
            }
            for (String symbol : REQUIRED_SYMBOLS) {
                if (lookup.find(symbol).isEmpty()) {
                    return new Probe(null, name + " does not export " + symbol
                            + " (not an OpenBLAS with BLAS, CBLAS and LAPACK?); " + INSTALL_HINT);
                }
            }
            try {
                return new Probe(new Loaded(name, lookup, config(lookup)), null);
            } catch (RuntimeException | LinkageError e) {
                return new Probe(null, "cannot call into " + name + ": " + e);
            }
        }
        return new Probe(null, "cannot load " + String.join(", ", failures) + "; " + INSTALL_HINT);
    }

    /** OpenBLAS's build description, e.g. {@code OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … SkylakeX MAX_THREADS=64}. */
    private static String config(SymbolLookup lookup) {
        var handle = Linker.nativeLinker().downcallHandle(lookup.findOrThrow("openblas_get_config"),
                FunctionDescriptor.of(ValueLayout.ADDRESS));
        try {
            MemorySegment text = (MemorySegment) handle.invokeExact();
            return text.equals(MemorySegment.NULL) ? "OpenBLAS" : text.reinterpret(1024).getString(0).trim();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static List<String> symbols() {
        List<String> out = new ArrayList<>(List.of("openblas_set_num_threads", "openblas_get_config"));
        for (String p : List.of("s", "d")) {
            for (String f : List.of("dot", "axpy", "scal", "nrm2", "asum", "gemv", "ger", "symv", "syr",
                    "gemm", "syrk", "trsm")) {
                out.add("cblas_" + p + f);
            }
            out.add("cblas_i" + p + "amax");
            for (String f : List.of("potrf", "potri", "syevd")) {
                out.add(p + f + "_");
            }
        }
        return List.copyOf(out);
    }

    private static final class Configured {
        static final Probe PROBE = probe(configuredNames());
    }
}
