package io.xaiscale.explain;

import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Spec;
import io.xaiscale.explain.cam.GradCam;
import io.xaiscale.explain.gradient.Gradient;
import io.xaiscale.explain.gradient.GradientTimesInput;
import io.xaiscale.explain.gradient.IntegratedGradients;
import io.xaiscale.explain.gradient.SmoothGrad;
import io.xaiscale.explain.perturbation.Occlusion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry of explanation methods: an explicit map from name to factory, and a parser. A spec
 * either yields a configured method or fails naming the value and the valid choices.
 */
public final class Explainers {
    private static final Map<String, Function<ParamReader, Explainer>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(Gradient.NAME, p -> new Gradient());
        FACTORIES.put(GradientTimesInput.NAME, p -> new GradientTimesInput());
        FACTORIES.put(IntegratedGradients.NAME, IntegratedGradients::new);
        FACTORIES.put(SmoothGrad.NAME, SmoothGrad::new);
        FACTORIES.put(GradCam.NAME, GradCam::new);
        FACTORIES.put(Occlusion.NAME, Occlusion::new);
    }

    /** The methods the demo and the default job run. */
    public static final String DEFAULT_METHODS = "gradient,gradient_x_input,integrated_gradients,"
            + "smoothgrad,grad_cam,occlusion";

    private Explainers() {}

    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    /** Parses one spec, e.g. {@code smoothgrad[base=integrated_gradients[steps=8],samples=8]}. */
    public static Explainer fromString(String text) {
        Spec spec = Spec.parse(text);
        Function<ParamReader, Explainer> factory = FACTORIES.get(spec.name());
        if (factory == null) {
            throw new IllegalArgumentException("Unknown explanation method: " + spec.name()
                    + " (valid: " + String.join(", ", names()) + ")");
        }
        ParamReader reader = new ParamReader(spec);
        Explainer e = factory.apply(reader);
        reader.finish();
        return e;
    }

    /** Parses a comma-separated list of specs; duplicates (same canonical spec) are rejected. */
    public static List<Explainer> listFromString(String text) {
        List<Explainer> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String s : Spec.splitTopLevel(text == null ? "" : text, ',')) {
            Explainer e = fromString(s);
            if (seen.contains(e.spec())) {
                throw new IllegalArgumentException("Duplicate method: " + e.spec() + " in " + text);
            }
            seen.add(e.spec());
            out.add(e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No explanation method given (valid: " + String.join(", ", names()) + ")");
        }
        return out;
    }
}
