package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Spec;
import io.xaiscale.explain.propagation.GuidedBackprop;
import io.xaiscale.model.Classifier;
import java.util.List;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): the guided-backpropagation map times the upsampled
 * Grad-CAM map of the same layer and target (channels of the guided map summed first; the product is
 * per pixel, so the order does not matter).
 */
public final class GuidedGradCam extends LayerCam {
    public static final String NAME = "guided_grad_cam";

    private final GradCam gradCam;
    private final GuidedBackprop guided;

    public GuidedGradCam(ParamReader p) {
        super(NAME, p);
        this.gradCam = new GradCam(new ParamReader(Spec.parse(GradCam.NAME + "[layer=" + layer + "]")));
        this.guided = new GuidedBackprop(new ParamReader(Spec.parse(GuidedBackprop.NAME)));
    }

    @Override
    public void check(io.xaiscale.model.ModelCard card, List<String> featureLayers) {
        super.check(card, featureLayers);
        card.requireLayers(NAME);
    }

    @Override
    public boolean needsGradients() {
        return true;
    }

    @Override
    public NDArray attribute(Classifier model, NDArray inputs, int[] targets) {
        return guided.attribute(model, inputs, targets).mul(gradCam.attribute(model, inputs, targets));
    }

    @Override
    public Predicted attributePredicted(Classifier model, NDArray inputs) {
        Predicted g = guided.attributePredicted(model, inputs);
        int[] targets = io.xaiscale.model.Autograd.argMax(g.logits());
        return new Predicted(g.maps().mul(gradCam.attribute(model, inputs, targets)), g.logits());
    }
}
