package dev.surgeon.core.nn;

import dev.surgeon.kernels.Kernels;
import java.util.SplittableRandom;

/**
 * A small network with a random batch loaded and forwarded (evaluation mode), plus the same point in float64
 * for {@link ReferenceNetwork}: inputs U(−1, 1); targets one-hot random labels (cross-entropy), random 0/1
 * (binary cross-entropy) or U(0, 1) (squared error).
 */
public final class Fixture {
    public final Network net;
    public final Workspace ws;
    public final ReferenceNetwork ref;
    public final Loss loss;
    public final String lossName;
    public final int batch;
    public final double[] x;
    public final double[] t;

    private Fixture(String spec, String lossName, int batch, long seed, Kernels kernels) {
        this.net = Network.create(ArchitectureSpec.parse(spec), seed, kernels);
        this.ref = new ReferenceNetwork(net.spec());
        this.loss = Loss.named(lossName);
        this.lossName = loss.name();
        this.batch = batch;
        this.ws = net.workspace(batch);
        int in = net.inputShape().size();
        int k = net.outputSize();
        float[] inputs = ReferenceNetwork.randomFloats(batch * in, seed + 1, 1.0);
        System.arraycopy(inputs, 0, ws.inputs(), 0, inputs.length);
        SplittableRandom r = new SplittableRandom(seed + 2);
        float[] targets = ws.targets();
        for (int n = 0; n < batch; n++) {
            if (lossName.startsWith("cross-entropy")) {
                targets[n * k + r.nextInt(k)] = 1f;
            } else {
                for (int j = 0; j < k; j++) {
                    targets[n * k + j] = lossName.startsWith("bce") ? r.nextInt(2) : (float) r.nextDouble();
                }
            }
        }
        ws.setBatch(batch);
        net.forward(ws, false);
        this.x = ReferenceNetwork.toDouble(ws.inputs(), batch * in);
        this.t = ReferenceNetwork.toDouble(targets, batch * k);
    }

    public static Fixture of(String spec, String lossName, int batch, long seed) {
        return new Fixture(spec, lossName, batch, seed, Kernels.scalar());
    }

    /** The same fixture computing with {@code kernels} (e.g. the Vector provider) instead of the scalar one. */
    public static Fixture of(String spec, String lossName, int batch, long seed, Kernels kernels) {
        return new Fixture(spec, lossName, batch, seed, kernels);
    }

    public int d() {
        return net.parameterCount();
    }

    public double[] w() {
        return ReferenceNetwork.toDouble(net.parameters());
    }

    public float[] gradient() {
        float[] g = new float[d()];
        net.lossGradient(ws, loss, g);
        return g;
    }

    public float[] hessianVectorProduct(float[] v) {
        float[] hv = new float[d()];
        net.hessianVectorProduct(ws, loss, v, hv);
        return hv;
    }

    public double[] referenceGradient() {
        return ref.gradient(lossName, w(), x, t, batch);
    }

    public double[][] referenceHessian() {
        return ref.hessian(lossName, w(), x, t, batch);
    }

    public double[][] referenceJacobian() {
        return ref.jacobian(w(), x, batch);
    }
}
