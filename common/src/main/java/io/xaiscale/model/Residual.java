package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import java.util.List;

/**
 * A residual join: the sum of a main branch and a shortcut branch (identity or a projection), both
 * fed the same input. A named type, so that the propagation engine recognises the join and can split
 * relevance across the skip connection.
 */
public final class Residual extends ParallelBlock {

    public Residual(Block main, Block shortcut) {
        super(Residual::sum, List.of(main, shortcut));
    }

    private static NDList sum(List<NDList> branches) {
        NDArray out = branches.get(0).singletonOrThrow();
        for (int i = 1; i < branches.size(); i++) {
            out = out.add(branches.get(i).singletonOrThrow());
        }
        return new NDList(out);
    }
}
