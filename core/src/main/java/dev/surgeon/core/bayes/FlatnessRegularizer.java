package dev.surgeon.core.bayes;

import dev.surgeon.core.nn.Mask;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;

/**
 * Hochreiter and Schmidhuber's flatness regularizer B(w, X) and its gradient (Hochreiter and Schmidhuber 1997,
 * "Flat minima", section 3; METHODS E3). For a pattern x_p with outputs o^k (k = 1..K) and the L weights w_q of the
 * model (pruned ones excluded), with J_kq = ∂o^k/∂w_q:
 * <pre>
 * S_q = Σ_k J_kq² + ε₀,   c_k = Σ_q |J_kq| / √S_q,   C = Σ_k c_k²,
 * B(w, x_p) = ½ [ −L ln ε + Σ_q ln S_q + L ln C ],        B(w, X) = Σ_p B(w, x_p).
 * </pre>
 * The ½ is read as covering all three terms and the third term is kept (the 1997 journal form; METHODS E3 marks
 * both as recalled — the 1995 NIPS version keeps only the first two). ε only shifts B by a constant. ε₀ (default
 * 1e-6, {@code floor}, the value METHODS E3 suggests for the "log of a zero sensitivity" pitfall) keeps ln S_q finite
 * for a weight no output depends on, and bounds the push towards zero sensitivity: the first term's gradient
 * J/(J² + ε₀) vanishes for |J| ≪ √ε₀ instead of growing like 1/J. (With ε₀ = 1e-12 gradient descent on B was
 * unstable in the relevance experiment: sensitivities driven towards 0 give unbounded steps.)
 *
 * <h2>Gradient at backprop's order of cost</h2>
 * B depends on w only through the J_kq, so with v^k_q = ∂B/∂J_kq,
 * <pre>
 * v^k_q = J_kq / S_q + (L/C) [ c_k sign(J_kq) / √S_q − (J_kq / S_q^{3/2}) Σ_k' c_k' |J_k'q| ],
 * ∇_w B(w, x_p) = Σ_k H_{o^k} v^k,        H_{o^k} = ∇²_w o^k(x_p),
 * </pre>
 * and each Hessian-of-output product is one R-operator pass of the network on the pattern with the output itself as
 * the "loss" ({@link OutputCoordinate}: output gradient e_k, output Hessian 0, so Pearlmutter's R-backward keeps only
 * the second-derivative terms). Per pattern: one forward pass, K backward passes for the J^k rows, K
 * Hessian-vector products (each ≈ 2 forward + 2 backward passes): O(K·d), the paper's claim. The products run at
 * batch size 1 (every pattern has its own v^k), which suits the small networks FMS is for. Memory O(K·d).
 * Not thread-safe (it reuses one single-pattern workspace). Notation: docs/NOTATION.md.
 */
public final class FlatnessRegularizer {
    /** Default ε₀ added to every S_q. */
    public static final double DEFAULT_FLOOR = 1e-6;

    private final Network network;
    private final double logEpsilon;
    private final double floor;
    private final int outputs;
    private final int d;
    private final int inputSize;
    private final Workspace single;
    private final OutputCoordinate[] coordinates;
    private final float[] jacobian;
    private final float[] seeds;
    private final double[] directions;
    private final float[] direction;
    private final float[] product;
    private final double[] sensitivity;

    /**
     * @param epsilon the ε of the −L ln ε term (&gt; 0; constant, no effect on the gradient)
     * @param floor   ε₀ ≥ 0 added to every S_q
     */
    public FlatnessRegularizer(Network network, double epsilon, double floor) {
        if (!(epsilon > 0) || !(floor >= 0)) {
            throw new IllegalArgumentException("ε must be > 0 and ε₀ >= 0, got " + epsilon + " and " + floor);
        }
        this.network = network;
        this.logEpsilon = Math.log(epsilon);
        this.floor = floor;
        this.outputs = network.outputSize();
        this.d = network.parameterCount();
        this.inputSize = network.inputShape().size();
        this.single = network.workspace(1);
        this.coordinates = new OutputCoordinate[outputs];
        for (int k = 0; k < outputs; k++) {
            coordinates[k] = new OutputCoordinate(k);
        }
        this.jacobian = new float[outputs * d];
        this.seeds = new float[outputs];
        this.directions = new double[outputs * d];
        this.direction = new float[d];
        this.product = new float[d];
        this.sensitivity = new double[d];
    }

