package dev.surgeon.core.curvature;

import static dev.surgeon.core.curvature.Dense.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Block partitions (METHODS A6) and block-diagonal operators against the dense matrix they approximate. */
class BlockDiagonalTest {

    @Test
    void fixedSizeBlocksNeverStraddleLayersAndTheLastChunkIsShorter() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 2, 41);
        // fc1: 12 weights + 4 biases = 16 coordinates; fc2: 12 + 3 = 15.
        BlockPartition all = BlockPartition.fixedSize(ParameterSubset.all(tn.net.layout()), 5);
        assertEquals(List.of(0, 5, 10, 15, 16, 21, 26), starts(all));
        assertEquals(31, all.dim());
        assertEquals("fc1[15:16)", all.blocks().get(3).label());
        BlockPartition weights = BlockPartition.fixedSize(ParameterSubset.weights(tn.net.layout()), 5);
        assertEquals(List.of(0, 5, 10, 12, 17, 22), starts(weights));
        assertEquals(List.of(0, 16), starts(BlockPartition.perLayer(ParameterSubset.all(tn.net.layout()))));
        assertThrows(IllegalArgumentException.class, () -> BlockPartition.fixedSize(weights.dim(), 0));
    }

    private static List<Integer> starts(BlockPartition p) {
        return p.blocks().stream().map(BlockPartition.Block::from).toList();
    }

    @Test
    void blocksAreTheDiagonalBlocksOfTheDenseMatrixAndInvertIndependently() {
        TestNets tn = TestNets.of("in(3) dense(4) tanh dense(3)", "cross-entropy-mean", 6, 42);
        Curvature c = tn.curvature(4).subset(ParameterSubset.weights(tn.net.layout()));
        Damping damping = Damping.absolute(1e-2);
        double[] dense = c.dense(Gradients.empiricalFisher(), damping, DenseInverseMethod.CHOLESKY).toDense();
        int d = c.subset().dim();
        for (BlockPartition p : new BlockPartition[] {BlockPartition.perLayer(c.subset()), BlockPartition.fixedSize(c.subset(), 5)}) {
            BlockDiagonalOperator b = c.blockDiagonal(Gradients.empiricalFisher(), p, damping);
            double[] expected = new double[d * d];
            double[] expectedInverse = new double[d * d];
            for (BlockPartition.Block blk : p.blocks()) {
                int n = blk.size();
                double[][] sub = new double[n][n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        sub[i][j] = dense[(blk.from() + i) * d + blk.from() + j];
                        expected[(blk.from() + i) * d + blk.from() + j] = sub[i][j];
                    }
                }
                double[][] inv = Dense.inverse(sub);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        expectedInverse[(blk.from() + i) * d + blk.from() + j] = inv[i][j];
                    }
                }
            }
            // Same float rows, summed by a syrk per block instead of one over all columns: double rounding only.
            assertClose(expected, b.toDense(), 1e-13, 1e-10, "blocks of " + p);
            double[] v = Dense.random(d, 3);
            double[] out = new double[d];
            b.inverseMultiply(v, out);
            double scale = Dense.maxAbs(expectedInverse);
            assertClose(Dense.multiply(Dense.square(expectedInverse, d), v), out, 1e-10 * scale, 0, "block inverse");
            assertClose(Dense.diagonal(Dense.square(expectedInverse, d)), b.inverseDiagonal(), 1e-10 * scale, 0, "diag");
            b.multiply(v, out);
            assertClose(Dense.multiply(Dense.square(expected, d), v), out, 1e-12, 1e-10, "block product");
            assertClose(Dense.diagonal(Dense.square(expected, d)), b.diagonal(), 1e-13, 1e-10, "block diagonal");
            assertEquals(p.size(), b.dampingUsed().size());
            assertEquals(p.blocks().get(0).label(), b.dampingUsed().get(0).block());
        }
    }
}
