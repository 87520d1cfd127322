package dev.surgeon.core.optim;

import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.core.nn.Network;
import dev.surgeon.core.nn.Workspace;

/**
 * The batch a {@link CurvatureOptimizer} measures on. Curvature hooks need a deterministic forward pass; when the
 * network has active dropout, or when the loss must be evaluated at other weights without disturbing the trainer's
 * workspace (whose outputs it reads after the step), the batch is copied into a workspace of the optimizer's own.
 */
final class CurvatureBatch {
    private final Network network;
    private final boolean stochastic;
    private Workspace own;

    CurvatureBatch(Network network) {
        this.network = network;
        boolean dropout = false;
        for (LayerSpec l : network.spec().layers()) {
            dropout |= l.kind() == LayerSpec.Kind.DROPOUT && l.rate() > 0;
        }
        this.stochastic = dropout;
    }

    /** The workspace to run curvature passes on: {@code ws} itself, or an evaluation-mode copy of its batch. */
    Workspace deterministic(Workspace ws) {
        if (ws.network() != network) {
            throw new IllegalArgumentException("the workspace belongs to another network than the optimizer's");
        }
        if (!stochastic) {
            return ws;
        }
        Workspace w = copy(ws);
        network.forward(w, false);
        return w;
    }

    /** The batch loss of {@code ws}'s batch at the network's current weights, on the own copy (evaluation mode). */
    double loss(Workspace ws, Loss loss) {
        Workspace w = copy(ws);
        network.forward(w, false);
        return network.loss(w, loss);
    }

    private Workspace copy(Workspace ws) {
        if (own == null || own.capacity() < ws.batch()) {
            own = network.workspace(ws.capacity());
        }
        int b = ws.batch();
        System.arraycopy(ws.inputs(), 0, own.inputs(), 0, b * network.inputShape().size());
        System.arraycopy(ws.targets(), 0, own.targets(), 0, b * network.outputSize());
        own.setBatch(b);
        return own;
    }
}
