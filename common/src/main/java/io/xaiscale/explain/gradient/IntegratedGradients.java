package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Classifier;
import java.util.Arrays;

/**
 * Integrated Gradients (Sundararajan et al. 2017): {@code (x - x0) * mean_k grad(x0 + a_k (x - x0))}
 * with the midpoint Riemann rule {@code a_k = (k + 1/2) / steps}. All steps of all samples go through
 * the model as one stack, cut into chunks of the model's internal batch size.
 */
public final class IntegratedGradients extends Explainer {
    public static final String NAME = "integrated_gradients";

    private final int steps;
    private final Baseline baseline;

    public IntegratedGradients(ParamReader p) {
        super(NAME, p);
        this.steps = p.getInt("steps", 32, 1, 4096);
        this.baseline = p.getEnum("baseline", Baseline.ZERO, Baseline.class);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.GRADIENTS;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(steps);
    }

    @Override
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        Shape s = inputs.getShape();
        long n = s.get(0);
        NDArray base = baseline.of(inputs);
        NDArray diff = inputs.sub(base);
        float[] a = new float[steps];
        for (int k = 0; k < steps; k++) {
            a[k] = (k + 0.5f) / steps;
        }
        NDArray alphas = inputs.getManager().create(a, new Shape(1, steps, 1, 1, 1));
        // [N, steps, C, H, W] -> [N * steps, C, H, W], sample-major.
        NDArray path = base.expandDims(1)
                .add(alphas.mul(diff.expandDims(1)))
                .reshape(new Shape(n * steps, s.get(1), s.get(2), s.get(3)));
        int[] rep = new int[(int) (n * steps)];
        for (int i = 0; i < n; i++) {
            Arrays.fill(rep, i * steps, (i + 1) * steps, targets[i]);
        }
        NDArray grads = model.inputGradient(path, rep)
                .reshape(new Shape(n, steps, s.get(1), s.get(2), s.get(3)))
                .mean(new int[] {1});
        return diff.mul(grads).sum(new int[] {1});
    }
}
