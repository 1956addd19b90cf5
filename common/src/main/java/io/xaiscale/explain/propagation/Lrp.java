package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.Choices;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.propagation.rules.AlphaBeta;
import io.xaiscale.explain.propagation.rules.AttentionSplit;
import io.xaiscale.explain.propagation.rules.Bounded;
import io.xaiscale.explain.propagation.rules.Chain;
import io.xaiscale.explain.propagation.rules.Epsilon;
import io.xaiscale.explain.propagation.rules.Gamma;
import io.xaiscale.explain.propagation.rules.PassThrough;
import io.xaiscale.explain.propagation.rules.Stable;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.TransformerLrp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Layer-wise relevance propagation (Bach et al. 2015; Montavon et al. 2019). The target logit is
 * the relevance at the output; convolutions and dense layers redistribute it by their rule, ReLUs and
 * pointwise maps pass it on, max pooling gives it to the max (winner takes all), average pooling
 * proportionally to the inputs, and a residual join splits it across its branches in proportion to
 * their outputs. BatchNorm is folded into the convolution before it.
 *
 * <p>Rules: {@code zero}, {@code epsilon}, {@code gamma}, {@code alpha_beta}, {@code zplus} (alpha 1,
 * beta 0, no bias: the z+ rule of deep Taylor decomposition) for {@code conv} and {@code dense}
 * layers, plus {@code zb} for the {@code first} layer. {@code rule=R} sets both; {@code composite=C}
 * sets all three as Zennit's composite of that name does, with Zennit's conventions (its ZPlus keeps
 * the positive part of the bias: alpha-beta with alpha 1, beta 0 here). The
 * output records the resolved {@code conv}, {@code dense}, {@code first} rules and only the numbers
 * those rules use.
 *
 * <p>On a Vision Transformer the same rules apply to its linear layers (the patch embedding is a
 * convolution and the first layer; the stacked q, k, v projection, the attention's output projection,
 * the MLP and the head are dense layers), and AttnLRP's rules (Achtibat et al. 2024) to the rest:
 * LayerNorm with its deviation held constant and the position embedding as linear layers with a bias
 * (LRP-0), GELU passes relevance on, the attention splits each product of activations evenly and passes
 * the softmax by {@code softmax=taylor} (AttnLRP) or holds it constant ({@code softmax=detach}:
 * CP-LRP). The class token takes what relevance reaches it, like a bias. {@code softmax} is recorded
 * only when not the default.
 */
public final class Lrp extends PropagationExplainer {
    public static final String NAME = "lrp";

    /** The LRP rules by spec name; {@code same} (first layer only) keeps the layer's own conv or dense rule. */
    public enum RuleName {
        SAME,
        ZERO,
        EPSILON,
        GAMMA,
        ALPHA_BETA,
        ZPLUS,
        ZB;

        public String spec() {
            return Choices.spec(this);
        }
    }

    public static final List<String> RULES = List.of("zero", "epsilon", "gamma", "alpha_beta", "zplus");
    public static final List<String> FIRST_RULES =
            List.of("same", "zero", "epsilon", "gamma", "alpha_beta", "zplus", "zb");

    /**
     * A composite: the rule of convolutions, of dense layers, and of the model's first linear layer
     * (Zennit's composites), and the alpha and beta its alpha-beta layers take by default.
     */
    public record Composite(RuleName conv, RuleName dense, RuleName first, double alpha, double beta) {
        Composite(RuleName conv, RuleName dense, RuleName first) {
            this(conv, dense, first, 2.0, 1.0);
        }

        /** The rules this composite uses anywhere. */
        public Set<RuleName> used() {
            return EnumSet.of(conv, dense, first);
        }
    }

    /** Zennit's composites by name, in the order of their names; {@code none} gives every layer the {@code rule} parameter. */
    public static final Map<String, Composite> COMPOSITES = composites();

