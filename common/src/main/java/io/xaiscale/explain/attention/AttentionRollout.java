package io.xaiscale.explain.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.AttentionCapture;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import java.util.Arrays;
import java.util.List;

/**
 * Attention rollout (Abnar and Zuidema 2020): each layer's attention, its heads fused ({@code
 * head_fusion}: {@code mean}, {@code max} or {@code min}), the lowest {@code discard} share of its
 * values set to 0 (never the class token's attention to itself; as in the widely used implementation
 * of jacobgil/vit-explain), plus the identity for the residual path and rows renormalised: {@code a =
 * (A + I) / 2 / rowsum}; the rollout is the product {@code a_L ... a_1}, and the map the class token's
 * row over the patches. One forward pass; the map does not depend on the class.
 */
public final class AttentionRollout extends AttentionExplainer {
    public static final String NAME = "attention_rollout";

    private final String fusion;
    private final double discard;

    public AttentionRollout(ParamReader p) {
        super(NAME, p);
        this.fusion = p.getChoice("head_fusion", "mean", List.of("mean", "max", "min"));
        this.discard = p.getDouble("discard", 0.0, 0.0, false, 0.99);
    }

    @Override
    protected boolean gradients() {
        return false;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(1);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray logits;
        List<NDArray> maps;
        try (GradMode off = GradMode.off();
                AttentionCapture capture = AttentionCapture.open(false)) {
            logits = model.logits(inputs);
            maps = capture.maps();
        }
        requireAttention(model, maps.size());
        NDArray rollout = null;
        for (NDArray attention : maps) {
            NDArray a = discarded(fused(attention));
            a = a.add(identity(a)).div(2);
            a = a.div(a.sum(new int[] {2}, true));
            rollout = rollout == null ? a : a.matMul(rollout);
        }
        return attribution(model, rollout, targets.from(logits), logits);
    }

    /** The heads of {@code [N, H, T, T]} fused to {@code [N, T, T]}. */
    private NDArray fused(NDArray attention) {
        return switch (fusion) {
            case "max" -> attention.max(new int[] {1});
            case "min" -> attention.min(new int[] {1});
            default -> attention.mean(new int[] {1});
        };
    }

    /** Each sample's lowest {@code discard} share of values set to 0, except entry (0, 0). */
    private NDArray discarded(NDArray a) {
        if (discard == 0) {
            return a;
        }
        long n = a.getShape().get(0);
        int per = (int) (a.getShape().size() / n);
        float[] v = a.toType(DataType.FLOAT32, false).toFloatArray();
        int k = (int) (per * discard);
        for (int i = 0; i < n; i++) {
            Integer[] order = new Integer[per];
            for (int j = 0; j < per; j++) {
                order[j] = j;
            }
            int base = i * per;
            Arrays.sort(order, (x, y) -> Float.compare(v[base + x], v[base + y]));
            for (int r = 0; r < k; r++) {
                if (order[r] != 0) {
                    v[base + order[r]] = 0f;
                }
            }
        }
        return a.getManager().create(v, a.getShape()).toType(a.getDataType(), false);
    }
}
