package io.xaiscale.explain.attention;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.AttentionCapture;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.TransformerLrp;
import java.util.ArrayList;
import java.util.List;

/**
 * Chefer, Gur and Wolf (CVPR 2021, "transformer interpretability beyond attention visualization"):
 * each block's attention weighted by its relevance and its gradient, {@code A_bar = mean_heads((dy/dA
 * * R_A)^+)}, rolled out from the identity as the generic map is ({@code R += A_bar R}); the map is the
 * class token's row over the patches. {@code R_A = A dy_lrp/dA} is the attention's relevance under
 * AttnLRP's rules ({@link TransformerLrp}), where the authors use their own LRP variant; {@code dy/dA}
 * the plain gradient. Two forward and backward passes; class-specific.
 */
public final class TransformerAttribution extends AttentionExplainer {
    public static final String NAME = "transformer_attribution";

    public TransformerAttribution(ParamReader p) {
        super(NAME, p);
    }

    @Override
    protected boolean gradients() {
        return true;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(2);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray[] plain;
        try (AttentionCapture capture = AttentionCapture.open(true)) {
            plain = Autograd.gradientThen(
                    model::logits,
                    inputs,
                    targets.givenOrNull(),
                    () -> capture.gradients().toArray(NDArray[]::new));
        }
        NDArray scores = plain[1];
        int layers = plain.length - 2;
        requireAttention(model, layers);
        int[] t = targets.from(scores);
        NDArray[] relevance;
        try (TransformerLrp rules = TransformerLrp.open(TransformerLrp.Softmax.TAYLOR);
                AttentionCapture capture = AttentionCapture.open(true)) {
            relevance = Autograd.gradientThen(model::logits, inputs, t, () -> {
                List<NDArray> maps = capture.maps();
                List<NDArray> grads = capture.gradients();
                NDArray[] r = new NDArray[maps.size()];
                for (int l = 0; l < r.length; l++) {
                    r[l] = maps.get(l).mul(grads.get(l));
                }
                return r;
            });
        }
        List<NDArray> weighted = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            weighted.add(plain[2 + l].mul(relevance[2 + l]).maximum(0f).mean(new int[] {1}));
        }
        return attribution(model, rollout(weighted), t, scores);
    }
}
