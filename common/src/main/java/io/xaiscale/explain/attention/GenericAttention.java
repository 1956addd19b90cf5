package io.xaiscale.explain.attention;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.AttentionCapture;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.List;

/**
 * Gradient-weighted attention rollout, the generic attention explainability of Chefer, Gur and Wolf
 * (ICCV 2021) for self-attention: with {@code R = I}, each layer in forward order adds {@code A_bar R},
 * where {@code A_bar = mean_heads((dy/dA * A)^+)} is the layer's attention weighted by the target
 * logit's gradient at it, positive part; the map is the class token's row of {@code R} over the
 * patches. One forward and one backward pass; class-specific.
 */
public final class GenericAttention extends AttentionExplainer {
    public static final String NAME = "generic_attention";

    public GenericAttention(ParamReader p) {
        super(NAME, p);
    }

    @Override
    protected boolean gradients() {
        return true;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(1);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray[] pass;
        try (AttentionCapture capture = AttentionCapture.open(true)) {
            pass = Autograd.gradientThen(model::logits, inputs, targets.givenOrNull(), () -> {
                List<NDArray> maps = capture.maps();
                List<NDArray> grads = capture.gradients();
                NDArray[] weighted = new NDArray[maps.size()];
                for (int l = 0; l < weighted.length; l++) {
                    weighted[l] = grads.get(l).mul(maps.get(l)).maximum(0f).mean(new int[] {1});
                }
                return weighted;
            });
        }
        NDArray scores = pass[1];
        requireAttention(model, pass.length - 2);
        NDArray relevance = rollout(Arrays.asList(pass).subList(2, pass.length));
        return attribution(model, relevance, targets.from(scores), scores);
    }
}