    /** B(w, x_p) summed over the batch loaded in {@code ws} (inputs only are read), at the network's weights. */
    public double value(Workspace ws, Mask mask) {
        return valueAndGradient(ws, mask, null);
    }

    /**
     * B summed over the batch in {@code ws} and, if {@code grad} is not null, its gradient Σ_p ∇_w B(w, x_p)
     * (d entries, overwritten; 0 at pruned parameters). The mask (null: none) removes parameters from the model.
     */
    public double valueAndGradient(Workspace ws, Mask mask, float[] grad) {
        if (ws.network() != network) {
            throw new IllegalArgumentException("the workspace belongs to another network");
        }
        if (grad != null) {
            network.layout().checkLength(grad, "gradient");
            java.util.Arrays.fill(grad, 0f);
        }
        int batch = ws.batch();
        int live = d - (mask == null ? 0 : mask.prunedCount());
        double total = 0;
        for (int p = 0; p < batch; p++) {
            System.arraycopy(ws.inputs(), p * inputSize, single.inputs(), 0, inputSize);
            single.setBatch(1);
            network.forward(single, false);
            for (int k = 0; k < outputs; k++) {
                java.util.Arrays.fill(seeds, 0f);
                seeds[k] = 1f;
                network.sampleGradients(single, seeds, 0, jacobian, k * d, d);
            }
            total += pattern(mask, live, grad != null);
            if (grad != null) {
                for (int k = 0; k < outputs; k++) {
                    for (int q = 0; q < d; q++) {
                        direction[q] = (float) directions[k * d + q];
                    }
                    network.hessianVectorProduct(single, coordinates[k], direction, product);
                    for (int q = 0; q < d; q++) {
                        grad[q] += product[q];
                    }
                }
                if (mask != null) {
                    mask.zeroPruned(grad);
                }
            }
        }
        return total;
    }

    /** B(w, x_p) from the J rows in {@code jacobian}; with {@code directions}, the v^k too. */
    private double pattern(Mask mask, int live, boolean withDirections) {
        double sumLog = 0;
        for (int q = 0; q < d; q++) {
            if (mask != null && mask.isPruned(q)) {
                sensitivity[q] = 0;
                continue;
            }
            double s = floor;
            for (int k = 0; k < outputs; k++) {
                double j = jacobian[k * d + q];
                s += j * j;
            }
            sensitivity[q] = s;
            sumLog += Math.log(s);
        }
        double[] c = new double[outputs];
        double cc = 0;
        for (int k = 0; k < outputs; k++) {
            double ck = 0;
            for (int q = 0; q < d; q++) {
                if (sensitivity[q] > 0) {
                    ck += Math.abs(jacobian[k * d + q]) / Math.sqrt(sensitivity[q]);
                }
            }
            c[k] = ck;
            cc += ck * ck;
        }
        if (withDirections) {
            double ratio = live / cc;
            for (int q = 0; q < d; q++) {
                double s = sensitivity[q];
                if (s == 0) {
                    for (int k = 0; k < outputs; k++) {
                        directions[k * d + q] = 0;
                    }
                    continue;
                }
                double root = Math.sqrt(s);
                double mixed = 0;
                for (int k = 0; k < outputs; k++) {
                    mixed += c[k] * Math.abs(jacobian[k * d + q]);
                }
                for (int k = 0; k < outputs; k++) {
                    double j = jacobian[k * d + q];
                    directions[k * d + q] = j / s + ratio * (c[k] * Math.signum(j) / root - j * mixed / (s * root));
                }
            }
        }
        return 0.5 * (-live * logEpsilon + sumLog + live * Math.log(cc));
    }

    /** The network this regularizer differentiates. */
    public Network network() {
        return network;
    }
}
