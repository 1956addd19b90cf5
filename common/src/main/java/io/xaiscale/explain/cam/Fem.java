package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;

/**
 * FEM, feature explanation method (Fuad et al. 2020): each activation map of the layer is
 * thresholded at {@code mean + k * std} of its own values (K-sigma rule) into a binary map, the
 * binary maps are weighted by their channels' means and summed, then upsampled. No gradients, one
 * forward pass; class-agnostic (the target is not used).
 */
public final class Fem extends LayerCam {
    public static final String NAME = "fem";

    private final double k;

    public Fem(ParamReader p) {
        super(NAME, p);
        this.k = p.getDouble("k", 1.0, 0.0, false, 100.0);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, false, true);
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(1);
    }

    /**
     * The class does not matter to FEM: for the predicted class, the logits come from the same
     * activations, finishing their forward pass.
     */
    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        String layer = layerFor(model);
        NDArray acts = activations(model, inputs, layer);
        NDArray logits = null;
        if (targets.isPredicted()) {
            try (GradMode off = GradMode.off()) {
                logits = model.logitsFrom(acts, layer);
            }
        }
        return attribution(model, fem(acts), targets.from(logits), logits);
    }

    /** The FEM maps {@code [N, h, w]} at the layer's resolution. */
    private NDArray fem(NDArray acts) {
        NDArray mean = acts.mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray std = acts.sub(mean)
                .square()
                .mean(new int[] {3}, true)
                .mean(new int[] {2}, true)
                .sqrt();
        NDArray binary = acts.gt(mean.add(std.mul((float) k))).toType(acts.getDataType(), false);
        return binary.mul(mean).sum(new int[] {1});
    }
}
