package io.xaiscale.explain;

import io.xaiscale.config.Registry;
import io.xaiscale.explain.cam.GradCam;
import io.xaiscale.explain.gradient.Gradient;
import io.xaiscale.explain.gradient.GradientTimesInput;
import io.xaiscale.explain.gradient.IntegratedGradients;
import io.xaiscale.explain.gradient.SmoothGrad;
import io.xaiscale.explain.perturbation.Occlusion;
import java.util.List;

/**
 * The registry of explanation methods: an explicit map from name to factory, and a parser. A spec
 * either yields a configured method or fails naming the value and the valid choices.
 */
public final class Explainers {
    private static final Registry<Explainer> REGISTRY = new Registry<Explainer>("explanation method")
            .register(Gradient.NAME, Gradient::new)
            .register(GradientTimesInput.NAME, GradientTimesInput::new)
            .register(IntegratedGradients.NAME, IntegratedGradients::new)
            .register(SmoothGrad.NAME, SmoothGrad::new)
            .register(GradCam.NAME, GradCam::new)
            .register(Occlusion.NAME, Occlusion::new);

    /** The methods the demo and the default job run. */
    public static final String DEFAULT_METHODS = "gradient,gradient_x_input,integrated_gradients,"
            + "smoothgrad,grad_cam,occlusion";

    private Explainers() {}

    public static List<String> names() {
        return REGISTRY.names();
    }

    /** Parses one spec, e.g. {@code smoothgrad[base=integrated_gradients[steps=8],samples=8]}. */
    public static Explainer fromString(String text) {
        return REGISTRY.fromString(text);
    }

    /** Parses a comma-separated list of specs; duplicates (same canonical spec) are rejected. */
    public static List<Explainer> listFromString(String text) {
        return REGISTRY.listFromString(text);
    }
}
