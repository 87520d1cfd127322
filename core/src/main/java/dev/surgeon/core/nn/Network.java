package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sequential network whose parameters are ONE flat {@code float[]} described by a {@link ParameterLayout}.
 * It computes forward and backward passes over a batch held in a {@link Workspace}, and the second-order
 * hooks that curvature, pruning and natural-gradient code is built on.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Batch loss L = s·Σ_n ℓ_n with s = {@link Loss#scale(int)} (1 for SUM, 1/B for MEAN). Methods taking a
 *       {@link Loss} return quantities of L: {@link #lossGradient}, {@link #hessianVectorProduct},
 *       {@link #gaussNewtonVectorProduct}, {@link #diagonalGaussNewton}, {@link #gaussNewtonDiagonal}.</li>
 *   <li>Methods taking output seeds (B × K rows, {@code seeds[off + n·K + k]}) are linear in the seeds and
 *       know nothing of the loss: {@link #vectorJacobianProduct}, {@link #sampleGradients},
 *       {@link #sumOfSquaredSampleGradients}, {@link #kroneckerStatistics}. Seeds built with
 *       {@link Loss#gradient} at scale 1 give per-sample quantities of ℓ_n (∇ℓ_n, δ_n); at data targets that
 *       is the empirical Fisher's, at {@link Loss#sampleTargets sampled targets} the true Fisher's.</li>
 *   <li>Every parameter-space output is a full d-vector (or d-wide row) that is overwritten, never
 *       accumulated; combine batches in your own (double) accumulators.</li>
 *   <li>All hooks act at the point of the last {@link #forward} on the workspace. Except
 *       {@link #lossGradient}, they require that forward to have been deterministic (evaluation mode, or no
 *       dropout), since curvature is defined for the deterministic network.</li>
 *   <li>Weight decay is not part of L; the optimizers apply it.</li>
 * </ul>
 *
 * <h2>Design note: building curvature operators on these hooks</h2>
 * An operator over a data source loads each batch ({@link Workspace#load}), runs {@code forward(ws, false)}
 * once, and then any number of hooks on that batch:
 * <ul>
 *   <li>Hessian (METHODS A1/A2): {@code hessianVectorProduct(ws, loss, v, hv)}, exact including φ'' terms
 *       and Λ; a dense Hessian is d such products with unit vectors (then symmetrized).</li>
 *   <li>Generalized Gauss-Newton (A3): {@code gaussNewtonVectorProduct(ws, loss, v, out)}.
 *       {@code jacobianVectorProduct} and {@code vectorJacobianProduct} give J v and Jᵀ u separately.</li>
 *   <li>Output seeds: {@code lossSeeds(ws, loss, null, seeds, 0)} gives the per-sample loss gradients at the
 *       data targets (empirical Fisher), {@code lossSeeds(ws, loss, random, seeds, 0)} at targets sampled
 *       from the model (true Fisher, seeded). For OBS's outer-product Hessian (1/P) Σ_n Σ_k ∂f_k/∂w ∂f_k/∂wᵀ
 *       use the unit seeds e_k (every row of seeds = e_k) once per output k: {@code sampleGradients} then
 *       yields the rows ∂f_{n,k}/∂w.</li>
 *   <li>Diagonals (A4): {@code gaussNewtonDiagonal} (exact, C = K linear backward passes per batch),
 *       {@code diagonalGaussNewton} (Becker–LeCun recursion, one pass; OBD's), diagonal empirical/true
 *       Fisher = {@code sumOfSquaredSampleGradients} with loss seeds (data or sampled targets).</li>
 *   <li>Dense Fisher, M-FAC, WoodFisher (A5, A8): {@code sampleGradients(ws, seeds, 0, g, gOff, ldg)} writes B
 *       per-sample gradient rows into an m × d matrix G (row stride ≥ d), ready for syrk / rowDots /
 *       rowCombination; {@code sampleGradients(ws, seeds, 0, from, to, g, gOff, ldg)} writes only the columns
 *       of a range of whole tensors (one layer), so G can be m × d_layer.</li>
 *   <li>K-FAC/KFC (A7): {@code kroneckerStatistics(ws, seeds, 0)} returns, per dense/conv layer, the input
 *       vectors h̄ (with the bias 1) and output gradients δ; {@link LayerStatistics#accumulateInputGram} and
 *       {@link LayerStatistics#accumulateGradientGram} add Σ h̄h̄ᵀ and Σ δδᵀ with one syrk each. With loss
 *       seeds at scale 1 the δ are per-sample (B·δ of a mean loss), as Γ requires.</li>
 *   <li>Layer-wise H = (2/N) X Xᵀ (A9, ExactOBS): {@code layerInputs(ws)} gives X (unfolded patches for
 *       convolutions) right after the forward pass, without any backward work; {@link LayerStatistics}
 *       describes the layout (strides) and {@code accumulateInputGram} computes X Xᵀ.</li>
 * </ul>
 * To average over N samples in several batches, weight each batch's result of a MEAN loss by B_i/N.
 * Workspaces and hooks are single-threaded; run one workspace per thread for parallel data sources.
 *
 * <h2>Initialization</h2>
 * PyTorch's default for Linear and Conv2d: every weight and bias ~ U(−1/√fan_in, 1/√fan_in), fan_in = inputs
 * per output (d_in, or c_in·k·k), drawn from one {@link SplittableRandom} seeded by the seed, tensor after
 * tensor in layout order.
 */
public final class Network {
    private final ArchitectureSpec spec;
    private final ParameterLayout layout;
    private final List<Layer> layers;
    private final float[] params;
    private final Kernels kernels;
    private final int firstParametric;
    private final boolean stochastic;

    private Network(ArchitectureSpec spec, Kernels kernels) {
        this.spec = spec;
        this.kernels = kernels;
        this.layout = ParameterLayout.of(spec);
        this.params = new float[layout.size()];
        List<Layer> list = new ArrayList<>();
        int first = spec.layers().size();
        boolean random = false;
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec l = spec.layers().get(i);
            Shape in = spec.shapeBefore(i);
            Shape out = spec.shapeBefore(i + 1);
            List<ParameterTensor> p = layout.tensorsOf(i);
            Layer layer = switch (l.kind()) {
                case DENSE -> new Dense(i, l, in, out, p.get(0), p.size() > 1 ? p.get(1) : null);
                case CONV -> new Conv2d(i, l, in, out, p.get(0), p.size() > 1 ? p.get(1) : null);
                case MAXPOOL -> new MaxPool2d(i, l, in, out);
                case AVGPOOL -> new AvgPool2d(i, l, in, out);
                case FLATTEN -> new Flatten(i, l, in, out);
                case RELU -> new ReLU(i, l, in);
                case TANH -> new Tanh(i, l, in);
                case SIGMOID -> new Sigmoid(i, l, in);
                case DROPOUT -> new Dropout(i, l, in);
            };
            if (layer.hasParameters() && first == spec.layers().size()) {
                first = i;
            }
            random |= layer instanceof Dropout d && d.isStochastic();
            list.add(layer);
        }
        this.layers = List.copyOf(list);
        this.firstParametric = first;
        this.stochastic = random;
    }

    /** A network for the spec, initialized with the seed, computing with {@link Kernels#get()}. */
    public static Network create(ArchitectureSpec spec, long seed) {
        return create(spec, seed, Kernels.get());
    }

    /** A network for the spec, initialized with the seed, computing with the given kernels. */
    public static Network create(ArchitectureSpec spec, long seed, Kernels kernels) {
        Network n = new Network(spec, kernels);
        n.initialize(seed);
        return n;
    }

    /** Parses a spec line or preset name ({@link ArchitectureSpec#parse}) and creates the network. */
    public static Network create(String spec, long seed) {
        return create(ArchitectureSpec.parse(spec), seed);
    }

    /** Re-initializes all parameters (see the class documentation). */
    public void initialize(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (ParameterTensor t : layout.tensors()) {
            // fan_in = inputs per output = columns of the layer's weight viewed as [out, d_col].
            double bound = 1 / Math.sqrt(layers.get(t.layerIndex()).parameters().get(0).columns());
            for (int q = t.offset(); q < t.end(); q++) {
                params[q] = (float) ((2 * random.nextDouble() - 1) * bound);
            }
        }
    }

    /** A network with the same spec and a copy of the parameters, computing with the given kernels. */
    public Network copy(Kernels kernels) {
        Network n = new Network(spec, kernels);
        System.arraycopy(params, 0, n.params, 0, params.length);
        return n;
    }

    /**
     * A smaller network without the hidden units whose removal cannot change the function (see {@link HiddenUnits}):
     * units whose outgoing weights are all exactly 0, or whose row and bias are exactly 0 ahead of zero-preserving
     * layers. Their rows, biases and input columns of the next layer are dropped, the spec gets the smaller widths,
     * and the result saves and loads as an ordinary model file. Its outputs equal this network's up to the summation
     * order of non-zero terms (bit-identical with the scalar kernels). Same kernels; this network is unchanged.
     */
    public Network shrink() {
        return Shrinker.shrink(this);
    }

    public ArchitectureSpec spec() {
        return spec;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The live flat parameter vector (d entries, see {@link #layout()}); writes change the network. */
    public float[] parameters() {
        return params;
    }

    /** d, the number of parameters. */
    public int parameterCount() {
        return params.length;
    }

    public List<Layer> layers() {
        return layers;
    }

    public Kernels kernels() {
        return kernels;
    }

    public Shape inputShape() {
        return spec.inputShape();
    }

    /** K, the number of outputs per sample. */
    public int outputSize() {
        return spec.outputShape().size();
    }

    /** Index of the first layer with parameters (layers before it need no backward pass). */
    int firstParametricLayer() {
        return firstParametric;
    }

    /** A workspace for batches of up to {@code capacity} samples. */
    public Workspace workspace(int capacity) {
        return new Workspace(this, capacity, kernels);
    }

    /**
     * A workspace whose passes compute with {@code kernels} instead of the network's: a single-threaded view for a
     * caller that runs several workspaces in parallel (data-parallel training), so that the two levels of
     * parallelism do not stack.
     */
    public Workspace workspace(int capacity, Kernels kernels) {
        return new Workspace(this, capacity, java.util.Objects.requireNonNull(kernels, "kernels"));
    }

    // ------------------------------------------------------------------------------------------------
    // First order

    /**
     * Forward pass over the workspace's batch. {@code training} enables dropout.
     *
     * @return the output rows (the workspace's {@link Workspace#outputs()} array; B × K valid)
     */
    public float[] forward(Workspace ws, boolean training) {
        int batch = batchOf(ws);
        for (int l = 0; l < layers.size(); l++) {
            if (poolFollows(l)) {
                ((Conv2d) layers.get(l)).forwardThenPool(ws.states[l], batch, params, (MaxPool2d) layers.get(l + 1),
                        ws.states[l + 1]);
                l++;
                continue;
            }
            layers.get(l).forward(ws.states[l], batch, params, training);
        }
        ws.markForward(training && stochastic);
        return ws.outputs();
    }

    /** The batch loss L at the last forward pass against the workspace's targets. */
    public double loss(Workspace ws, Loss loss) {
        requireForward(ws);
        loss.checkOutputs(outputSize());
        return loss.value(ws.outputs(), ws.targets(), ws.batch(), outputSize());
    }

    /**
     * L and its gradient ∇L (into {@code grad}, d entries, overwritten) at the last forward pass. After a
     * training-mode forward this is the gradient through the sampled dropout masks. Only the gradient is returned: the
     * pass may leave inner signals stale (every method that reads them runs its own backward pass).
     */
    public double lossGradient(Workspace ws, Loss loss, float[] grad) {
        double value = loss(ws, loss);
        layout.checkLength(grad, "gradient");
        int batch = ws.batch();
        loss.gradient(ws.outputs(), ws.targets(), batch, outputSize(), loss.scale(batch), ws.outputGradient(), 0);
        backward(ws, grad, false);
        return value;
    }

    /** {@link #forward} then {@link #lossGradient}: one training step's worth of work. */
    public double lossAndGradient(Workspace ws, Loss loss, float[] grad, boolean training) {
        forward(ws, training);
        return lossGradient(ws, loss, grad);
    }

    /** Back-propagates the seed in the output-gradient buffer; grad may be null (signals only). */
    private void backward(Workspace ws, float[] grad) {
        backward(ws, grad, true);
    }

    /**
     * The backward pass; without {@code keepSignals} (a training step's {@link #lossGradient}, which only returns the
     * gradient) a layer may leave its inner signals stale where that saves memory traffic ({@link
     * Conv2d#backwardThroughPool}). Every method that reads signals runs its own backward pass with them kept.
     */
    void backward(Workspace ws, float[] grad, boolean keepSignals) {
        int batch = ws.batch();
        for (int l = layers.size() - 1; l >= firstParametric; l--) {
            if (l - 1 >= firstParametric && poolFollows(l - 1)) {
                ((Conv2d) layers.get(l - 1)).backwardThroughPool(ws.states[l - 1], batch, params, grad,
                        (MaxPool2d) layers.get(l), ws.states[l], keepSignals);
                l--;
                continue;
            }
            layers.get(l).backward(ws.states[l], batch, params, grad);
        }
    }

    /**
     * Whether layer l is a convolution that runs the max pooling layer after it block by block inside its own forward
     * and backward passes ({@link Conv2d#fusesWithPool}): the same results, with the convolution's output and its
     * gradient still in cache when the pooling layer reads them.
     */
    private boolean poolFollows(int l) {
        return l + 1 < layers.size() && layers.get(l) instanceof Conv2d conv && conv.fusesWithPool()
                && layers.get(l + 1) instanceof MaxPool2d;
    }

    // ------------------------------------------------------------------------------------------------
    // Jacobian products

    /**
     * R-forward pass: the directional derivative of the outputs, {@code out[outOff + n·K + k] = (J_n v)_k}
     * for every sample of the batch (Pearlmutter 1994; METHODS A2 forward recurrences).
     */
    public void jacobianVectorProduct(Workspace ws, float[] v, float[] out, int outOff) {
        checkRows(out, outOff, ws.batch(), "J v output");
        rForward(ws, v);
        System.arraycopy(ws.rOutput(), 0, out, outOff, ws.batch() * outputSize());
    }

    /**
     * {@code out = Σ_n J_nᵀ seeds_n}: back-propagation of arbitrary output seeds ({@code seeds[seedOff + n·K + k]})
     * through the network linearized at the last forward pass. out: d entries, overwritten.
     */
    public void vectorJacobianProduct(Workspace ws, float[] seeds, int seedOff, float[] out) {
        layout.checkLength(out, "output vector");
        seedBackward(ws, seeds, seedOff);
        backward(ws, out);
    }

    private void seedBackward(Workspace ws, float[] seeds, int seedOff) {
        requireDeterministic(ws);
        checkRows(seeds, seedOff, ws.batch(), "output seeds");
        System.arraycopy(seeds, seedOff, ws.outputGradient(), 0, ws.batch() * outputSize());
    }

    /** Throws unless {@code a[off, off + batch·K)} exists. */
    private void checkRows(float[] a, int off, int batch, String what) {
        if (off < 0 || (long) off + (long) batch * outputSize() > a.length) {
            throw new IllegalArgumentException(what + ": " + batch + " rows of " + outputSize() + " values at offset "
                    + off + " do not fit an array of " + a.length);
        }
    }

    private void rForward(Workspace ws, float[] v) {
        requireDeterministic(ws);
        layout.checkLength(v, "direction v");
        ws.ensureSecondOrder();
        int batch = ws.batch();
        for (int l = firstParametric; l < layers.size(); l++) {
            layers.get(l).rForward(ws.states[l], batch, params, v);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Curvature products

    /**
     * Exact Hessian-vector product {@code hv = ∇²L · v} by Pearlmutter's R-operator (1994, "Fast exact
     * multiplication by the Hessian"; METHODS A2): an ordinary backward pass of ∇L, the R-forward pass
     * R{z} = V h + W R{h} + c, R{∂L/∂f} = Λ R{f} at the output, and the R-backward pass with the φ'' terms.
     * A sigmoid output under squared error is handled as the hidden layer it is (A2 step 4). Cost ≈ 2
     * forward + 2 backward passes. hv: d entries, overwritten.
     */
    public void hessianVectorProduct(Workspace ws, Loss loss, float[] v, float[] hv) {
        requireDeterministic(ws);
        layout.checkLength(hv, "output vector");
        int batch = ws.batch();
        int k = outputSize();
        float scale = loss.scale(batch);
        loss.checkOutputs(k);
        loss.gradient(ws.outputs(), ws.targets(), batch, k, scale, ws.outputGradient(), 0);
        backward(ws, null);
        rForward(ws, v);
        loss.hessianProduct(ws.outputs(), ws.targets(), ws.rOutput(), 0, batch, k, scale, ws.rOutputGradient(), 0);
        for (int l = layers.size() - 1; l >= firstParametric; l--) {
            layers.get(l).rBackward(ws.states[l], batch, params, v, hv);
        }
    }

    /**
     * Generalized Gauss-Newton product {@code out = G v = s·Σ_n J_nᵀ Λ_n J_n v} (Schraudolph 2002, "Fast
     * curvature matrix-vector products for second-order gradient descent"; METHODS A3): R-forward for J v,
     * Λ at the output, one linear backward pass. Positive semi-definite. out: d entries, overwritten.
     */
    public void gaussNewtonVectorProduct(Workspace ws, Loss loss, float[] v, float[] out) {
        layout.checkLength(out, "output vector");
        loss.checkOutputs(outputSize());
        rForward(ws, v);
        int batch = ws.batch();
        loss.hessianProduct(ws.outputs(), ws.targets(), ws.rOutput(), 0, batch, outputSize(), loss.scale(batch),
                ws.outputGradient(), 0);
        backward(ws, out);
    }

    /**
     * Becker &amp; LeCun (1988, "Improving the convergence of back-propagation learning with second-order
     * methods") diagonal second-order back-propagation, as used by Optimal Brain Damage (LeCun, Denker &amp;
     * Solla 1990; METHODS A4.3): diag(Λ) at the output, ∂²/∂z² ≈ φ'² ∂²/∂h² through activations,
     * ∂²/∂h_i² ≈ Σ_k W_ki² ∂²/∂z_k² through weights, ∂²/∂W_ij² = ∂²/∂z_i² h_j² (summed over shared uses).
     * Off-diagonal terms are dropped at every layer, so this approximates diag(G) (exact only for chains of
     * single units).
     *
     * @param secondDerivativeTerms false: the Gauss-Newton recursion (never negative); true: add the
     *                              φ''·∂L/∂h terms of activations (the "exact diagonal" variant, may be negative)
     * @param diag                  d entries, overwritten
     */
    public void diagonalGaussNewton(Workspace ws, Loss loss, boolean secondDerivativeTerms, float[] diag) {
        requireDeterministic(ws);
        layout.checkLength(diag, "diagonal");
        ws.ensureSecondOrder();
        int batch = ws.batch();
        int k = outputSize();
        float scale = loss.scale(batch);
        loss.checkOutputs(k);
        if (secondDerivativeTerms) {
            loss.gradient(ws.outputs(), ws.targets(), batch, k, scale, ws.outputGradient(), 0);
            backward(ws, null);
        }
        loss.hessianDiagonal(ws.outputs(), ws.targets(), batch, k, scale, ws.rOutputGradient(), 0);
        for (int l = layers.size() - 1; l >= firstParametric; l--) {
            layers.get(l).diagonalBackward(ws.states[l], batch, params, secondDerivativeTerms, diag);
        }
    }

    /**
     * Exact diagonal of the generalized Gauss-Newton matrix, diag(s·Σ_n J_nᵀ Λ_n J_n) (METHODS A4.1):
     * factor Λ_n = S_n S_nᵀ and back-propagate each of the C columns of S as output seeds, accumulating the
     * squared per-sample gradients. Cost: C linear backward passes (C = K for the losses here). diag: d
     * entries, overwritten.
     */
    public void gaussNewtonDiagonal(Workspace ws, Loss loss, float[] diag) {
        requireDeterministic(ws);
        layout.checkLength(diag, "diagonal");
        int batch = ws.batch();
        int k = outputSize();
        loss.checkOutputs(k);
        int columns = loss.factorColumns(k);
        float[] factor = ws.factorBuffer(columns);
        loss.hessianFactor(ws.outputs(), ws.targets(), batch, k, loss.scale(batch), factor, 0);
        Arrays.fill(diag, 0f);
        for (int c = 0; c < columns; c++) {
            seedBackward(ws, factor, c * batch * k);
            accumulateSquares(ws, diag);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Per-sample quantities

    /**
     * Per-sample gradients for the given output seeds: row n of G ({@code g[gOff + n·ldg + q]}, q &lt; d) is
     * J_nᵀ seeds_n, i.e. ∇ℓ_n when the seeds are per-sample loss gradients (scale 1). One backward pass over the
     * batch, then dense layers write the outer products δ_n h_nᵀ and convolutions one gemm Δ_n X_nᵀ per
     * sample; no per-sample network pass. The rows sum (times the loss scale) to the batch gradient.
     */
    public void sampleGradients(Workspace ws, float[] seeds, int seedOff, float[] g, int gOff, int ldg) {
        sampleGradients(ws, seeds, seedOff, 0, params.length, g, gOff, ldg);
    }

    /**
     * Per-sample gradients restricted to the flat range {@code [from, to)}, which must cover whole layers
     * (each layer's weight and bias together, see {@link ParameterLayout}): entry q of row n goes to
     * {@code g[gOff + n·ldg + (q − from)]}, so G needs only {@code to − from} columns (M-FAC, WoodFisher or a
     * dense Fisher of one layer).
     *
     * @throws IllegalArgumentException if the range cuts a tensor or a layer, or G does not hold the block
     */
    public void sampleGradients(Workspace ws, float[] seeds, int seedOff, int from, int to, float[] g, int gOff, int ldg) {
        int batch = ws.batch();
        if (from < 0 || to > params.length || from >= to || !onTensorBoundary(from) || !onTensorBoundary(to)) {
            throw new IllegalArgumentException("[" + from + ", " + to + ") is not a non-empty union of whole tensors of "
                    + layout);
        }
        int width = to - from;
        if (ldg < width) {
            throw new IllegalArgumentException("row stride " + ldg + " is smaller than the " + width + " columns");
        }
        if (gOff < 0 || (long) gOff + (long) (batch - 1) * ldg + width > g.length) {
            throw new IllegalArgumentException("a " + batch + " × " + width + " gradient block at offset "
                    + gOff + " with row stride " + ldg + " does not fit an array of " + g.length);
        }
        for (int i = firstParametric; i < layers.size(); i++) {
            List<ParameterTensor> p = layers.get(i).parameters();
            if (p.isEmpty()) {
                continue;
            }
            int begin = p.get(0).offset();
            int end = p.get(p.size() - 1).end();
            if (begin < to && end > from && (begin < from || end > to)) {
                // A layer computes its weight and bias columns together; writing half of them is not possible.
                throw new IllegalArgumentException("[" + from + ", " + to + ") splits the parameters of layer " + i
                        + " (" + p.stream().map(ParameterTensor::name).toList() + " at [" + begin + ", " + end
                        + ")); per-sample gradients are written for whole layers");
            }
        }
        seedBackward(ws, seeds, seedOff);
        backward(ws, null);
        for (int i = firstParametric; i < layers.size(); i++) {
            List<ParameterTensor> p = layers.get(i).parameters();
            if (!p.isEmpty() && p.get(0).offset() >= from && p.get(p.size() - 1).end() <= to) {
                // Layers write at their global offsets; shifting the base by −from moves the range to column 0.
                layers.get(i).sampleGradients(ws.states[i], batch, g, gOff - from, ldg);
            }
        }
    }

    private boolean onTensorBoundary(int q) {
        if (q == params.length) {
            return true;
        }
        return layout.tensorAt(q).offset() == q;
    }

    /**
     * {@code out[q] = Σ_n (J_nᵀ seeds_n)_q²}: the sum of squared per-sample gradients (diagonal empirical
     * Fisher times N with data-target seeds, Monte-Carlo diagonal Fisher with sampled-target seeds), without
     * materializing the per-sample gradients for dense layers. out: d entries, overwritten.
     */
    public void sumOfSquaredSampleGradients(Workspace ws, float[] seeds, int seedOff, float[] out) {
        layout.checkLength(out, "output vector");
        seedBackward(ws, seeds, seedOff);
        Arrays.fill(out, 0f);
        accumulateSquares(ws, out);
    }

    /** Backward of the seed already in place, then squared per-sample gradients added into acc. */
    private void accumulateSquares(Workspace ws, float[] acc) {
        backward(ws, null);
        for (int i = firstParametric; i < layers.size(); i++) {
            layers.get(i).accumulateSquaredSampleGradients(ws.states[i], ws.batch(), acc);
        }
    }

    /**
     * K-FAC / KFC statistics (Martens &amp; Grosse 2015; Grosse &amp; Martens 2016; METHODS A7): back-propagates
     * the output seeds and returns, for every dense and conv layer in order, its input vectors h̄ (with the
     * bias 1 appended, unfolded patches for convolutions) and output gradients δ — see {@link LayerStatistics}.
     * The views are owned by the workspace and valid until its next pass.
     */
    public List<LayerStatistics> kroneckerStatistics(Workspace ws, float[] seeds, int seedOff) {
        seedBackward(ws, seeds, seedOff);
        backward(ws, null);
        return fillStatistics(ws, true);
    }

    /**
     * The inputs of every dense and conv layer at the last forward pass, one vector per sample (per sample
     * and output position for convolutions: the unfolded patches), without the bias entry: the X of the
     * layer-wise Hessian H = (2/N) X Xᵀ (ExactOBS, METHODS A9). Views valid until the workspace's next pass.
     */
    public List<LayerStatistics> layerInputs(Workspace ws) {
        requireForward(ws);
        return fillStatistics(ws, false);
    }

    private List<LayerStatistics> fillStatistics(Workspace ws, boolean kronecker) {
        List<LayerStatistics> views = ws.statistics();
        for (int i = 0; i < views.size(); i++) {
            Layer l = views.get(i).layer();
            l.statistics(ws.states[l.index()], ws.batch(), kronecker, views.get(i));
        }
        return ws.statistics();
    }

    /**
     * The per-sample loss gradients at the last forward pass as output seeds (scale 1, {@code seeds} B × K):
     * against the workspace's targets when {@code random} is null, or against targets sampled from the model
     * with {@code random} (true Fisher, METHODS A5).
     */
    public void lossSeeds(Workspace ws, Loss loss, java.util.SplittableRandom random, float[] seeds, int seedOff) {
        requireDeterministic(ws);
        int batch = ws.batch();
        int k = outputSize();
        loss.checkOutputs(k);
        checkRows(seeds, seedOff, batch, "output seeds");
        float[] t = ws.targets();
        if (random != null) {
            t = ws.sampledTargets();
            loss.sampleTargets(ws.outputs(), batch, k, random, t, 0);
        }
        loss.gradient(ws.outputs(), t, batch, k, 1f, seeds, seedOff);
    }

    // ------------------------------------------------------------------------------------------------
    // Checks

    private int batchOf(Workspace ws) {
        if (ws.network() != this) {
            throw new IllegalArgumentException("the workspace belongs to another network");
        }
        if (ws.batch() == 0) {
            throw new IllegalStateException("the workspace holds no batch; call load(...) or setBatch(...) first");
        }
        return ws.batch();
    }

    private void requireForward(Workspace ws) {
        batchOf(ws);
        if (!ws.forwardDone()) {
            throw new IllegalStateException("no forward pass on the current batch; call forward(ws, ...) first");
        }
    }

    private void requireDeterministic(Workspace ws) {
        requireForward(ws);
        if (ws.stochasticForward()) {
            throw new IllegalStateException("the last forward pass sampled dropout masks; curvature and Jacobian "
                    + "passes need an evaluation-mode forward: call forward(ws, false) first");
        }
    }

    @Override
    public String toString() {
        return spec + " (" + params.length + " parameters)";
    }
}