    private static Map<String, Composite> composites() {
        Map<String, Composite> m = new LinkedHashMap<>();
        m.put("epsilon_alpha2_beta1", new Composite(RuleName.ALPHA_BETA, RuleName.EPSILON, RuleName.ALPHA_BETA));
        m.put("epsilon_gamma_box", new Composite(RuleName.GAMMA, RuleName.EPSILON, RuleName.ZB));
        // Zennit's ZPlus is alpha-beta with alpha 1, beta 0 and the positive part of the bias ("ZPlus (or
        // alpha=1, beta=0)"); the rule zplus here is the bias-free z+ of Montavon et al. 2017
        m.put("epsilon_plus", new Composite(RuleName.ALPHA_BETA, RuleName.EPSILON, RuleName.ALPHA_BETA, 1.0, 0.0));
        m.put("none", null);
        return Collections.unmodifiableMap(m);
    }

    private final Composite composite;
    private final double epsilon;
    private final double gamma;
    private final double alpha;
    private final double beta;
    private final boolean bias;
    private final TransformerLrp.Softmax softmax;
    private final RuleSet rules;

    public Lrp(ParamReader p) {
        super(NAME, p);
        String name = p.getChoice("composite", "none", List.copyOf(COMPOSITES.keySet()));
        String rule = p.getChoice("rule", "epsilon", RULES);
        Composite c = COMPOSITES.get(name);
        if (c != null && p.raw("rule") != null) {
            throw new IllegalArgumentException("Invalid rule for lrp: " + rule + " together with composite=" + name
                    + " (give either a rule or a composite; override layers with conv=, dense=, first=)");
        }
        p.forget("composite");
        p.forget("rule");
        this.composite = new Composite(
                Choices.parse(
                        RuleName.class,
                        p.getChoice("conv", c == null ? rule : c.conv().spec(), RULES),
                        "conv"),
                Choices.parse(
                        RuleName.class,
                        p.getChoice("dense", c == null ? rule : c.dense().spec(), RULES),
                        "dense"),
                Choices.parse(
                        RuleName.class,
                        p.getChoice("first", c == null ? "same" : c.first().spec(), FIRST_RULES),
                        "first"));
        Set<RuleName> used = composite.used();
        this.epsilon = p.getDouble("epsilon", 1e-6, 0.0, false, 1e6);
        this.gamma = p.getDouble("gamma", 0.25, 0.0, false, 1e6);
        this.alpha = p.getDouble("alpha", c == null ? 2.0 : c.alpha(), 1.0, false, 1e6);
        this.beta = p.getDouble("beta", c == null ? 1.0 : c.beta(), 0.0, false, 1e6);
        this.bias = Boolean.parseBoolean(p.getChoice("bias", "true", List.of("true", "false")));
        this.softmax = p.getEnum("softmax", TransformerLrp.Softmax.TAYLOR, TransformerLrp.Softmax.class);
        if (softmax == TransformerLrp.Softmax.TAYLOR) {
            p.forget("softmax"); // the stored identity of every CNN's lrp spec stays as it was
        }
        if (!used.contains(RuleName.EPSILON)) {
            p.forget("epsilon");
        }
        if (!used.contains(RuleName.GAMMA)) {
            p.forget("gamma");
        }
        if (used.contains(RuleName.ALPHA_BETA)) {
            new AlphaBeta(alpha, beta, bias); // validates alpha - beta = 1 at parse time
        } else {
            p.forget("alpha");
            p.forget("beta");
        }
        this.rules = new Rules();
    }

    /** The rules this configuration gives each layer. */
    public Composite composite() {
        return composite;
    }

    /**
     * The rule of each step from an ordered map of layer conditions to rules, first match wins (Zennit's
     * composites attach rules to layer types the same way): the first linear layer, convolutions, dense
     * layers, pooling, then the layers that pass relevance on.
     */
    private final class Rules implements RuleSet {
        private final Map<String, Map.Entry<Predicate<Step>, Rule>> byLayer = new LinkedHashMap<>();

