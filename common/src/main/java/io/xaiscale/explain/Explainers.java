package io.xaiscale.explain;

import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Registry;
import io.xaiscale.explain.attention.AttentionRollout;
import io.xaiscale.explain.attention.AttnLrp;
import io.xaiscale.explain.attention.GenericAttention;
import io.xaiscale.explain.attention.LeGrad;
import io.xaiscale.explain.attention.TransformerAttribution;
import io.xaiscale.explain.cam.Cam;
import io.xaiscale.explain.cam.Fem;
import io.xaiscale.explain.cam.GradCam;
import io.xaiscale.explain.cam.GradCamPlusPlus;
import io.xaiscale.explain.cam.GuidedGradCam;
import io.xaiscale.explain.cam.ScoreCam;
import io.xaiscale.explain.gradient.BlurIntegratedGradients;
import io.xaiscale.explain.gradient.ExpectedGradients;
import io.xaiscale.explain.gradient.Gradient;
import io.xaiscale.explain.gradient.GradientTimesInput;
import io.xaiscale.explain.gradient.GuidedIntegratedGradients;
import io.xaiscale.explain.gradient.IntegratedGradients;
import io.xaiscale.explain.gradient.SmoothGrad;
import io.xaiscale.explain.perturbation.FeatureAblation;
import io.xaiscale.explain.perturbation.KernelShap;
import io.xaiscale.explain.perturbation.Lime;
import io.xaiscale.explain.perturbation.MeaningfulPerturbation;
import io.xaiscale.explain.perturbation.Occlusion;
import io.xaiscale.explain.perturbation.Rise;
import io.xaiscale.explain.perturbation.ShapleySampling;
import io.xaiscale.explain.propagation.DeconvNet;
import io.xaiscale.explain.propagation.DeepLift;
import io.xaiscale.explain.propagation.DeepLiftShap;
import io.xaiscale.explain.propagation.GuidedBackprop;
import io.xaiscale.explain.propagation.Lrp;
import io.xaiscale.explain.region.Xrai;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.ModelCard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of explanation methods: an explicit map from name to factory, and a parser. A spec
 * either yields a configured method or fails naming the value and the valid choices.
 */
public final class Explainers {
    private static final Registry<Explainer> REGISTRY = new Registry<Explainer>("explanation method")
            .register(Gradient.NAME, Gradient::new)
            .register(GradientTimesInput.NAME, GradientTimesInput::new)
            .register(IntegratedGradients.NAME, IntegratedGradients::new)
            .register(SmoothGrad.NAME, p -> new SmoothGrad(p, base(p, SmoothGrad.DEFAULT_BASE)))
            .register(GradCam.NAME, GradCam::new)
            .register(GuidedBackprop.NAME, GuidedBackprop::new)
            .register(DeconvNet.NAME, DeconvNet::new)
            .register(Lrp.NAME, Lrp::new)
            .register(DeepLift.NAME, DeepLift::new)
            .register(Cam.NAME, Cam::new)
            .register(GuidedGradCam.NAME, GuidedGradCam::new)
            .register(GradCamPlusPlus.NAME, GradCamPlusPlus::new)
            .register(ScoreCam.NAME, ScoreCam::new)
            .register(Fem.NAME, Fem::new)
            .register(Occlusion.NAME, Occlusion::new)
            .register(Lime.NAME, Lime::new)
            .register(Rise.NAME, Rise::new)
            .register(MeaningfulPerturbation.NAME, MeaningfulPerturbation::new)
            .register(FeatureAblation.NAME, FeatureAblation::new)
            .register(KernelShap.NAME, KernelShap::new)
            .register(ShapleySampling.NAME, ShapleySampling::new)
            .register(ExpectedGradients.NAME, ExpectedGradients::expectedGradients)
            .register(ExpectedGradients.GRADIENT_SHAP, ExpectedGradients::gradientShap)
            .register(DeepLiftShap.NAME, DeepLiftShap::new)
            .register(BlurIntegratedGradients.NAME, BlurIntegratedGradients::new)
            .register(GuidedIntegratedGradients.NAME, GuidedIntegratedGradients::new)
            .register(Xrai.NAME, p -> new Xrai(p, base(p, Xrai.DEFAULT_BASE)))
            .register(AttentionRollout.NAME, AttentionRollout::new)
            .register(GenericAttention.NAME, GenericAttention::new)
            .register(LeGrad.NAME, LeGrad::new)
            .register(AttnLrp.NAME, AttnLrp::new)
            .register(TransformerAttribution.NAME, TransformerAttribution::new);

