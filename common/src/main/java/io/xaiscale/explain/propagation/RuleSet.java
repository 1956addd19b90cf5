package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of one method: which {@link Rule} each layer gets (by kind and position), and how a
 * residual join hands the signal at its output to its branches.
 */
public interface RuleSet {

    Rule ruleFor(Step step);

    /**
     * The signal for each branch of a residual join, from the branches' outputs, their sum (the join's
     * output, as recorded) and the signal at the join's output. Gradients and multipliers pass
     * unchanged to every branch (the join is a sum).
     */
    default List<NDArray> split(List<NDArray> branchOutputs, NDArray joinOutput, NDArray signal) {
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < branchOutputs.size(); i++) {
            out.add(signal);
        }
        return out;
    }
}