        Rules() {
            boolean alphaBeta = composite.used().contains(RuleName.ALPHA_BETA);
            Map<RuleName, Rule> rule = new EnumMap<>(RuleName.class);
            rule.put(RuleName.ZERO, new Epsilon(0, bias));
            rule.put(RuleName.EPSILON, new Epsilon(epsilon, bias));
            rule.put(RuleName.GAMMA, new Gamma(gamma, bias));
            rule.put(RuleName.ALPHA_BETA, new AlphaBeta(alphaBeta ? alpha : 1, alphaBeta ? beta : 0, bias));
            rule.put(RuleName.ZPLUS, new AlphaBeta(1, 0, false));
            rule.put(RuleName.ZB, Bounded.INSTANCE);
            if (composite.first() != RuleName.SAME) {
                byLayer.put(
                        "first",
                        Map.entry(
                                s -> s.layer().kind() == Layer.Kind.LINEAR && s.isFirstLinear(),
                                rule.get(composite.first())));
            }
            byLayer.put(
                    "conv",
                    Map.entry(
                            s -> s.layer().kind() == Layer.Kind.LINEAR && ((Affine) s.layer()).isConv(),
                            rule.get(composite.conv())));
            byLayer.put("dense", Map.entry(s -> s.layer().kind() == Layer.Kind.LINEAR, rule.get(composite.dense())));
            // linear maps without weights of their own, LRP-0 stabilised: average pooling, and a transformer's
            // LayerNorm (its deviation held constant) and position embedding (a bias)
            byLayer.put(
                    "avg_pool_norm_position",
                    Map.entry(
                            s -> s.layer().kind() == Layer.Kind.AVG_POOL
                                    || s.layer().kind() == Layer.Kind.NORM
                                    || s.layer().kind() == Layer.Kind.POSITION,
                            new Epsilon(1e-9, true)));
            byLayer.put(
                    "max_pool_reshape_tokens",
                    Map.entry(
                            s -> s.layer().kind() == Layer.Kind.MAX_POOL
                                    || s.layer().kind() == Layer.Kind.RESHAPE
                                    || s.layer().kind() == Layer.Kind.TOKENS,
                            Chain.INSTANCE));
            byLayer.put(
                    "relu_pointwise",
                    Map.entry(
                            s -> s.layer().kind() == Layer.Kind.RELU
                                    || s.layer().kind() == Layer.Kind.POINTWISE
                                    || s.layer().kind() == Layer.Kind.GELU,
                            PassThrough.INSTANCE));
            byLayer.put(
                    "attention", Map.entry(s -> s.layer().kind() == Layer.Kind.ATTENTION, new AttentionSplit(softmax)));
        }

        @Override
        public Rule ruleFor(Step step) {
            for (Map.Entry<Predicate<Step>, Rule> e : byLayer.values()) {
                if (e.getKey().test(step)) {
                    return e.getValue();
                }
            }
            throw new IllegalStateException(
                    "No LRP rule for a " + step.layer().kind() + " layer (residual joins are split by the engine)");
        }

        @Override
        public List<NDArray> split(List<NDArray> branchOutputs, NDArray joinOutput, NDArray relevance) {
            NDArray s = Stable.divide(relevance, joinOutput, 1e-9);
            List<NDArray> out = new ArrayList<>();
            for (NDArray z : branchOutputs) {
                out.add(z.mul(s));
            }
            return out;
        }
    }

    @Override
    protected RuleSet rules() {
        return rules;
    }

    @Override
    protected boolean coversTransformers() {
        return true;
    }

    /**
     * Epsilon and LRP-0 are the chain rule with a rescaled signal (1 fb); gamma, z+ and z^B run each of
     * their layers once more with modified weights (+1 f of the walk itself); alpha-beta with beta > 0
     * runs its layers twice (the positive and the negative part).
     */
    @Override
    public Cost cost(Classifier model) {
        Set<RuleName> used = composite.used();
        if (Set.of(RuleName.EPSILON, RuleName.ZERO, RuleName.SAME).containsAll(used)) {
            return Cost.backwards(1);
        }
        boolean twoParts = used.contains(RuleName.ALPHA_BETA) && beta > 0;
        return Cost.backwards(twoParts ? 2 : 1).plus(Cost.forwards(1));
    }

    @Override
    protected Propagation.Start start() {
        return Propagation.Start.TARGET_LOGIT;
    }
}
