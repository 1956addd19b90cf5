package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** A residual join in a {@link Walk}: branches (main, shortcut) fed the same input, outputs summed. */
public final class ResidualLayer extends Layer {
    private final List<Walk> branches;

    ResidualLayer(String name, List<Walk> branches) {
        super(Kind.RESIDUAL, name);
        this.branches = List.copyOf(branches);
    }

    public List<Walk> branches() {
        return branches;
    }

    @Override
    public NDArray forward(NDArray input) {
        NDArray out = null;
        for (Walk b : branches) {
            NDArray y = b.forward(input).output();
            out = out == null ? y : out.add(y);
        }
        return out;
    }
}
