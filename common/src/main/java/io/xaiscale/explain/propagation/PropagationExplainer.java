package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Targets;
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

    /**
     * The engine walks the model's DJL blocks: no opaque TorchScript module; a Vision Transformer's
     * too when the method's rules cover its layers.
     */
    @Override
    public final Capabilities capabilities() {
        Capabilities walks = new Capabilities(true, true, false);
        return coversTransformers() ? walks.withTransformerLayers() : walks;
    }

    /** Whether {@link #rules} have a rule for each layer kind of a Vision Transformer (LRP). */
    protected boolean coversTransformers() {
        return false;
    }

    /** The chain rule with a modified signal: one forward and one backward walk; rules that need more say so. */
    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(1);
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
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        NDArray ref = reference(inputs);
        Propagation.Result r = Propagation.run(model, inputs, targets.givenOrNull(), ref, rules(), start());
        return new Attribution(toMap(r.signal(), inputs, ref), targets.from(r.logits()), r.logits());
    }
}
