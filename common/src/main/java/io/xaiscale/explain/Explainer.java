package io.xaiscale.explain;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.Configured;
import io.xaiscale.config.ParamReader;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import java.util.List;

/**
 * The batch-first contract every explanation method implements: pixel-space inputs
 * {@code [N, C, H, W]} and one target class per sample in, relevance maps {@code [N, H, W]} at the
 * model's input resolution out (signed; colour channels summed). Sample i's map depends only on
 * sample i, so a batch equals its images one by one.
 */
public abstract class Explainer extends Configured {

    protected Explainer(String name, ParamReader reader) {
        super(name, reader);
    }

    /** Whether the method runs backward passes (and so takes the JVM gradient lock). */
    public abstract boolean needsGradients();

    /**
     * Checks, before any work runs, that this method can run on a model with this card and these
     * feature layers; fails naming what is wrong. Most methods run on any model.
     */
    public void check(ModelCard card, List<String> featureLayers) {}

    /** Maps {@code [N, H, W]} for inputs {@code [N, C, H, W]} in [0, 1], attached to the inputs' manager. */
    public abstract NDArray attribute(Classifier model, NDArray inputs, int[] targets);

    /** Maps for each sample's predicted class, and the logits {@code [N, K]} that chose it. */
    public record Predicted(NDArray maps, NDArray logits) {}

    /**
     * Maps for the predicted class of each sample. By default a prediction pass, then
     * {@link #attribute}; methods whose own forward pass sees the unchanged input override it to
     * choose the class from that pass and save the prediction pass.
     */
    public Predicted attributePredicted(Classifier model, NDArray inputs) {
        NDArray logits;
        try (GradMode off = GradMode.off()) {
            logits = model.logits(inputs);
        }
        return new Predicted(attribute(model, inputs, Autograd.argMax(logits)), logits);
    }
}
