package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls a {@link Kernels} operation by name in one precision, so that a parity check is written once for
 * {@code float} and {@code double}: {@link NumArray} arguments become the backing {@code float[]} or
 * {@code double[]}, numbers are converted to the declared parameter type ({@code int}, {@code float} or
 * {@code double}), enums pass through. The overload is the one whose array parameters have this precision.
 * Exceptions thrown by the kernel reach the caller unwrapped.
 */
public final class KernelInvoker {
    private static final Map<String, Method> METHODS = new ConcurrentHashMap<>();

    private final Kernels kernels;
    private final Precision precision;

    public KernelInvoker(Kernels kernels, Precision precision) {
        this.kernels = kernels;
        this.precision = precision;
    }

    public Kernels kernels() {
        return kernels;
    }

    public Precision precision() {
        return precision;
    }

    /** Runs the operation and returns its result boxed (null for void operations). */
    public Object call(String operation, Object... args) {
        Method m = METHODS.computeIfAbsent(precision + " " + operation + "/" + args.length,
                key -> resolve(operation, args.length));
        Class<?>[] types = m.getParameterTypes();
        Object[] converted = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            converted[i] = convert(operation, i, types[i], args[i]);
        }
        try {
            return m.invoke(kernels, converted);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs an operation that returns a floating-point value. */
    public double value(String operation, Object... args) {
        return ((Number) call(operation, args)).doubleValue();
    }

    private Method resolve(String operation, int arity) {
        Class<?> array = precision == Precision.FLOAT ? float[].class : double[].class;
        List<Method> found = new ArrayList<>();
        for (Method m : Kernels.class.getMethods()) {
            if (!m.getName().equals(operation) || m.getParameterCount() != arity
                    || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            boolean hasArray = false;
            boolean matches = true;
            for (Class<?> t : m.getParameterTypes()) {
                if (t.isArray()) {
                    hasArray = true;
                    matches &= t == array;
                }
            }
            if (hasArray && matches) {
                found.add(m);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("test bug: " + found.size() + " Kernels methods match " + operation
                    + " with " + arity + " arguments in " + precision);
        }
        return found.get(0);
    }

    private Object convert(String operation, int position, Class<?> type, Object arg) {
        if (type.isArray()) {
            if (arg == null) {
                return null;
            }
            NumArray a = (NumArray) arg;
            if (a.precision() != precision) {
                throw new AssertionError("test bug: " + a.precision() + " array passed to " + precision + " "
                        + operation + " at position " + position);
            }
            return a.raw();
        }
        if (type == int.class) {
            if (!(arg instanceof Integer)) {
                throw new AssertionError("test bug: argument " + position + " of " + operation + " must be an int");
            }
            return arg;
        }
        if (type == float.class) {
            return ((Number) arg).floatValue();
        }
        if (type == double.class) {
            return ((Number) arg).doubleValue();
        }
        return arg;
    }
}
