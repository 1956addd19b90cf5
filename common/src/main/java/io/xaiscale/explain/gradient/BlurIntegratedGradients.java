package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.image.Blur;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;

/**
 * Blur Integrated Gradients (Xu et al. 2020): the path runs through ever more blurred copies of the
 * input instead of towards a baseline image, {@code sigma} from 0 (the input) to {@code max_sigma}
 * pixels in {@code steps} equal steps, and the map is
 * {@code -sum_i (sigma_{i+1} - sigma_i) grad f(blur(x, sigma_i)) * d blur(x, sigma) / d sigma}, the
 * blur's derivative by a forward difference of {@code grad_step}. It sums to about
 * {@code f(x) - f(blur(x, max_sigma))}; the blur is the project's (separable Gaussian, borders
 * renormalised), so maps differ from the reference implementation's reflected borders near the edges.
 */
public final class BlurIntegratedGradients extends Explainer {
    public static final String NAME = "blur_ig";

    private final double maxSigma;
    private final int steps;
    private final double gradStep;

    public BlurIntegratedGradients(ParamReader p) {
        super(NAME, p);
        this.maxSigma = p.getDouble("max_sigma", 50.0, 0.0, true, 10_000.0);
        this.steps = p.getInt("steps", 100, 1, 4096);
        this.gradStep = p.getDouble("grad_step", 0.01, 0.0, true, 10.0);
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
        NDManager owner = inputs.getManager();
        NDArray total = inputs.zerosLike();
        double delta = maxSigma / steps;
        for (int i = 0; i < steps; i++) {
            double sigma = i * delta;
            // each step in its own scope: only its contribution is kept
            NDArray step = Scopes.step(inputs.duplicate(), owner, x -> {
                NDArray at = sigma > 0 ? Blur.gaussian(x, sigma) : x;
                NDArray slope = Blur.gaussian(x, sigma + gradStep).sub(at).div((float) gradStep);
                return model.inputGradient(at, targets).mul(slope).mul((float) -delta);
            });
            total.addi(step);
            step.close();
        }
        return total.sum(new int[] {1});
    }
}
