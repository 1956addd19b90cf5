package io.xaiscale.explain;

/**
 * What a method needs from the model, queried instead of guessed (Captum's {@code multipliesByInputs}
 * style): backward passes, the model's layer structure (a walk over
 * its DJL blocks, which an opaque TorchScript module has not), a features/head split (CAM family:
 * a state-dict model or a TorchScript module exporting {@code features} and {@code head}), a Vision
 * Transformer's attention ({@code attention}: the attention methods, on nothing else), and whether the
 * feature maps it reads may be a transformer's patch tokens laid out on their grid ({@code
 * patchTokens}: Grad-CAM on tokens, as pytorch-grad-cam's {@code reshape_transform}), and whether
 * its rules cover a transformer's layers too when it walks them ({@code transformerLayers}: LRP).
 * Wrappers pass the capabilities of what they wrap through.
 */
public record Capabilities(
        boolean gradients,
        boolean layerStructure,
        boolean featureSplit,
        boolean attention,
        boolean patchTokens,
        boolean transformerLayers) {
    /** A method for convolutional and transformer models alike. */
    public Capabilities(boolean gradients, boolean layerStructure, boolean featureSplit) {
        this(gradients, layerStructure, featureSplit, false, false, false);
    }

    /** Forward passes only, on any model (black-box methods). */
    public static final Capabilities BLACK_BOX = new Capabilities(false, false, false);
    /** Input gradients, on any model (TorchScript included). */
    public static final Capabilities GRADIENTS = new Capabilities(true, false, false);

    /** These needs, reading a Vision Transformer's attention (and so running on nothing else). */
    public Capabilities withAttention() {
        return new Capabilities(gradients, layerStructure, featureSplit, true, patchTokens, transformerLayers);
    }

    /** These needs, with feature maps that may be a transformer's patch tokens on their grid. */
    public Capabilities withPatchTokens() {
        return new Capabilities(gradients, layerStructure, featureSplit, attention, true, transformerLayers);
    }

    /** These needs, by a layer walk whose rules cover a Vision Transformer's layers too. */
    public Capabilities withTransformerLayers() {
        return new Capabilities(gradients, layerStructure, featureSplit, attention, patchTokens, true);
    }

    /** Whether the method runs on an opaque TorchScript module. */
    public boolean runsOnTorchScript() {
        return !layerStructure;
    }

    /**
     * Whether the method runs on a Vision Transformer: an attention method, one that reads patch tokens
     * as feature maps, one whose layer walk covers a transformer's layers, or forward and backward passes
     * only (no walk over convolutional layers, no spatial feature maps: its features are tokens).
     */
    public boolean runsOnTransformer() {
        return attention || patchTokens || transformerLayers || (!layerStructure && !featureSplit);
    }

    /** Both methods' needs: for a method built from two others (patch tokens only if both read them). */
    public Capabilities and(Capabilities o) {
        return new Capabilities(
                gradients || o.gradients,
                layerStructure || o.layerStructure,
                featureSplit || o.featureSplit,
                attention || o.attention,
                patchTokens && o.patchTokens,
                // the walk covers a transformer if one part walks layers and each part that does covers it
                (layerStructure || o.layerStructure)
                        && (transformerLayers || !layerStructure)
                        && (o.transformerLayers || !o.layerStructure));
    }
}
