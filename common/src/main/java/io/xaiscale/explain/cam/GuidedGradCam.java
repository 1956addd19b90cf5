package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Spec;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Targets;
import io.xaiscale.explain.propagation.GuidedBackprop;
import io.xaiscale.model.Classifier;
import java.util.Map;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): the guided-backpropagation map times the upsampled
 * Grad-CAM map of the same layer and target (channels of the guided map summed first; the product is
 * per pixel, so the order does not matter).
 */
public final class GuidedGradCam extends LayerCam {
    public static final String NAME = "guided_grad_cam";

    private final Explainer gradCam;
    private final Explainer guided;

    public GuidedGradCam(ParamReader p) {
        super(NAME, p);
        this.gradCam = new GradCam(new ParamReader(new Spec(GradCam.NAME, Map.of("layer", layer))));
        this.guided = new GuidedBackprop(new ParamReader(new Spec(GuidedBackprop.NAME, Map.of())));
    }

    /** Its parts' revisions beyond their first add to its own. */
    @Override
    public int revision() {
        return revisionWith(super.revision(), gradCam, guided);
    }

    @Override
    public Capabilities capabilities() {
        return guided.capabilities().and(gradCam.capabilities());
    }

    @Override
    public Cost cost(Classifier model) {
        return guided.cost(model).plus(gradCam.cost(model));
    }

    /** The guided map chooses the class (its walk sees the unchanged input); Grad-CAM explains the same class. */
    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        Attribution g = guided.explain(model, inputs, targets);
        return new Attribution(g.maps().mul(gradCam.attribute(model, inputs, g.targets())), g.targets(), g.logits());
    }
}
