package dev.surgeon.kernels.parity;

import dev.surgeon.kernels.*;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One kernel call run twice on identical inputs: by the candidate and by the reference provider
 * ({@link Parity#reference}). The operands it writes are declared with the cells it may write; after the
 * candidate's run the call asserts that inputs are bit-for-bit untouched and that nothing outside the
 * writable cells of an output changed (padding, the other triangle, …). Afterwards every operand holds
 * its original contents again, so that the caller computes the exact result from the inputs it built,
 * and each provider's result is available as a copy in the {@link Outcome}.
 */
public final class KernelCall {
    private final String operation;
    private final Object[] args;
    private final List<Operand> outputs = new ArrayList<>();
    private final List<Operand.Cells> writable = new ArrayList<>();
    private final List<Operand> inputs = new ArrayList<>();
    private boolean withReference = true;

    public KernelCall(String operation, Object... args) {
        this.operation = operation;
        this.args = args;
    }

    /** Declares an operand the operation writes, and the cells of its block it may change. */
    public KernelCall writes(Operand o, Operand.Cells cells) {
        outputs.add(o);
        writable.add(cells);
        return this;
    }

    /** Declares operands the operation only reads. */
    public KernelCall reads(Operand... operands) {
        for (Operand o : operands) {
            if (o != null) {
                inputs.add(o);
            }
        }
        return this;
    }

    /**
     * Skips the reference run, for sizes where the caller compares with the reference on a part of the
     * problem only (a 1000³ gemm on the scalar provider costs seconds).
     */
    public KernelCall candidateOnly() {
        withReference = false;
        return this;
    }

    /** Runs the candidate (with the checks above) and then the reference, restoring the operands after each. */
    public Outcome run(Kernels candidate, Precision p) {
        Map<NumArray, NumArray> original = new IdentityHashMap<>();
        for (Operand o : outputs) {
            original.putIfAbsent(o.data, o.data.copy());
        }
        for (Operand o : inputs) {
            original.putIfAbsent(o.data, o.data.copy());
        }
        Object value = new KernelInvoker(candidate, p).call(operation, args);
        for (Operand o : inputs) {
            if (!isOutputArray(o.data)) {
                o.assertUntouched(view(o, original.get(o.data)), operation + ": input " + o);
            }
        }
        for (int i = 0; i < outputs.size(); i++) {
            Operand o = outputs.get(i);
            o.assertUntouchedOutside(view(o, original.get(o.data)), writable.get(i), operation + ": output " + o);
        }
        Map<Operand, Operand> candidateResults = snapshot();
        restore(original);

        KernelInvoker ref = withReference ? Parity.reference(candidate, p) : null;
        Object refValue = null;
        Map<Operand, Operand> referenceResults = null;
        if (ref != null) {
            refValue = ref.call(operation, args);
            referenceResults = snapshot();
            restore(original);
        }
        return new Outcome(candidateResults, referenceResults, value, refValue);
    }

    private boolean isOutputArray(NumArray a) {
        for (Operand o : outputs) {
            if (o.data == a) {
                return true;
            }
        }
        return false;
    }

    private Map<Operand, Operand> snapshot() {
        Map<Operand, Operand> out = new IdentityHashMap<>();
        for (Operand o : outputs) {
            out.put(o, o.copy());
        }
        return out;
    }

    private static void restore(Map<NumArray, NumArray> original) {
        original.forEach(NumArray::restoreFrom);
    }

    private static Operand view(Operand o, NumArray data) {
        return new Operand(data, o.off, o.rows, o.cols, o.ld);
    }

    /** The results of both runs. */
    public static final class Outcome {
        private final Map<Operand, Operand> candidate;
        private final Map<Operand, Operand> reference;
        private final Object value;
        private final Object referenceValue;

        Outcome(Map<Operand, Operand> candidate, Map<Operand, Operand> reference, Object value, Object referenceValue) {
            this.candidate = candidate;
            this.reference = reference;
            this.value = value;
            this.referenceValue = referenceValue;
        }

        /** The candidate's version of an output operand. */
        public Operand candidate(Operand output) {
            return candidate.get(output);
        }

        /** Whether check (a) applies (the candidate is not the reference itself). */
        public boolean hasReference() {
            return reference != null;
        }

        /** The reference's version of an output operand (only if {@link #hasReference()}). */
        public Operand reference(Operand output) {
            return reference.get(output);
        }

        /** The candidate's return value (boxed). */
        public Object value() {
            return value;
        }

        /** The reference's return value (boxed; only if {@link #hasReference()}). */
        public Object referenceValue() {
            return referenceValue;
        }

        /**
         * Checks an output against the exact values (b) and against the reference (a), both with two
         * bounds (see {@link Parity}).
         */
        public void assertOutput(String what, Operand output, Expected expected) {
            expected.assertMatches(what + " vs float64", candidate(output), Parity.TWO_BOUNDS);
            if (hasReference()) {
                expected.assertAgree(what + " vs scalar", candidate(output), reference(output), Parity.TWO_BOUNDS);
            }
        }
    }
}
