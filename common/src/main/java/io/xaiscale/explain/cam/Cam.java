package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.core.Linear;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import java.util.ArrayList;
import java.util.List;

/**
 * CAM (Zhou et al. 2016) for models whose head is global average pooling then one dense layer:
 * {@code sum_k W[target, k] A_k} over the last feature maps, upsampled. Signed (no ReLU, no bias), one
 * forward pass, no gradients.
 */
public final class Cam extends Explainer {
    public static final String NAME = "cam";

    public Cam(ParamReader p) {
        super(NAME, p);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, true, true);
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(1);
    }

    /** The dense weights {@code [classes, K]} after global average pooling; fails if the head is not of that form. */
    static NDArray denseWeights(Classifier model) {
        if (model.isScripted()) {
            model.card().requireLayers(NAME);
        }
        List<Block> head = new ArrayList<>(model.head().getChildren().values());
        List<String> kinds = new ArrayList<>();
        for (Block b : head) {
            kinds.add(b instanceof LambdaBlock l ? l.getName() : b.getClass().getSimpleName());
        }
        boolean ok = !head.isEmpty()
                && "globalAvgPool2d".equals(kinds.get(0))
                && head.get(head.size() - 1) instanceof Linear
                && kinds.subList(1, kinds.size() - 1).stream()
                        .allMatch(k ->
                                k.equals("batchFlatten") || k.equals("identity")); // dropout: identity at inference
        if (!ok) {
            throw new IllegalArgumentException("cam needs a head of global average pooling then one dense layer, but "
                    + model.card().key() + " has " + kinds + " (use grad_cam, which works on any head)");
        }
        for (var p : head.get(head.size() - 1).getParameters()) {
            if (p.getKey().equals("weight") || p.getKey().endsWith("_weight")) {
                return p.getValue().getArray();
            }
        }
        throw new IllegalStateException(
                "No dense weight in the head of " + model.card().key());
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray w = denseWeights(model);
        String last = model.featureLayers().get(model.featureLayers().size() - 1);
        try (GradMode off = GradMode.off()) {
            NDArray acts = model.activations(inputs, last);
            NDArray logits = model.logitsFrom(acts, last);
            int[] t = targets.from(logits);
            NDArray weights = Autograd.oneHot(logits, t).matMul(w);
            return LayerCam.attribution(model, LayerCam.weighted(weights, acts), t, logits);
        }
    }
}
