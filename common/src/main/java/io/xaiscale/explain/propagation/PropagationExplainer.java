package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Classifier;

/**
 * Base of the methods that run on the {@link Propagation} engine: a rule set, a start signal, and
 * how the signal at the pixels becomes a map. The predicted class comes from the engine's own
 * forward pass, so predicted-class explanations cost no extra prediction pass.
 */
public abstract class PropagationExplainer extends Explainer {

    protected PropagationExplainer(String name, ParamReader reader) {
        super(name, reader);
    }

    @Override
    public void check(io.xaiscale.model.ModelCard card, java.util.List<String> featureLayers) {
        card.requireLayers(name());
    }

    @Override
    public final boolean needsGradients() {
        return true;
    }

    protected abstract RuleSet rules();

    protected Propagation.Start start() {
        return Propagation.Start.ONE_HOT;
    }

    /** The reference input walked next to the input (DeepLIFT), or null. */
    protected NDArray reference(NDArray inputs) {
        return null;
    }

    /** The map {@code [N, H, W]} from the signal at the pixels {@code [N, C, H, W]}; channels summed by default. */
    protected NDArray toMap(NDArray signal, NDArray inputs, NDArray reference) {
        return signal.sum(new int[] {1});
    }

    @Override
    public NDArray attribute(Classifier model, NDArray inputs, int[] targets) {
        return run(model, inputs, targets).maps();
    }

    @Override
    public Predicted attributePredicted(Classifier model, NDArray inputs) {
        return run(model, inputs, null);
    }

    private Predicted run(Classifier model, NDArray inputs, int[] targets) {
        NDArray ref = reference(inputs);
        Propagation.Result r = Propagation.run(model, inputs, targets, ref, rules(), start());
        return new Predicted(toMap(r.signal(), inputs, ref), r.logits());
    }
}
