package io.xaiscale.explain;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.Configured;
import io.xaiscale.config.ParamReader;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import java.util.List;

/**
 * The batch-first contract every explanation method implements (Captum's single {@code attribute}):
 * pixel-space inputs {@code [N, C, H, W]} and {@link Targets} (given classes, or the predicted ones)
 * in, an {@link Attribution} out: maps {@code [N, H, W]} at the model's input resolution (signed;
 * colour channels summed), the classes explained and the logits the method saw. Sample i's map
 * depends only on sample i, so a batch equals its images one by one.
 *
 * <p>A method implements one of two hooks: {@link #maps} for given classes (the predicted classes then
 * come from a prediction pass), or {@link #compute} when its own forward pass over the unchanged input
 * yields the logits that choose the class. Each declares its {@link #capabilities()} and its
 * {@link #cost} in model passes.
 */
public abstract class Explainer extends Configured {

    protected Explainer(String name, ParamReader reader) {
        super(name, reader);
    }

    /** What the method needs from the model. */
    public abstract Capabilities capabilities();

    /** The least work per image on {@code model}, in passes. */
    public abstract Cost cost(Classifier model);

    /**
     * Checks, before any work runs, that this method can run on a model with this card and these
     * feature layers; fails naming what is wrong.
     */
    public void check(ModelCard card, List<String> featureLayers) {
        if (capabilities().layerStructure()) {
            card.requireLayers(name());
        }
        if (capabilities().attention() && !card.isTransformer()) {
            throw new IllegalArgumentException(name() + " reads a Vision Transformer's attention, but " + card.key()
                    + " is not one (architecture " + card.architecture() + "): use it with a vit model");
        }
        if (card.isTransformer() && !capabilities().runsOnTransformer()) {
            throw new IllegalArgumentException(name() + " needs a convolutional network's layers or feature maps, but "
                    + card.key() + " is a Vision Transformer (architecture " + card.architecture()
                    + "); the methods that run on it: " + String.join(", ", Explainers.runningOnTransformers()));
        }
    }

    /**
     * The reference set this method needs from its caller (the SHAP family with
     * {@code reference=images}), or null. The explain job draws it and calls {@link #use}.
     */
    public References.Need referenceNeed() {
        return null;
    }

    /** Gives the method the reference set it asked for; the set's id joins its params. */
    public void use(References set) {
        throw new IllegalStateException(name() + " takes no reference set");
    }

    /** Explains {@code inputs} ({@code [N, C, H, W]} in [0, 1]); results are attached to the inputs' manager. */
    public final Attribution explain(Classifier model, NDArray inputs, Targets targets) {
        targets.check((int) inputs.getShape().get(0), model.numClasses());
        return compute(model, inputs, targets);
    }

    /** The maps alone for given classes: {@code explain(model, inputs, Targets.of(targets)).maps()}. */
    public final NDArray attribute(Classifier model, NDArray inputs, int[] targets) {
        return explain(model, inputs, Targets.of(targets)).maps();
    }

    /**
     * The attribution for valid targets. By default: given classes go straight to {@link #maps};
     * predicted classes come from a prediction pass first. Methods whose own forward pass sees the
     * unchanged input override this to choose the class from that pass.
     */
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray logits = targets.isPredicted() ? model.logitsNoGrad(inputs) : null;
        int[] t = targets.from(logits);
        return new Attribution(maps(model, inputs, t), t, logits);
    }

    /** Maps {@code [N, H, W]} for the given classes; every method that does not override {@link #compute} implements it. */
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        throw new UnsupportedOperationException(name() + " implements compute, not maps");
    }
}
