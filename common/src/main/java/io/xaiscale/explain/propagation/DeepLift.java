package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.gradient.Baseline;
import io.xaiscale.explain.propagation.rules.Chain;
import io.xaiscale.explain.propagation.rules.DeepLiftMaxPool;
import io.xaiscale.explain.propagation.rules.Rescale;
import io.xaiscale.explain.propagation.rules.RevealCancel;
import io.xaiscale.model.Classifier;
import java.util.List;

/**
 * DeepLIFT (Shrikumar et al. 2017) with the Rescale or RevealCancel rule against a reference input
 * ({@code baseline}: zero, one, or each image's mean colour). Multipliers flow back through linear
 * layers by the chain rule and through nonlinearities by the chosen rule; the map is
 * {@code multiplier * (x - reference)}, channels summed, and sums to {@code f(x) - f(reference)}.
 */
public final class DeepLift extends PropagationExplainer {
    public static final String NAME = "deeplift";
    public static final List<String> RULES = List.of("rescale", "reveal_cancel");

    private final String rule;
    private final Baseline baseline;

    public DeepLift(ParamReader p) {
        super(NAME, p);
        this.rule = p.getChoice("rule", "rescale", RULES);
        this.baseline = p.getEnum("baseline", Baseline.ZERO, Baseline.class);
    }

    @Override
    protected RuleSet rules() {
        return rules("reveal_cancel".equals(rule));
    }

    /** DeepLIFT's rules by layer type: Rescale (or RevealCancel) at ReLUs, the cross maximum at max pooling. */
    static RuleSet rules(boolean reveal) {
        return step -> switch (step.layer().kind()) {
            case RELU -> reveal ? RevealCancel.RELU : Rescale.INSTANCE;
            case MAX_POOL -> DeepLiftMaxPool.INSTANCE;
            case LINEAR -> reveal && RevealCancel.applies(step) ? RevealCancel.INSTANCE : Chain.INSTANCE;
            default -> Chain.INSTANCE;
        };
    }

    /**
     * The zero and one references are the same image for every sample: walked once as a batch of
     * one and broadcast by the rules, which saves a forward pass of the batch; the mean-colour
     * reference differs per image.
     */
    @Override
    protected NDArray reference(NDArray inputs) {
        return baseline.of(baseline.isShared() ? inputs.get("0:1") : inputs);
    }

    /** The walk of the input, and one forward walk of the reference. */
    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(1).plus(Cost.forwards(1));
    }

    @Override
    protected NDArray toMap(NDArray signal, NDArray inputs, NDArray reference) {
        return signal.mul(inputs.sub(reference)).sum(new int[] {1});
    }
}
