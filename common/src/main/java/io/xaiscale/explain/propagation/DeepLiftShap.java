package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.References;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;

/**
 * DeepLIFT-SHAP (Lundberg & Lee 2017; Captum's {@code DeepLiftShap}): DeepLIFT against each input of
 * a reference set ({@link References}), averaged. Each DeepLIFT map sums to {@code f(x) - f(b)}, so
 * the average sums to {@code f(x) - mean_b f(b)} exactly. The references are walked one at a time, each
 * as a batch of one broadcast by the rules, each in a native-memory scope of its own.
 */
public final class DeepLiftShap extends PropagationExplainer {
    public static final String NAME = "deeplift_shap";

    private final String rule;
    private final References.Source references;

    public DeepLiftShap(ParamReader p) {
        super(NAME, p);
        this.rule = p.getChoice("rule", "rescale", DeepLift.RULES);
        this.references = new References.Source(NAME, p);
    }

    @Override
    protected RuleSet rules() {
        return DeepLift.rules("reveal_cancel".equals(rule));
    }

    /** One DeepLIFT walk of the input and of one reference per reference. */
    @Override
    public Cost cost(Classifier model) {
        References.Need need = references.need();
        int count = need == null ? 16 : need.count();
        return Cost.backwards(1).plus(Cost.forwards(1)).times(count);
    }

    @Override
    public References.Need referenceNeed() {
        return references.need();
    }

    @Override
    public void use(References set) {
        references.use(set);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        References refs = references.get(model.channels(), model.height(), model.width());
        NDManager owner = inputs.getManager();
        RuleSet rules = rules();
        NDArray first = refs.one(owner, 0);
        Propagation.Result r0 = Propagation.run(model, inputs, targets.givenOrNull(), first, rules, start());
        int[] t = targets.from(r0.logits());
        NDArray sum = toMap(r0.signal(), inputs, first);
        for (int k = 1; k < refs.count(); k++) {
            NDArray map = Scopes.step(refs.one(owner, k), owner, ref -> {
                NDArray x = inputs.duplicate();
                x.attach(ref.getManager());
                Propagation.Result r = Propagation.run(model, x, t, ref, rules, start());
                return toMap(r.signal(), x, ref);
            });
            sum = sum.add(map);
        }
        return new Attribution(sum.div(refs.count()), t, r0.logits());
    }

    @Override
    protected NDArray toMap(NDArray signal, NDArray inputs, NDArray reference) {
        return signal.mul(inputs.sub(reference)).sum(new int[] {1});
    }
}
