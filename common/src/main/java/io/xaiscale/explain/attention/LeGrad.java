package io.xaiscale.explain.attention;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.explain.cam.LayerCam;
import io.xaiscale.model.AttentionCapture;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import io.xaiscale.model.Vit;
import java.util.List;

/**
 * LeGrad (Bousselham et al. 2024, "An explainability method for vision transformers via feature
 * formation sensitivity"): every encoder block's output is read by the model's own final norm and
 * head (its class token's "logit lens" score {@code s^l} of the target class), and the gradient of
 * {@code s^l} at that block's attention {@code A^l} is the block's signal:
 * {@code E^l = mean over heads and query tokens of (ds^l/dA^l)^+}, one value per key token. The map is
 * the sum of {@code E^l} over the blocks from {@code from_layer} (0: all; negative counts from the
 * end, the authors' OpenCLIP wrapper uses -2) at the patch tokens, upsampled bilinearly, then scaled
 * to 0..1 per image (min-max, as the authors do). The class is the full model's: one forward pass,
 * then per block a forward and backward pass of that block and the head alone.
 */
public final class LeGrad extends AttentionExplainer {
    public static final String NAME = "legrad";

    private final int fromLayer;

    public LeGrad(ParamReader p) {
        super(NAME, p);
        this.fromLayer = p.getInt("from_layer", 0, -1000, 1000);
    }

    @Override
    protected boolean gradients() {
        return true;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(1).plus(Cost.forwards(1));
    }

    @Override
    public void check(ModelCard card, List<String> featureLayers) {
        super.check(card, featureLayers);
        first(Vit.configOf(card).numLayers(), card);
    }

    /** The first block read, for a model of {@code layers} blocks; fails naming the valid values. */
    private int first(int layers, ModelCard card) {
        int from = fromLayer < 0 ? layers + fromLayer : fromLayer;
        if (from < 0 || from >= layers) {
            throw new IllegalArgumentException("Invalid from_layer for " + NAME + ": " + fromLayer + " (valid for "
                    + card.key() + " of " + layers + " blocks: " + -layers + ".." + (layers - 1) + ")");
        }
        return from;
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        List<String> layers = model.featureLayers();
        List<Integer> blocks = Vit.blocks(layers);
        String last = layers.get(blocks.get(blocks.size() - 1));
        // each block's input tokens, from one forward pass; then the logits of the whole model
        NDArray[] in = new NDArray[blocks.size()];
        NDArray logits;
        try (GradMode off = GradMode.off()) {
            NDArray z = model.activations(inputs, layers.get(0));
            for (int i = 1, b = 0; i <= blocks.get(blocks.size() - 1); i++) {
                if (i == blocks.get(b)) {
                    in[b++] = z;
                }
                z = model.layerForward(z, layers.get(i));
            }
            logits = model.logitsFrom(z, last);
        }
        int[] t = targets.from(logits);
        NDArray sum = null;
        for (int b = first(blocks.size(), model.card()); b < blocks.size(); b++) {
            String block = layers.get(blocks.get(b));
            NDArray[] pass;
            try (AttentionCapture capture = AttentionCapture.open(true)) {
                // the block and the final norm and head alone, on the block's input
                pass = Autograd.gradientThen(
                        z -> model.logitsFrom(model.layerForward(z, block), last), in[b], t, () -> new NDArray[] {
                            // [N, heads, T, T]: heads, then query tokens, averaged
                            capture.gradients()
                                    .get(0)
                                    .maximum(0f)
                                    .mean(new int[] {1})
                                    .mean(new int[] {1})
                        });
            }
            sum = sum == null ? pass[2] : sum.add(pass[2]);
        }
        NDArray coarse = patchGrid(model, sum);
        // scaled to 0..1 by the extremes of the input-size map, and the map upsampled from the scaled grid:
        // what native-resolution storage keeps (the grid) upsampled on read is the map, bit for bit
        NDArray up = LayerCam.upsample(coarse, model.height(), model.width());
        NDArray lo = up.min(new int[] {2}, true).min(new int[] {1}, true);
        NDArray range = up.max(new int[] {2}, true).max(new int[] {1}, true).sub(lo);
        NDArray safe = range.eq(0f).toType(range.getDataType(), false).add(range); // a constant map: zeros
        NDArray scaled = coarse.sub(lo).div(safe);
        return new Attribution(LayerCam.upsample(scaled, model.height(), model.width()), t, logits, scaled);
    }
}