    /** The methods the demo and the default job run. */
    public static final String DEFAULT_METHODS =
            "gradient,gradient_x_input,integrated_gradients," + "smoothgrad,grad_cam,occlusion";

    /** The defaults on a Vision Transformer: Grad-CAM's place goes to the two attention methods. */
    public static final String DEFAULT_TRANSFORMER_METHODS = "gradient,gradient_x_input,integrated_gradients,"
            + "smoothgrad,grad_cam,attention_rollout,generic_attention,legrad,occlusion";

    private Explainers() {}

    public static List<String> names() {
        return REGISTRY.names();
    }

    /**
     * {@link #listFromString} for a model with this card: {@code all} is every method with its defaults
     * that runs on it (the attention methods on a ViT, the layer-walking ones on a CNN state-dict, ...);
     * the default list is {@link #DEFAULT_TRANSFORMER_METHODS} on a ViT; any other list is parsed as
     * given (and checked against the card by its caller).
     */
    public static List<Explainer> listFor(String text, ModelCard card) {
        if (text != null && text.equals(DEFAULT_METHODS) && card.isTransformer()) {
            return listFromString(DEFAULT_TRANSFORMER_METHODS);
        }
        if (text == null || !text.trim().equals(Registry.ALL)) {
            return listFromString(text);
        }
        return fit(names(), card).runs();
    }

    /** Methods split by a model: those that run on it, and why each other one does not (by its spec as given). */
    public record Fit(List<Explainer> runs, Map<String, String> refused) {}

    /**
     * {@code specs} parsed (a wrong spec fails here) and checked against a model with this card: the ones
     * that run, in order, and the refusal of each other one.
     */
    public static Fit fit(List<String> specs, ModelCard card) {
        List<String> layers = Architectures.featureLayers(card);
        List<Explainer> runs = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (String spec : specs) {
            Explainer e = fromString(spec);
            try {
                e.check(card, layers);
                runs.add(e);
            } catch (IllegalArgumentException why) {
                refused.put(spec, why.getMessage());
            }
        }
        return new Fit(runs, refused);
    }

    /** The methods that run on a Vision Transformer with their defaults ({@link Capabilities#runsOnTransformer}). */
    public static List<String> runningOnTransformers() {
        return names().stream()
                .filter(n -> fromString(n).capabilities().runsOnTransformer())
                .toList();
    }

    /** {@link Registry#raiseRevision}: what {@code name} builds is at its next revision until the handle is closed (tests). */
    public static AutoCloseable raiseRevision(String name) {
        return REGISTRY.raiseRevision(name, 1);
    }

    /** Parses one spec, e.g. {@code smoothgrad[base=integrated_gradients[steps=8],samples=8]}. */
    public static Explainer fromString(String text) {
        return REGISTRY.fromString(text);
    }

    /** Parses a comma-separated list of specs ({@code all}: every method with its defaults, see {@link #listFor}); duplicates are rejected. */
    public static List<Explainer> listFromString(String text) {
        return REGISTRY.listFromString(text);
    }

    /** The method a wrapper's {@code base} parameter names ({@code def} when it names none), made here, once. */
    private static Explainer base(ParamReader p, String def) {
        return fromString(p.raw("base") == null ? def : p.raw("base"));
    }
}
